package flows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	// Decoders of the image types lessons may use.
	_ "image/gif"
	_ "image/png"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/picture"
	"github.com/huddlebot/huddle/sound"
	"go.yaml.in/yaml/v3"
	_ "golang.org/x/image/webp"
)

// Image limits: a lesson's image file may be up to MaxImageFile; at load
// it is scaled to at most ImageLongSide pixels on its long side and
// compressed as JPEG to fit ImageBudget (members pay for their data), its
// metadata (EXIF, GPS) dropped by the re-encoding.
const (
	MaxImageFile  = 10 << 20
	ImageLongSide = 1280
	ImageBudget   = 150 << 10
)

// Media kinds: a step's key names its kind.
const (
	MediaImage    = "image"
	MediaAudio    = "audio"
	MediaVideo    = "video"
	MediaDocument = "document"
)

// mediaTypes are the files a step may show, by kind and extension, with
// their media types; images are made JPEGs at load.
var mediaTypes = map[string]map[string]string{
	MediaImage:    {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp"},
	MediaAudio:    {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".opus": "audio/ogg", ".wav": "audio/wav"},
	MediaVideo:    {".mp4": "video/mp4"},
	MediaDocument: {".pdf": "application/pdf"},
}

// maxMedia bounds each kind's file: WhatsApp's 16 MB for audio and
// video, 20 MB for a document (Telegram's bots may upload 50).
var maxMedia = map[string]int64{MediaImage: MaxImageFile, MediaAudio: 16 << 20, MediaVideo: 16 << 20, MediaDocument: 20 << 20}

// Media is a file a step shows before its text (a picture, a sound, a
// video, a document): read from beside its lesson file at load, a
// picture made light.
type Media struct {
	Kind string
	// Name is the file's name as the lesson gives it; MIMEType what it
	// is sent as.
	Name     string
	MIMEType string
	// Data is the file as sent; Hash its SHA-256, hex, by which a channel
	// may upload it once.
	Data []byte
	Hash string
	// Width and Height are a picture's size in pixels; Preview is a
	// small copy of it (PreviewLongSide, PreviewBudget) for groups light
	// on data.
	Width, Height int
	Preview       []byte
	// Poster is a video's still picture (a JPEG), shown before it
	// plays: the step's poster:, or one its Converter took from it; nil
	// for none.
	Poster []byte
}

// A picture's preview: at most PreviewLongSide pixels on its long side,
// PreviewBudget bytes.
const (
	PreviewLongSide = 480
	PreviewBudget   = 30 << 10
)

// PreviewFile is a picture's preview as an attachment.
func (m *Media) PreviewFile() *bot.File {
	name := strings.TrimSuffix(path.Base(m.Name), path.Ext(m.Name)) + "-preview.jpg"
	return &bot.File{Name: name, MIMEType: "image/jpeg", Data: m.Preview, Shared: true}
}

// File is the media as an outbound message's attachment.
func (m *Media) File() *bot.File {
	name := path.Base(m.Name)
	switch {
	case m.Kind == MediaImage:
		name = strings.TrimSuffix(name, path.Ext(name)) + ".jpg"
	case m.MIMEType == "audio/ogg":
		name = strings.TrimSuffix(name, path.Ext(name)) + ".ogg" // a WAV made a voice note
	}
	return &bot.File{Name: name, MIMEType: m.MIMEType, Data: m.Data, Poster: m.Poster, Shared: true}
}

// pendingMedia is a file a step names, read once the lesson's folder is
// known.
type pendingMedia struct {
	step       *Step
	kind, name string
	line       int
	// set, when not nil, takes the file instead of the step (a quiz
	// option's picture, a video's poster).
	set func(*Media)
}

// mediaKey reads a step's image:, audio:, video: or document: key: a
// file path relative to the lesson file, on a say, quiz or ask step.
func (p *parser) mediaKey(kind string, n *yaml.Node, st *Step) {
	name, ok := p.str(n, kind)
	if !ok {
		return
	}
	ext := strings.ToLower(path.Ext(name))
	switch {
	case st.Kind != "say" && st.Kind != "quiz" && st.Kind != "ask":
		p.errf(n, "%s is for say, quiz and ask steps", kind)
	default:
		p.mediaFile(kind, name, ext, n, pendingMedia{step: st})
	}
}

// mediaFile checks a file's path and type and queues it to be read with
// the lesson's folder, into pm.
func (p *parser) mediaFile(kind, name, ext string, n *yaml.Node, pm pendingMedia) {
	switch {
	case path.IsAbs(name) || strings.Contains(name, "\\") || !fs.ValidPath(path.Clean(name)):
		p.errf(n, "%s %q: give a path beside the lesson file, such as media/rdt.png", kind, name)
	case mediaTypes[kind][ext] == "":
		p.errf(n, "%s %q: use a %s file", kind, name, extList(kind))
	default:
		pm.kind, pm.name, pm.line = kind, path.Clean(name), n.Line
		p.media = append(p.media, pm)
	}
}

// posterKey reads a step's poster: key, the picture shown before its
// video plays.
func (p *parser) posterKey(n *yaml.Node, st *Step, video bool) {
	name, ok := p.str(n, "poster")
	if !ok {
		return
	}
	if !video {
		p.errf(n, "poster is a video's picture: give it on a step with video:")
		return
	}
	p.mediaFile(MediaImage, name, strings.ToLower(path.Ext(name)), n, pendingMedia{set: func(m *Media) {
		if st.Media != nil {
			st.Media.Poster = m.Data
		}
	}})
}

// optionImage reads a quiz option's image: key, a picture that stands
// for the option (set receives it once read).
func (p *parser) optionImage(n *yaml.Node, set func(*Media)) {
	name, ok := p.str(n, "image")
	if !ok {
		return
	}
	p.mediaFile(MediaImage, name, strings.ToLower(path.Ext(name)), n, pendingMedia{set: set})
}

// IsMediaFile reports whether a file name is one a lesson may show (a
// picture, a sound, a video, a document): a change to it reloads the
// lessons.
func IsMediaFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	for _, types := range mediaTypes {
		if types[ext] != "" {
			return true
		}
	}
	return false
}

