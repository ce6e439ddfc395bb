package telegram

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/huddlebot/huddle/bot"
)

// inboundMedia is the file a member's message carries, as Telegram
// describes it: a photo (its largest size Huddle may fetch), a voice
// note, a sound, or a picture sent as a file (which keeps its EXIF
// metadata, GPS position included, as Telegram passes it on untouched).
func inboundMedia(m *tgbotapi.Message) (fileID, name, mimeType string, size int, ok bool) {
	switch {
	case len(m.Photo) > 0:
		best := m.Photo[0]
		for _, p := range m.Photo {
			if p.FileSize <= bot.MaxInboundFile && p.Width*p.Height >= best.Width*best.Height {
				best = p
			}
		}
		return best.FileID, "photo.jpg", "image/jpeg", best.FileSize, true
	case m.Voice != nil:
		mt := m.Voice.MimeType
		if mt == "" {
			mt = "audio/ogg"
		}
		return m.Voice.FileID, "voice.ogg", mt, int(m.Voice.FileSize), true
	case m.Audio != nil && strings.HasPrefix(m.Audio.MimeType, "audio/"):
		return m.Audio.FileID, m.Audio.FileName, m.Audio.MimeType, int(m.Audio.FileSize), true
	case m.Document != nil && strings.HasPrefix(m.Document.MimeType, "image/"):
		return m.Document.FileID, m.Document.FileName, m.Document.MimeType, m.Document.FileSize, true
	}
	return "", "", "", 0, false
}

// fetchMedia downloads the file a member's message carries (getFile,
// then the file itself), or returns nil when it carries none, or one
// Huddle would not act on (bot.WantsFile). A file that cannot be
// fetched, or is larger than bot.MaxInboundFile, comes without its data,
// so that Huddle asks for it again instead of losing the message.
func (t *Telegram) fetchMedia(ctx context.Context, m *tgbotapi.Message, ev bot.Event) *bot.File {
	fileID, name, mimeType, size, ok := inboundMedia(m)
	if !ok || !bot.WantsFile(ev, mimeType) {
		return nil
	}
	f := &bot.File{Name: name, MIMEType: mimeType}
	if size > bot.MaxInboundFile {
		t.log.Warn("member's file too large to fetch", "size", size)
		f.Refused = bot.TooManyBytes(size)
		return f
	}
	data, err := t.download(ctx, fileID)
	if err != nil {
		if ctx.Err() == nil {
			t.log.Warn("fetch member's file", "err", err)
		}
		return f
	}
	f.Data = data
	return f
}

// download fetches a file by its id.
func (t *Telegram) download(ctx context.Context, fileID string) ([]byte, error) {
	resp, err := t.call(ctx, "getFile", tgbotapi.Params{"file_id": fileID})
	if err != nil {
		return nil, fmt.Errorf("getFile: %w", err)
	}
	var file tgbotapi.File
	if err := jsonUnmarshal(resp.Result, &file); err != nil {
		return nil, fmt.Errorf("getFile: %w", err)
	}
	if file.FilePath == "" {
		return nil, fmt.Errorf("getFile: no file path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(t.files, t.cfg.Token, file.FilePath), nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", withoutToken(err, t.cfg.Token))
	}
	// The URL holds the bot's token: errors are told without it.
	res, err := ctxClient{ctx: ctx, base: t.http, token: t.cfg.Token}.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: %s", res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, bot.MaxInboundFile+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	if len(data) > bot.MaxInboundFile {
		return nil, fmt.Errorf("download: larger than %d MB", bot.MaxInboundFile>>20)
	}
	return data, nil
}
