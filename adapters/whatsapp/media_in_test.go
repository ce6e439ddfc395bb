package whatsapp

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/phototest"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// TestInboundMedia: a member's photo (with a /case caption), voice note
// and picture sent as a document arrive as real waE2E messages pointing at
// files their phone encrypted; the adapter fetches each through
// whatsmeow's own Download (its decryption and hash checks), and hands on
// the plain bytes. A file tampered with on the server, or too large,
// comes without bytes; one larger than its message claims is refused at
// the cap, not read whole into memory first.
func TestInboundMedia(t *testing.T) {
	h := newHarness(t, Config{})
	ctx := context.Background()
	now := h.clock.Now()
	photo := phototest.Phone(t, 640, 360)
	voice := []byte("OggS\x00\x02 the baby is pink, crying well")

	img := h.net.memberUpload(t, photo, whatsmeow.MediaImage)
	aud := h.net.memberUpload(t, voice, whatsmeow.MediaAudio)
	doc := h.net.memberUpload(t, photo, whatsmeow.MediaDocument)
	bad := h.net.memberUpload(t, voice, whatsmeow.MediaAudio)
	h.net.cdn[bad.path][3] ^= 0xFF // changed on the server
	huge := h.net.memberUpload(t, bytes.Repeat([]byte("x"), 24<<20), whatsmeow.MediaAudio)

	imageMsg := func(s stored, caption string) *waE2E.Message {
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{URL: proto.String(s.url), DirectPath: proto.String(s.path),
			MediaKey: s.key, FileEncSHA256: s.encSHA256, FileSHA256: s.plainSHA256, FileLength: proto.Uint64(s.length),
			Mimetype: proto.String("image/jpeg"), Caption: proto.String(caption)}}
	}
	audioMsg := func(s stored, length uint64) *waE2E.Message {
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{URL: proto.String(s.url), DirectPath: proto.String(s.path),
			MediaKey: s.key, FileEncSHA256: s.encSHA256, FileSHA256: s.plainSHA256, FileLength: proto.Uint64(length),
			Mimetype: proto.String("audio/ogg; codecs=opus"), PTT: proto.Bool(true), Seconds: proto.Uint32(3)}}
	}
	tests := []struct {
		name      string
		direct    bool
		msg       *waE2E.Message
		text      string
		mime      string
		want      []byte
		wantBytes bool
	}{
		{"photo with a caption", false, imageMsg(img, "/case Woman of 30, rash on the forearm. What is it?"),
			"/case Woman of 30, rash on the forearm. What is it?", "image/jpeg", photo, true},
		{"voice note", false, audioMsg(aud, aud.length), "", "audio/ogg", voice, true},
		{"picture as a document, privately", true, &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{URL: proto.String(doc.url),
			DirectPath: proto.String(doc.path), MediaKey: doc.key, FileEncSHA256: doc.encSHA256, FileSHA256: doc.plainSHA256,
			FileLength: proto.Uint64(doc.length), Mimetype: proto.String("image/jpeg"), FileName: proto.String("IMG_2041.jpg")}},
			"", "image/jpeg", photo, true},
		{"tampered on the server", false, audioMsg(bad, bad.length), "", "audio/ogg", nil, false},
		{"too large", false, audioMsg(aud, 1<<30), "", "audio/ogg", nil, false},
		{"larger than it claims", false, audioMsg(huge, 640<<10), "", "audio/ogg", nil, false},
		// The group's own photo: neither a command's nor a reply.
		{"a group's own photo, not fetched", false, imageMsg(img, "Our new ward!"), "Our new ward!", "", nil, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ok := h.w.convert(ctx, incoming(0, tt.direct, "MEDIA"+string(rune('A'+i)), now, tt.msg))
			if ok && tt.mime == "" {
				if ev.File != nil || ev.Text != tt.text {
					t.Errorf("file %+v, text %q: want none fetched", ev.File, ev.Text)
				}
				return
			}
			if !ok || ev.File == nil {
				t.Fatalf("converted %v, file %+v", ok, ev.File)
			}
			if ev.Text != tt.text || ev.File.MIMEType != tt.mime {
				t.Errorf("text %q, type %q; want %q, %q", ev.Text, ev.File.MIMEType, tt.text, tt.mime)
			}
			if tt.wantBytes != (ev.File.Data != nil) || !bytes.Equal(ev.File.Data, tt.want) {
				t.Errorf("got %d bytes, want %d (fetched: %v)", len(ev.File.Data), len(tt.want), tt.wantBytes)
			}
			if tt.name == "larger than it claims" {
				if ev.File.Refused == nil {
					t.Error("a file larger than it claims was not refused as too large")
				}
				if served := h.net.served.Load(); served > bot.MaxInboundFile+1<<20 {
					t.Errorf("%d MB were read of a 24 MB file refused at %d MB", served>>20, bot.MaxInboundFile>>20)
				}
			}
		})
	}
}