// extList lists a kind's file extensions: ".mp3, .m4a, .ogg or .opus".
func extList(kind string) string {
	exts := slices.Sorted(maps.Keys(mediaTypes[kind]))
	if len(exts) == 1 {
		return exts[0]
	}
	return strings.Join(exts[:len(exts)-1], ", ") + " or " + exts[len(exts)-1]
}

// readMedia reads the files the parsed lesson names from dir in fsys,
// and makes each picture light; each problem is at its key's line.
func (p *parser) readMedia(fsys fs.FS, dir string) {
	for _, pm := range p.media {
		if fsys == nil {
			continue // parsed alone: the files are read with the folder
		}
		m, err := p.kinds.readMedia(fsys, path.Join(dir, pm.name), pm.kind)
		if err != nil {
			p.problems = append(p.problems, Problem{File: p.file, Line: pm.line, Msg: fmt.Sprintf("%s %s: %v", pm.kind, pm.name, err)})
			continue
		}
		m.Kind, m.Name = pm.kind, pm.name
		if pm.set != nil {
			pm.set(m)
			continue
		}
		pm.step.Media = m
	}
}

// pictureCache keeps pictures made light by their source's SHA-256: a
// lessons folder read again after an edit scales only what changed.
type pictureCache struct {
	mu   sync.Mutex
	made map[string]*Media
}

// maxPictures bounds the cache; past it, it starts afresh.
const maxPictures = 1024

func (c *pictureCache) get(key string) (*Media, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.made[key]
	return m, ok
}

func (c *pictureCache) put(key string, m *Media) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.made) >= maxPictures {
		c.made = map[string]*Media{}
	}
	c.made[key] = m
}

// readMedia reads and checks one file of a kind; a picture is scaled and
// compressed, a sound or video converted as its kinds' Converter does,
// or either taken from cache when the same bytes were before.
func (k *Kinds) readMedia(fsys fs.FS, name, kind string) (*Media, error) {
	cache := k.pictures
	info, err := fs.Stat(fsys, name)
	if msg, ok := LinkProblem(fsys, name); ok {
		return nil, errors.New(msg)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("no such file beside the lesson")
	case info.IsDir():
		return nil, fmt.Errorf("is a folder, not a file")
	case info.Size() > maxMedia[kind]:
		return nil, fmt.Errorf("the file is %d MB; give one of at most %d MB", (info.Size()+1<<20-1)>>20, maxMedia[kind]>>20)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	mimeType := mediaTypes[kind][strings.ToLower(path.Ext(name))]
	switch {
	case mimeType == "audio/ogg" || mimeType == "audio/wav" && k.convert != nil:
		return k.voiceNote(name, data, key, mimeType)
	case kind == MediaVideo:
		return k.video(data, key, mimeType), nil
	case kind != MediaImage:
		return &Media{Data: data, Hash: key, MIMEType: mimeType}, nil
	}
	if m, ok := cache.get(key); ok {
		cp := *m // Kind and Name are the step's
		return &cp, nil
	}
	src, done, err := picture.Decode(context.Background(), data)
	if err != nil {
		return nil, err
	}
	defer done()
	out, err := picture.Lighten(src, ImageLongSide, ImageBudget)
	if err != nil {
		return nil, err
	}
	preview, err := picture.Lighten(src, PreviewLongSide, PreviewBudget)
	if err != nil {
		return nil, err
	}
	outSum := sha256.Sum256(out.Data)
	m := &Media{Data: out.Data, Hash: hex.EncodeToString(outSum[:]), MIMEType: "image/jpeg", Width: out.Width, Height: out.Height, Preview: preview.Data}
	cache.put(key, m)
	cp := *m
	return &cp, nil
}

// voiceNote is an Ogg or WAV sound as a voice note, which phones play
// only in Ogg Opus (WhatsApp's and Telegram's own voice notes): an Ogg
// Opus file as it is, another converted where the kinds have a
// Converter (kept by the source's hash), and otherwise a problem that
// says what to give.
func (k *Kinds) voiceNote(name string, data []byte, key, mimeType string) (*Media, error) {
	if mimeType == "audio/ogg" {
		o, err := sound.ReadOgg(data)
		switch {
		case err != nil && k.convert == nil:
			return nil, fmt.Errorf("is not a sound in Ogg: %v; give an Ogg Opus voice note, or an .mp3 or .m4a sound", err)
		case err == nil && o.Codec == sound.Opus:
			return &Media{Data: data, Hash: key, MIMEType: mimeType}, nil
		case k.convert == nil:
			return nil, fmt.Errorf("is Ogg %s, which no phone plays as a voice note: give Ogg Opus (ffmpeg -i %s -c:a libopus -b:a 24k voice.ogg makes one; with ffmpeg installed, Huddle converts it itself), or an .mp3 or .m4a sound",
				o.Codec, path.Base(name))
		}
	}
	if m, ok := k.pictures.get("voice:" + key); ok {
		cp := *m
		return &cp, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), convertWait)
	defer cancel()
	out, err := k.convert.VoiceNote(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("could not be made a voice note (%v): give an Ogg Opus file, or an .mp3 or .m4a sound", err)
	}
	if o, err := sound.ReadOgg(out); err != nil || o.Codec != sound.Opus {
		return nil, fmt.Errorf("could not be made a voice note: the converter gave no Ogg Opus")
	}
	sum := sha256.Sum256(out)
	m := &Media{Data: out, Hash: hex.EncodeToString(sum[:]), MIMEType: "audio/ogg"}
	k.pictures.put("voice:"+key, m)
	cp := *m
	return &cp, nil
}

