package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/clip"
	"github.com/huddlebot/huddle/picture"
	"github.com/huddlebot/huddle/sound"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// Outbound media: documents, pictures, sounds and videos, uploaded once
// and sent again by their media key.

// fileMessage returns the message that carries m's file: a picture,
// sound or video natively, anything else as a document.
func (w *WhatsApp) fileMessage(ctx context.Context, m bot.Outbound, to types.JID) (*waE2E.Message, error) {
	if mediaType(m.File.MIMEType) != "" {
		return w.media(ctx, m, to)
	}
	return w.document(ctx, m, to)
}

// document returns the message that carries m's file as a document,
// with m's text as its caption: uploaded once, then sent again by its
// media key.
func (w *WhatsApp) document(ctx context.Context, m bot.Outbound, to types.JID) (*waE2E.Message, error) {
	u, err := w.uploadOnce(ctx, m.File, whatsmeow.MediaDocument, to, !m.Transient)
	if err != nil {
		return nil, err
	}
	up := u.resp
	doc := &waE2E.DocumentMessage{
		URL:               proto.String(up.URL),
		DirectPath:        proto.String(up.DirectPath),
		MediaKey:          up.MediaKey,
		MediaKeyTimestamp: proto.Int64(u.at.Unix()),
		FileEncSHA256:     up.FileEncSHA256,
		FileSHA256:        up.FileSHA256,
		FileLength:        proto.Uint64(up.FileLength),
		Mimetype:          proto.String(m.File.MIMEType),
		FileName:          proto.String(m.File.Name),
		Title:             proto.String(m.File.Name),
	}
	if m.Text == "" {
		return &waE2E.Message{DocumentMessage: doc}, nil
	}
	// WhatsApp shows a document's caption only inside this wrapper.
	doc.Caption = proto.String(m.Text)
	return &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{
		Message: &waE2E.Message{DocumentMessage: doc},
	}}, nil
}

// reuseFor is how long an uploaded file (a picture, sound, video or
// document) is sent again by its media key rather than uploaded anew: well within the time
// WhatsApp's servers keep media.
const reuseFor = 7 * 24 * time.Hour

// uploaded is a media file on WhatsApp's servers, and when it went
// there.
type uploaded struct {
	resp whatsmeow.UploadResponse
	at   time.Time
}

// maxUploads bounds the uploads kept for reuse; past it, they start
// afresh (a one-off file, such as a /mydata export, is never sent again).
const maxUploads = 1024

// uploadOnce uploads f as kind, or returns its upload of less than
// reuseFor ago: a lesson's file sent to a hundred groups goes up once. A
// one-off (keep false: a /mydata file) is uploaded and not remembered,
// so no key to it outlives the message.
func (w *WhatsApp) uploadOnce(ctx context.Context, f *bot.File, kind whatsmeow.MediaType, to types.JID, keep bool) (uploaded, error) {
	sum := sha256.Sum256(f.Data)
	key := string(kind) + ":" + hex.EncodeToString(sum[:])
	now := w.cfg.Clock.Now()
	w.mu.Lock()
	up, ok := w.pictures[key]
	w.mu.Unlock()
	if ok && keep && now.Sub(up.at) <= reuseFor {
		return up, nil
	}
	resp, err := w.net.Upload(ctx, f.Data, kind)
	switch {
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn):
		return up, &bot.RetryError{After: 15 * time.Second, Err: err}
	case err != nil:
		return up, fmt.Errorf("upload %s for %s: %w", f.Name, to, err)
	}
	up = uploaded{resp: resp, at: now}
	if !keep {
		return up, nil
	}
	w.mu.Lock()
	if w.pictures == nil || len(w.pictures) >= maxUploads {
		w.pictures = map[string]uploaded{}
	}
	w.pictures[key] = up
	w.mu.Unlock()
	return up, nil
}

// mediaType is the whatsmeow media type a file of mimeType is sent as
// natively ("" for a document).
func mediaType(mimeType string) whatsmeow.MediaType {
	switch strings.SplitN(mimeType, "/", 2)[0] {
	case "image":
		return whatsmeow.MediaImage
	case "audio":
		if mimeType == "audio/wav" {
			return "" // not an audio message WhatsApp plays: a document
		}
		return whatsmeow.MediaAudio
	case "video":
		return whatsmeow.MediaVideo
	}
	return ""
}

