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
	"go.mau.fi/whatsmeow/proto/waMmsRetry"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// fetchWait bounds the download of one member's file, asking the
// sender's phone to upload it again included.
const fetchWait = time.Minute

// mediaOf returns the file a member's message carries that Huddle may
// fetch (a photo, a voice note or sound, a picture sent as a document,
// which keeps its EXIF metadata), its name, media type and claimed size;
// nil when it carries none.
func mediaOf(m *waE2E.Message) (dl whatsmeow.DownloadableMessage, name, kind string, size uint64) {
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
		return nil, "", "", 0
	}
	// "audio/ogg; codecs=opus" is an Ogg sound.
	if t, _, err := mime.ParseMediaType(kind); err == nil {
		kind = t
	}
	return dl, name, kind, size
}

// fileOf returns the file of a member's message that Huddle would act on
// (bot.WantsFile), without its bytes, which fetch adds; nil when there is
// none. One larger than bot.MaxInboundFile comes refused, not to be
// fetched.
func (w *WhatsApp) fileOf(m *waE2E.Message, ev bot.Event) *bot.File {
	dl, name, kind, size := mediaOf(m)
	if dl == nil || !bot.WantsFile(ev, kind) {
		return nil
	}
	f := &bot.File{Name: name, MIMEType: kind}
	if size > bot.MaxInboundFile {
		w.log.Warn("member's file too large to fetch", "size", size)
		f.Refused = bot.TooManyBytes(int(min(size, 1<<40)))
	}
	return f
}

// toFetch reports whether ev carries a file still to be fetched.
func toFetch(ev bot.Event) bool {
	return ev.File != nil && ev.File.Refused == nil && ev.File.Data == nil
}

// fetch downloads and decrypts the file of message m (from info) into f.
// A file WhatsApp's media server no longer holds (404 or 410) is asked of
// the sender's phone again. One that cannot be fetched stays without its
// data, so that Huddle asks for it again; one larger than
// bot.MaxInboundFile is refused.
func (w *WhatsApp) fetch(ctx context.Context, f *bot.File, m *waE2E.Message, info types.MessageInfo) {
	ctx, cancel := context.WithTimeout(ctx, fetchWait)
	defer cancel()
	dl, _, _, size := mediaOf(m)
	data, err := w.download(ctx, dl)
	if errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404) || errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410) {
		if again := w.uploadedAgain(ctx, m, info, dl); again != nil {
			data, err = w.download(ctx, again)
		}
	}
	switch {
	case errors.Is(err, errTooLarge):
		w.log.Warn("member's file too large to keep", "claimed", size)
		f.Refused = bot.TooManyBytes(max(len(data), bot.MaxInboundFile+1))
	case err != nil:
		if ctx.Err() == nil {
			w.log.Warn("fetch member's file", "err", err)
		}
	default:
		f.Data = data
	}
}

// download fetches dl into memory that stops at the cap: the encrypted
// file is the plain one, padded to 16 bytes, and a 10-byte MAC.
func (w *WhatsApp) download(ctx context.Context, dl whatsmeow.DownloadableMessage) ([]byte, error) {
	file := &capFile{max: bot.MaxInboundFile + 32}
	err := w.net.DownloadToFile(ctx, dl, file)
	if err == nil && len(file.data) > bot.MaxInboundFile {
		err = errTooLarge
	}
	return file.data, err
}

// uploadedAgain asks the sender's phone to upload the file of m again
// (whatsmeow's SendMediaRetryReceipt, as mautrix-whatsapp does in
// pkg/msgconv/wa-media.go when a download answers 404 or 410: WhatsApp's
// media servers keep files for weeks at most) and waits for its answer;
// it returns the file at its new place, or nil.
func (w *WhatsApp) uploadedAgain(ctx context.Context, m *waE2E.Message, info types.MessageInfo, dl whatsmeow.DownloadableMessage) whatsmeow.DownloadableMessage {
	answer := make(chan *events.MediaRetry, 1)
	w.mu.Lock()
	if w.reuploads == nil {
		w.reuploads = map[types.MessageID]chan *events.MediaRetry{}
	}
	w.reuploads[info.ID] = answer
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.reuploads, info.ID)
		w.mu.Unlock()
	}()
	if err := w.net.SendMediaRetryReceipt(ctx, &info, dl.GetMediaKey()); err != nil {
		w.log.Warn("ask the sender's phone for a file again", "err", err)
		return nil
	}
	var evt *events.MediaRetry
	select {
	case evt = <-answer:
	case <-ctx.Done():
		w.log.Warn("the sender's phone did not upload a file again in time")
		return nil
	}
	notif, err := whatsmeow.DecryptMediaRetryNotification(evt, dl.GetMediaKey())
	if err != nil || notif.GetResult() != waMmsRetry.MediaRetryNotification_SUCCESS || notif.GetDirectPath() == "" {
		w.log.Warn("the sender's phone could not upload a file again", "err", err, "result", notif.GetResult().String())
		return nil
	}
	// At its new place: whatsmeow downloads from the URL when there is
	// one, and the old URL is the one that failed.
	again := proto.Clone(m).(*waE2E.Message)
	path := proto.String(notif.GetDirectPath())
	switch {
	case again.GetImageMessage() != nil:
		again.ImageMessage.DirectPath, again.ImageMessage.URL = path, nil
	case again.GetAudioMessage() != nil:
		again.AudioMessage.DirectPath, again.AudioMessage.URL = path, nil
	case again.GetDocumentMessage() != nil:
		again.DocumentMessage.DirectPath, again.DocumentMessage.URL = path, nil
	}
	moved, _, _, _ := mediaOf(again)
	return moved
}

// reuploaded passes the phone's answer to a request for a file again to
// the fetch that waits for it.
func (w *WhatsApp) reuploaded(evt *events.MediaRetry) {
	w.mu.Lock()
	answer := w.reuploads[evt.MessageID]
	w.mu.Unlock()
	if answer != nil {
		select {
		case answer <- evt:
		default:
		}
	}
}