// convertWait bounds one conversion at load.
const convertWait = 2 * time.Minute

// video is a video with the poster its kinds' Converter takes from it
// (kept by the source's hash), made light as a picture is; without a
// Converter, or when it fails, none (a step's poster: gives one).
func (k *Kinds) video(data []byte, key, mimeType string) *Media {
	m := &Media{Data: data, Hash: key, MIMEType: mimeType}
	if k.convert == nil {
		return m
	}
	if kept, ok := k.pictures.get("poster:" + key); ok {
		m.Poster = kept.Poster
		return m
	}
	ctx, cancel := context.WithTimeout(context.Background(), convertWait)
	defer cancel()
	if jpg, err := k.convert.Poster(ctx, data); err == nil {
		if img, done, err := picture.Decode(ctx, jpg); err == nil {
			if light, err := picture.Lighten(img, ImageLongSide, ImageBudget); err == nil {
				m.Poster = light.Data
			}
			done()
		}
	}
	k.pictures.put("poster:"+key, &Media{Poster: m.Poster})
	return m
}

// fullSizePrefix starts the data of a preview's "Full size" button, with
// the first fullSizeKey hex digits of the picture's hash.
const (
	fullSizePrefix = "fs:"
	fullSizeKey    = 16
)

// Options are the host's option handlers: a preview's "Full size".
func (h *Host) Options() []bot.OptionHandler {
	return []bot.OptionHandler{{Prefix: fullSizePrefix, Run: func(tx bot.Tx, s bot.Session) error { return h.fullSize(tx, s) }}}
}

// fullSizeTx is what sending a full-size picture sees of the store.
type fullSizeTx interface {
	bot.MemberStore
	bot.OutboxWriter
}

// fullSize sends the whole picture a preview stands for to the member who
// pressed, privately (in the chat when they have no private chat with the
// bot), and answers the press.
func (h *Host) fullSize(tx fullSizeTx, s bot.Session) error {
	key := strings.TrimPrefix(s.Event.Option, fullSizePrefix)
	var found *Media
	for _, l := range h.Library().All() {
		for _, m := range l.pictures() {
			if strings.HasPrefix(m.Hash, key) && len(key) == fullSizeKey {
				found = m
			}
		}
	}
	if found == nil {
		return nil // the lesson changed since: the press is answered empty
	}
	to, note := s.Chat, "full_size_here"
	if dm, err := tx.DirectChatOf(s.Member.ID); err == nil {
		to, note = dm, "full_size_sent"
	} else if !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	out := bot.Outbound{Channel: to.Channel, ChatID: to.PlatformID, File: found.File(),
		Key: "ev:" + s.Event.ID + ":full"}
	if err := tx.Enqueue(out, s.Now); err != nil {
		return err
	}
	if s.Event.PressID == "" {
		return nil
	}
	return tx.Enqueue(bot.Outbound{Channel: s.Chat.Channel, ChatID: s.Chat.PlatformID, PressID: s.Event.PressID,
		Text: h.engine.text(s.Lang, note), Key: bot.PressKey(s.Event.PressID)}, s.Now)
}

// pictures lists the lesson's pictures: its steps' and its picture
// quizzes' options'.
func (l *Lesson) pictures() []*Media {
	var out []*Media
	for _, st := range l.Steps {
		if st.Media != nil && st.Media.Kind == MediaImage {
			out = append(out, st.Media)
		}
		if q, ok := st.body.(*quizStep); ok {
			for _, o := range q.options {
				if o.media != nil {
					out = append(out, o.media)
				}
			}
		}
	}
	return out
}
