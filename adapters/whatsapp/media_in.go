package whatsapp

import (
	"context"
	"errors"
	"mime"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
)

// fetchWait bounds the download of one member's file.
const fetchWait = time.Minute

// fetchMedia downloads and decrypts the file a member's message carries
// (a photo, a voice note or sound, a picture sent as a document, which
// keeps its EXIF metadata), or returns nil when it carries none, or one
// Huddle would not act on (bot.WantsFile). One that cannot be fetched, or
// is larger than bot.MaxInboundFile, comes without its data, so that
// Huddle asks for it again.
func (w *WhatsApp) fetchMedia(ctx context.Context, m *waE2E.Message, ev bot.Event) *bot.File {
	var (
		dl         whatsmeow.DownloadableMessage
		name, kind string
		size       uint64
	)
	switch {
	case m.GetImageMessage() != nil:
		im := m.GetImageMessage()
		dl, name, kind, size = im, "photo.jpg", im.GetMimetype(), im.GetFileLength()
	case m.GetAudioMessage() != nil:
		am := m.GetAudioMessage()
		dl, name, kind, size = am, "voice.ogg", am.GetMimetype(), am.GetFileLength()
	case strings.HasPrefix(m.GetDocumentMessage().GetMimetype(), "image/"):
		dm := m.GetDocumentMessage()
		dl, name, kind, size = dm, dm.GetFileName(), dm.GetMimetype(), dm.GetFileLength()
	default:
		return nil
	}
	// "audio/ogg; codecs=opus" is an Ogg sound.
	if t, _, err := mime.ParseMediaType(kind); err == nil {
		kind = t
	}
	if !bot.WantsFile(ev, kind) {
		return nil
	}
	f := &bot.File{Name: name, MIMEType: kind}
	if size > bot.MaxInboundFile {
		w.log.Warn("member's file too large to fetch", "size", size)
		f.Refused = bot.TooManyBytes(int(min(size, 1<<40)))
		return f
	}
	ctx, cancel := context.WithTimeout(ctx, fetchWait)
	defer cancel()
	// Written as it arrives into memory that stops at the cap: the
	// encrypted file is the plain one, padded to 16 bytes, and a 10-byte
	// MAC.
	file := &capFile{max: bot.MaxInboundFile + 32}
	err := w.net.DownloadToFile(ctx, dl, file)
	switch {
	case errors.Is(err, errTooLarge) || err == nil && len(file.data) > bot.MaxInboundFile:
		w.log.Warn("member's file too large to keep", "claimed", size)
		f.Refused = bot.TooManyBytes(max(len(file.data), bot.MaxInboundFile+1))
	case err != nil:
		if ctx.Err() == nil {
			w.log.Warn("fetch member's file", "err", err)
		}
	default:
		f.Data = file.data
	}
	return f
}