// TestFullSizeByReply: a light group's preview offers "Full size" in its
// caption, numbered, as WhatsApp puts no buttons under a picture; a
// member's reply "1" to the picture chooses it, and other replies to it
// stay talk about the picture.
func TestFullSizeByReply(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	preview := &bot.File{Name: "rdt-preview.jpg", MIMEType: "image/jpeg", Data: phototest.Phone(t, 480, 360)}
	out := bot.Outbound{ChatID: group.String(), Key: "run:1:2:media", File: preview, Text: "A",
		Options: []bot.Option{{Label: "🔍 Full size", Data: "fs:0123456789abcdef"}}}
	id, err := h.w.Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	sent := h.net.messages()
	if got := sent[len(sent)-1].msg.GetImageMessage().GetCaption(); got != "A\n↩️ 1. 🔍 Full size" {
		t.Errorf("the preview's caption: %q", got)
	}
	h.w.cfg.Outbox.(*memOutbox).sent[id] = bot.OutboxItem{Outbound: out} // as the store keeps it
	reply := func(msgID, text string) bot.Event {
		t.Helper()
		ev, ok := h.w.convert(ctx, incoming(0, false, msgID, h.clock.Now(), &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String(text), ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(id), Participant: proto.String(h.acct.lid.String())}}}))
		if !ok {
			t.Fatalf("reply %q not converted", text)
		}
		return ev
	}
	if ev := reply("R1", " 1 "); ev.Kind != bot.OptionChosen || ev.Option != "fs:0123456789abcdef" {
		t.Errorf("reply 1: %s %q, want the Full size option", ev.Kind, ev.Option)
	}
	for i, text := range []string{"2", "the C line is faint here", "0"} {
		if ev := reply(fmt.Sprintf("R%d", i+2), text); ev.Kind != bot.Message || ev.Text != text {
			t.Errorf("reply %q: %s %q, want a message", text, ev.Kind, ev.Option)
		}
	}
}

// TestDocumentUploadedOnce: a lesson's WAV goes to WhatsApp as a
// document (not a sound WhatsApp plays as audio), uploaded once for two
// groups and sent again by its media key; another file is uploaded anew,
// and a member's own file each time, its key not kept.
func TestDocumentUploadedOnce(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	wav := &bot.File{Name: "pulse-120.wav", MIMEType: "audio/wav", Data: []byte("RIFF\x24\x00\x00\x00WAVEfmt a pulse")}
	for i, to := range []types.JID{group, pnGroup} {
		if _, err := h.w.Send(ctx, bot.Outbound{ChatID: to.String(), Key: fmt.Sprintf("wav-%d", i), File: wav, Text: "Listen."}); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.net.uploads) != 1 || h.net.uploads[0].media != whatsmeow.MediaDocument {
		t.Fatalf("uploads %+v; want the WAV once, as a document", h.net.uploads)
	}
	sent := h.net.messages()
	a, b := sent[0].msg.GetDocumentWithCaptionMessage().GetMessage().GetDocumentMessage(), sent[1].msg.GetDocumentWithCaptionMessage().GetMessage().GetDocumentMessage()
	if a == nil || b == nil || !bytes.Equal(a.GetMediaKey(), b.GetMediaKey()) || a.GetMimetype() != "audio/wav" || a.GetCaption() != "Listen." {
		t.Errorf("documents %v and %v: want one upload's media key twice", a, b)
	}
	other := &bot.File{Name: "mydata.json", MIMEType: "application/json", Data: []byte(`{"format":"huddle-mydata/1"}`)}
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Key: "doc-2", File: other}); err != nil {
		t.Fatal(err)
	}
	if len(h.net.uploads) != 2 {
		t.Errorf("%d uploads after another file; want 2", len(h.net.uploads))
	}
	// A member's /mydata file (transient) is uploaded each time and its
	// key not kept.
	mine := &bot.File{Name: "huddle-mydata.json", MIMEType: "application/json", Data: []byte(`{"name":"Amina"}`)}
	for i := range 2 {
		if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Key: fmt.Sprint("mine-", i), File: mine, Transient: true}); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.net.uploads) != 4 || len(h.w.pictures) != 2 {
		t.Errorf("%d uploads and %d kept after a transient file twice; want 4 and 2", len(h.net.uploads), len(h.w.pictures))
	}
}