// media returns the message that carries m's picture, sound or video,
// with m's text as its caption where WhatsApp shows one: uploaded once,
// then sent again by its media key. An Ogg sound goes as a voice note.
func (w *WhatsApp) media(ctx context.Context, m bot.Outbound, to types.JID) (*waE2E.Message, error) {
	kind := mediaType(m.File.MIMEType)
	up, err := w.uploadOnce(ctx, m.File, kind, to, !m.Transient)
	if err != nil {
		return nil, err
	}
	switch kind {
	case whatsmeow.MediaAudio:
		a := &waE2E.AudioMessage{
			URL: proto.String(up.resp.URL), DirectPath: proto.String(up.resp.DirectPath), MediaKey: up.resp.MediaKey,
			MediaKeyTimestamp: proto.Int64(up.at.Unix()), FileEncSHA256: up.resp.FileEncSHA256, FileSHA256: up.resp.FileSHA256,
			FileLength: proto.Uint64(up.resp.FileLength), Mimetype: proto.String(m.File.MIMEType),
		}
		voiceNote(a, m.File)
		return &waE2E.Message{AudioMessage: a}, nil
	case whatsmeow.MediaVideo:
		vid := &waE2E.VideoMessage{
			URL: proto.String(up.resp.URL), DirectPath: proto.String(up.resp.DirectPath), MediaKey: up.resp.MediaKey,
			MediaKeyTimestamp: proto.Int64(up.at.Unix()), FileEncSHA256: up.resp.FileEncSHA256, FileSHA256: up.resp.FileSHA256,
			FileLength: proto.Uint64(up.resp.FileLength), Mimetype: proto.String(m.File.MIMEType),
		}
		if m.Text != "" {
			vid.Caption = proto.String(m.Text)
		}
		// Its box at its size and its length, shown before it downloads.
		if v, err := clip.ReadMP4(m.File.Data); err == nil {
			if v.Width > 0 {
				vid.Width, vid.Height = proto.Uint32(uint32(v.Width)), proto.Uint32(uint32(v.Height))
			}
			vid.Seconds = proto.Uint32(uint32((v.Duration + time.Second/2) / time.Second))
		}
		// Its poster, shown (blurred) before it downloads, as a picture's
		// thumbnail is: WhatsApp's apps send a video's first frame so.
		// Without one (no ffmpeg, no poster: in the lesson), a plain
		// still of the video's shape with a play sign, so the box is not
		// blank.
		if len(m.File.Poster) > 0 {
			vid.JPEGThumbnail = thumbnail(ctx, m.File.Poster)
		} else {
			vid.JPEGThumbnail = playStill(int(vid.GetWidth()), int(vid.GetHeight()))
		}
		return &waE2E.Message{VideoMessage: vid}, nil
	}
	img := &waE2E.ImageMessage{
		URL:               proto.String(up.resp.URL),
		DirectPath:        proto.String(up.resp.DirectPath),
		MediaKey:          up.resp.MediaKey,
		MediaKeyTimestamp: proto.Int64(up.at.Unix()),
		FileEncSHA256:     up.resp.FileEncSHA256,
		FileSHA256:        up.resp.FileSHA256,
		FileLength:        proto.Uint64(up.resp.FileLength),
		Mimetype:          proto.String(m.File.MIMEType),
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(m.File.Data)); err == nil {
		img.Width, img.Height = proto.Uint32(uint32(cfg.Width)), proto.Uint32(uint32(cfg.Height))
	}
	img.JPEGThumbnail = thumbnail(ctx, m.File.Data)
	if c := mediaCaption(m); c != "" {
		img.Caption = proto.String(c)
	}
	return &waE2E.Message{ImageMessage: img}, nil
}

// mediaCaption is a picture's caption: its text, and the options it
// offers (a light group's "Full size"), which WhatsApp cannot put under a
// picture: each numbered, chosen by replying to the picture with its
// number.
func mediaCaption(m bot.Outbound) string {
	if len(m.Options) == 0 {
		return m.Text
	}
	var b strings.Builder
	b.WriteString(m.Text)
	for i, o := range m.Options {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "↩️ %d. %s", i+1, o.Label)
	}
	return b.String()
}

// voiceNote makes a an Ogg Opus file's voice note, as WhatsApp's own apps
// send one: the full media type with its codec, PTT, the length in
// seconds and a 64-value waveform. iPhones play an audio message as a
// voice note only so (mautrix-whatsapp sends the same fields, in
// pkg/msgconv/from-matrix.go). Another sound goes as a plain audio
// message.
func voiceNote(a *waE2E.AudioMessage, f *bot.File) {
	if f.MIMEType != "audio/ogg" {
		return
	}
	o, err := sound.ReadOgg(f.Data)
	if err != nil || o.Codec != sound.Opus {
		return
	}
	a.Mimetype = proto.String("audio/ogg; codecs=opus")
	a.PTT = proto.Bool(true)
	a.Seconds = proto.Uint32(uint32((o.Duration + time.Second/2) / time.Second))
	a.Waveform = o.Waveform
}

// Thumbnails: WhatsApp shows one, blurred, while the picture downloads,
// so that a member on slow data sees what comes instead of a blank box.
// mautrix-whatsapp makes them 72 pixels on the long side
// (pkg/msgconv/thumbnail.go); a few KB.
const (
	thumbSide   = 72
	thumbBudget = 6 << 10
)

// thumbnail is a small JPEG of a picture; nil when it cannot be made (the
// picture goes without).
func thumbnail(ctx context.Context, data []byte) []byte {
	img, done, err := picture.Decode(ctx, data)
	if err != nil {
		return nil
	}
	defer done()
	p, err := picture.Lighten(img, thumbSide, thumbBudget)
	if err != nil {
		return nil
	}
	return p.Data
}

// playStill is a video's stand-in thumbnail: dark grey, of its shape
// (16:9 when not known), thumbSide pixels on its long side, with a white
// play sign; nil when it cannot be encoded.
func playStill(width, height int) []byte {
	if width <= 0 || height <= 0 {
		width, height = 16, 9
	}
	w, h := thumbSide, max(1, thumbSide*height/width)
	if height > width {
		w, h = max(1, thumbSide*width/height), thumbSide
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	side := min(w, h) / 3
	cx, cy := w/2, h/2
	for y := range h {
		for x := range w {
			c := uint8(48)
			// A triangle pointing right, centred.
			if dy := y - cy; x >= cx-side/2 && x-(cx-side/2) <= side-2*abs(dy) && abs(dy) <= side/2 {
				c = 240
			}
			img.SetGray(x, y, color.Gray{Y: c})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}); err != nil {
		return nil
	}
	return b.Bytes()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
