package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/mediatest"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// TestSendBuildsExactProtobufs sends each kind of outbound message and
// compares the protobuf handed to WhatsApp with the one expected.
func TestSendBuildsExactProtobufs(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	amina := nurses[0]
	options := []bot.Option{{Label: "1. Oxytocin 10 IU", Data: "q7.3.1"}, {Label: "2. Ergometrine", Data: "q7.3.2"}}
	question := "❓ First drug for PPH?\n1. Oxytocin 10 IU\n2. Ergometrine\n\nChoose one: reply with its number or press it."
	tests := []struct {
		name string
		cfg  func(*Config)
		out  bot.Outbound
		want func(w *WhatsApp, key string) *waE2E.Message
	}{
		{
			name: "plain text",
			out:  bot.Outbound{ChatID: group.String(), Text: "Three quick questions on triage.", Key: "k1"},
			want: func(*WhatsApp, string) *waE2E.Message {
				return &waE2E.Message{Conversation: proto.String("Three quick questions on triage.")}
			},
		},
		{
			name: "reply quoting a member's message",
			out:  bot.Outbound{ChatID: group.String(), Text: "✅ Amina: correct!", ReplyTo: "M1/" + amina.lid.String(), Key: "k2"},
			want: func(*WhatsApp, string) *waE2E.Message {
				return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
					Text: proto.String("✅ Amina: correct!"),
					ContextInfo: &waE2E.ContextInfo{
						StanzaID: proto.String("M1"), Participant: proto.String(amina.lid.String()),
						QuotedMessage: &waE2E.Message{Conversation: proto.String("")},
					},
				}}
			},
		},
		{
			// The group is LID-addressed, so the poll went out under the
			// bot's LID: the quote must name that (it named the phone
			// number before, and phones did not match it to the poll).
			name: "reply quoting the bot's own poll",
			out:  bot.Outbound{ChatID: group.String(), Text: "❌ Brigitte: not quite.", ReplyTo: "3EB0POLL", Key: "k3"},
			want: func(*WhatsApp, string) *waE2E.Message {
				return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
					Text: proto.String("❌ Brigitte: not quite."),
					ContextInfo: &waE2E.ContextInfo{
						StanzaID: proto.String("3EB0POLL"), Participant: proto.String(botLID.String()),
						QuotedMessage: &waE2E.Message{Conversation: proto.String("")},
					},
				}}
			},
		},
		{
			name: "reply quoting the bot's own message in a phone-number group",
			out:  bot.Outbound{ChatID: pnGroup.String(), Text: "✅ Amina: correct!", ReplyTo: "3EB0TEXT", Key: "k3b"},
			want: func(*WhatsApp, string) *waE2E.Message {
				return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
					Text: proto.String("✅ Amina: correct!"),
					ContextInfo: &waE2E.ContextInfo{
						StanzaID: proto.String("3EB0TEXT"), Participant: proto.String(botPN.String()),
						QuotedMessage: &waE2E.Message{Conversation: proto.String("")},
					},
				}}
			},
		},
		{
			name: "mention",
			out:  bot.Outbound{ChatID: group.String(), Text: "your turn to share a case", Mentions: []string{amina.lid.String()}, Key: "k4"},
			want: func(*WhatsApp, string) *waE2E.Message {
				return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
					Text:        proto.String("@81000000000001 your turn to share a case"),
					ContextInfo: &waE2E.ContextInfo{MentionedJID: []string{amina.lid.String()}},
				}}
			},
		},
		{
			name: "reaction to a member's message",
			out:  bot.Outbound{ChatID: group.String(), React: "👍", ReplyTo: "M1/" + amina.lid.String(), Key: "k5"},
			want: func(w *WhatsApp, _ string) *waE2E.Message {
				return &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
					Key: &waCommon.MessageKey{RemoteJID: proto.String(group.String()), FromMe: proto.Bool(false),
						ID: proto.String("M1"), Participant: proto.String(amina.lid.String())},
					Text:              proto.String("👍"),
					SenderTimestampMS: proto.Int64(w.cfg.Clock.Now().UnixMilli()),
				}}
			},
		},
		{
			// The bot administers the group: a member's photo is deleted
			// for everyone, as an admin does.
			name: "taking down a member's message",
			out:  bot.Outbound{ChatID: group.String(), Delete: "M1/" + amina.lid.String(), Text: "Amina, please delete it.", Key: "k6"},
			want: func(*WhatsApp, string) *waE2E.Message {
				return &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
					Type: waE2E.ProtocolMessage_REVOKE.Enum(),
					Key: &waCommon.MessageKey{RemoteJID: proto.String(group.String()), FromMe: proto.Bool(false),
						ID: proto.String("M1"), Participant: proto.String(amina.lid.String())},
				}}
			},
		},
		{
			// In the older group the bot is no admin: it asks instead.
			name: "asking a member to delete a message where the bot is no admin",
			out:  bot.Outbound{ChatID: pnGroup.String(), Delete: "M2/" + amina.pn.String(), Text: "Amina, please delete it.", Key: "k7"},
			want: func(*WhatsApp, string) *waE2E.Message {
				return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
					Text: proto.String("Amina, please delete it."),
					ContextInfo: &waE2E.ContextInfo{
						StanzaID: proto.String("M2"), Participant: proto.String(amina.pn.String()),
						QuotedMessage: &waE2E.Message{Conversation: proto.String("")},
					},
				}}
			},
		},
		{
			name: "single-choice quiz as a poll",
			out:  bot.Outbound{ChatID: group.String(), Text: question, Options: options, Key: "run:7:3:q"},
			want: func(w *WhatsApp, key string) *waE2E.Message {
				return &waE2E.Message{
					PollCreationMessage: &waE2E.PollCreationMessage{
						Name: proto.String("❓ First drug for PPH?\n\nChoose one: reply with its number or press it."),
						Options: []*waE2E.PollCreationMessage_Option{
							{OptionName: proto.String("1. Oxytocin 10 IU")}, {OptionName: proto.String("2. Ergometrine")},
						},
						SelectableOptionsCount: proto.Uint32(1),
					},
					MessageContextInfo: &waE2E.MessageContextInfo{MessageSecret: w.derive("poll", key)},
				}
			},
		},
		{
			name: "multi-select quiz as a poll allowing several answers",
			out: bot.Outbound{ChatID: group.String(), Text: "❓ Pick the even numbers.\n1. 1\n2. 2", Multi: true, Key: "run:7:4:q",
				Options: []bot.Option{{Label: "1. 1", Data: "q7.4.1"}, {Label: "2. 2", Data: "q7.4.2"}, {Label: "✔ Done", Data: "q7.4.s"}}},
			want: func(w *WhatsApp, key string) *waE2E.Message {
				return &waE2E.Message{
					PollCreationMessage: &waE2E.PollCreationMessage{
						Name: proto.String("❓ Pick the even numbers."),
						Options: []*waE2E.PollCreationMessage_Option{
							{OptionName: proto.String("1. 1")}, {OptionName: proto.String("2. 2")}, {OptionName: proto.String("✔ Done")},
						},
						SelectableOptionsCount: proto.Uint32(0),
					},
					MessageContextInfo: &waE2E.MessageContextInfo{MessageSecret: w.derive("poll", key)},
				}
			},
		},
		{
			name: "document with a caption, uploaded first",
			out: bot.Outbound{ChatID: group.String(), Text: "All of it in full.", Key: "doc1",
				File: &bot.File{Name: "huddle-mydata-2026-11-23.json", MIMEType: "application/json", Data: []byte(`{"format":"huddle-mydata/1"}`)}},
			want: func(w *WhatsApp, _ string) *waE2E.Message {
				return &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
					DocumentMessage: document(w, h.net, "huddle-mydata-2026-11-23.json", "application/json", "All of it in full."),
				}}}
			},
		},
		{
			name: "document without a caption",
			out: bot.Outbound{ChatID: group.String(), Key: "doc2",
				File: &bot.File{Name: "notes.txt", MIMEType: "text/plain", Data: []byte("wash hands")}},
			want: func(w *WhatsApp, _ string) *waE2E.Message {
				return &waE2E.Message{DocumentMessage: document(w, h.net, "notes.txt", "text/plain", "")}
			},
		},
		{
			name: "numbered options: the text alone, answered by number, letter or text",
			cfg:  func(c *Config) { c.Options = OptionsNumbered },
			out:  bot.Outbound{ChatID: group.String(), Text: question, Options: options, Key: "run:7:3:q"},
			want: func(*WhatsApp, string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(question)} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.w
			if tt.cfg != nil {
				w.cfg.Options = OptionsPoll
				tt.cfg(&w.cfg)
				defer func() { w.cfg.Options = OptionsPoll }()
			}
			before := len(h.net.messages())
			id, err := w.Send(context.Background(), tt.out)
			if err != nil {
				t.Fatal(err)
			}
			got := h.net.messages()[before:]
			if len(got) != 1 {
				t.Fatalf("%d messages sent; want 1", len(got))
			}
			want := tt.want(w, tt.out.Key)
			if diff := cmp.Diff(want, got[0].msg, protocmp.Transform()); diff != "" {
				t.Errorf("protobuf differs (-want +got):\n%s", diff)
			}
			if got[0].id != id || got[0].id != w.msgID(tt.out.Key) || !strings.HasPrefix(id, "3EB0") || len(id) != 22 {
				t.Errorf("id %q (sent as %q); want the key's derived id %q", id, got[0].id, w.msgID(tt.out.Key))
			}
			chat, _ := parseChat(tt.out.ChatID)
			if got[0].to != chat {
				t.Errorf("sent to %s; want %s", got[0].to, chat)
			}
			// A retry request after a restart gets the very same message.
			w.cfg.Outbox.(*memOutbox).sent[id] = bot.OutboxItem{Outbound: tt.out}
			if again := w.messageForRetry(amina.lid, chat, id); !proto.Equal(again, got[0].msg) {
				t.Errorf("retry request served %v; want the message sent", again)
			}
		})
	}
}

// TestTakeDownRefused: WhatsApp refuses to delete a member's message
// (the bot was made no admin, and the cache did not know yet): the send is
// retried, with the group's admins fetched again, and then asks the
// member to delete it.
func TestTakeDownRefused(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	amina := nurses[0]
	out := bot.Outbound{ChatID: group.String(), Delete: "M1/" + amina.lid.String(), Text: "Amina, please delete it.", Key: "td"}
	h.w.group(ctx, group) // cached while the bot is an admin
	demoted := nurseGroup(theBot)
	demoted.Participants[0].IsAdmin = false
	h.net.mu.Lock()
	h.net.groups[group] = demoted
	h.net.fail = fmt.Errorf("%w 403", whatsmeow.ErrServerReturnedError)
	h.net.mu.Unlock()
	_, err := h.w.Send(ctx, out)
	var retry *bot.RetryError
	if !errors.As(err, &retry) {
		t.Fatalf("a refused deletion: %v, want it retried", err)
	}
	h.net.mu.Lock()
	h.net.fail = nil
	h.net.mu.Unlock()
	if _, err := h.w.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	sent := h.net.messages()
	last := sent[len(sent)-1].msg
	if last.GetExtendedTextMessage().GetText() != "Amina, please delete it." || last.GetExtendedTextMessage().GetContextInfo().GetStanzaID() != "M1" {
		t.Errorf("after the refusal the bot sent %v, want its request replying to her message", last)
	}
}

// TestTakeDownSaysWhy: a flagged case (Removed set) is revoked where the
// bot is an admin and the group then told, in its place, with a second
// message whose id derives from the row's key; where the bot is no admin
// the member is asked without a quote of the case.
func TestTakeDownSaysWhy(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	amina := nurses[0]
	before := len(h.net.messages())
	out := bot.Outbound{ChatID: group.String(), Delete: "M1/" + amina.lid.String(), Text: "Amina, please delete your last message.",
		Removed: "A message was removed for privacy.", Key: "flag1"}
	if _, err := h.w.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	sent := h.net.messages()[before:]
	if len(sent) != 2 || sent[0].msg.GetProtocolMessage().GetType() != waE2E.ProtocolMessage_REVOKE ||
		sent[1].msg.GetConversation() != "A message was removed for privacy." || sent[1].id != h.w.msgID("flag1\x00removed") {
		t.Fatalf("where the bot is admin it sent %+v; want the revoke, then the word in its place", sent)
	}
	before = len(h.net.messages())
	out = bot.Outbound{ChatID: pnGroup.String(), Delete: "M2/" + amina.pn.String(), Text: "Amina, please delete your last message.",
		Removed: "A message was removed for privacy.", Key: "flag2"}
	if _, err := h.w.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	sent = h.net.messages()[before:]
	m := sent[len(sent)-1].msg
	text := m.GetConversation() + m.GetExtendedTextMessage().GetText()
	if len(sent) != 1 || text != "Amina, please delete your last message." || m.GetExtendedTextMessage().GetContextInfo().GetStanzaID() != "" {
		t.Errorf("where the bot is no admin it sent %v; want the request, quoting nothing", sent)
	}
}

// document is the DocumentMessage expected for the last file uploaded:
// every field of whatsmeow's UploadResponse copied, with the file's name,
// type and caption.
func document(w *WhatsApp, net *fakeNet, name, mimeType, caption string) *waE2E.DocumentMessage {
	up := net.uploads[len(net.uploads)-1].resp
	doc := &waE2E.DocumentMessage{
		URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
		MediaKeyTimestamp: proto.Int64(w.cfg.Clock.Now().Unix()),
		FileEncSHA256:     up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		Mimetype: proto.String(mimeType), FileName: proto.String(name), Title: proto.String(name),
	}
	if caption != "" {
		doc.Caption = proto.String(caption)
	}
	return doc
}

// TestSendDocument: a file is uploaded as a document (its bytes, once),
// and the message that carries it survives the wire; an upload while
// disconnected waits.
func TestSendDocument(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	data := []byte(`{"format":"huddle-mydata/1","profile":{"name":"Amina"}}`)
	out := bot.Outbound{ChatID: group.String(), Text: "Your data", Key: "mydata",
		File: &bot.File{Name: "huddle-mydata.json", MIMEType: "application/json", Data: data}}
	if _, err := h.w.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	if len(h.net.uploads) != 1 || !bytes.Equal(h.net.uploads[0].plaintext, data) || h.net.uploads[0].media != whatsmeow.MediaDocument {
		t.Fatalf("uploads %+v; want the file's bytes once, as a document", h.net.uploads)
	}
	sent := h.net.messages()
	wire, err := proto.Marshal(sent[0].msg)
	if err != nil {
		t.Fatal(err)
	}
	var back waE2E.Message
	if err := proto.Unmarshal(wire, &back); err != nil {
		t.Fatal(err)
	}
	doc := back.GetDocumentWithCaptionMessage().GetMessage().GetDocumentMessage()
	if doc.GetFileName() != "huddle-mydata.json" || doc.GetMimetype() != "application/json" || doc.GetCaption() != "Your data" ||
		doc.GetFileLength() != uint64(len(data)) || len(doc.GetMediaKey()) != 32 || doc.GetDirectPath() == "" {
		t.Errorf("document after the wire: %v", doc)
	}

	h.net.fail = whatsmeow.ErrNotConnected
	var retry *bot.RetryError
	out.Key = "mydata-2"
	if _, err := h.w.Send(ctx, out); !errors.As(err, &retry) {
		t.Errorf("upload while disconnected: %v; want a RetryError", err)
	}
}

// TestSendRules checks what is refused or made to wait.
func TestSendRules(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	ctx := context.Background()
	brigitte := nurses[1]
	out := bot.Outbound{ChatID: brigitte.lid.String(), Text: "Your case was answered.", Key: "dm1"}

	var retry *bot.RetryError
	if _, err := h.w.Send(ctx, out); !errors.As(err, &retry) {
		t.Fatalf("send before connecting: %v; want a RetryError", err)
	}
	h.connect()

	var perm *bot.PermanentError
	if _, err := h.w.Send(ctx, out); !errors.As(err, &perm) || !strings.Contains(err.Error(), "never write first") {
		t.Fatalf("private message to someone who never wrote: %v; want a PermanentError", err)
	}
	// Once she has written (her chat is known, by phone number here), the
	// bot may answer, at her LID.
	h.w.cfg.Outbox.(*memOutbox).known[brigitte.pn.String()] = true
	if _, err := h.w.Send(ctx, out); err != nil {
		t.Fatalf("private message after she wrote: %v", err)
	}
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: "not a number", Text: "x", Key: "bad"}); !errors.As(err, &perm) {
		t.Fatalf("unparseable chat: %v; want a PermanentError", err)
	}
	// A bare phone number is a private chat too.
	if to, err := parseChat("+254700000001"); err != nil || to != nurses[0].pn {
		t.Fatalf("parseChat(+254700000001) = %v, %v", to, err)
	}
}

// TestTypingBeforeLongMessages checks the typing indicator and its pause.
func TestTypingBeforeLongMessages(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, TypingFrom: 50})
	h.connect()
	ctx := context.Background()
	start := h.clock.Now()
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "short", Key: "s"}); err != nil {
		t.Fatal(err)
	}
	if len(h.net.typing) != 0 || h.clock.Now() != start {
		t.Fatalf("short message: typing %v, waited %s", h.net.typing, h.clock.Now().Sub(start))
	}
	long := strings.Repeat("Wash hands before touching a patient. ", 4)
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: long, Key: "l"}); err != nil {
		t.Fatal(err)
	}
	if len(h.net.typing) != 1 || h.net.typing[0] != group {
		t.Fatalf("long message: typing shown in %v; want once in the group", h.net.typing)
	}
	// The wait is the typing time plus the overall gap (60µs at 10⁶ a minute).
	if waited, typing := h.clock.Now().Sub(start), typingTime(len([]rune(long))); waited < typing || waited > typing+time.Millisecond {
		t.Fatalf("long message: waited %s; want the typing time %s", waited, typing)
	}
}

// TestDisappearingTimer: in a group with disappearing messages on, what
// the bot sends carries the group's timer, as WhatsApp's own clients'
// messages do (before, the bot's messages stayed while the rest vanished).
func TestDisappearingTimer(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	g := nurseGroup(theBot)
	g.IsEphemeral, g.DisappearingTimer = true, 7*24*3600
	h.net.mu.Lock()
	h.net.groups[group] = g
	h.net.mu.Unlock()
	ctx := context.Background()
	for _, m := range []bot.Outbound{
		{ChatID: group.String(), Text: "A short message.", Key: "t1"},
		{ChatID: group.String(), Text: "First drug?", Options: []bot.Option{{Label: "1. Oxytocin", Data: "a"}, {Label: "2. Ergometrine", Data: "b"}}, Key: "t2"},
	} {
		if _, err := h.w.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range h.net.messages() {
		exp := s.msg.GetExtendedTextMessage().GetContextInfo().GetExpiration() + s.msg.GetPollCreationMessage().GetContextInfo().GetExpiration()
		if exp != 7*24*3600 {
			t.Errorf("%v carries expiration %d; want the group's 604800", s.msg, exp)
		}
	}
	// The timer turned off: messages no longer carry it.
	h.w.onEvent(&events.GroupInfo{JID: group, Ephemeral: &types.GroupEphemeral{IsEphemeral: false}})
	h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "After.", Key: "t3"})
	last := h.net.messages()[2].msg
	if last.GetConversation() != "After." {
		t.Errorf("after the timer was turned off the bot sent %v", last)
	}
}

// TestSendImage: a picture goes as an image message (real waE2E values,
// through the wire) with a small JPEG thumbnail (72 pixels on its long
// side, shown while the picture downloads on slow data), uploaded once as
// an image and then sent to the next chat by the same media key; a week
// on, it is uploaded again.
func TestSendImage(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 640, 480)), nil); err != nil {
		t.Fatal(err)
	}
	file := &bot.File{Name: "rdt.jpg", MIMEType: "image/jpeg", Data: buf.Bytes()}
	for i, to := range []types.JID{group, pnGroup} {
		out := bot.Outbound{ChatID: to.String(), Key: fmt.Sprintf("pic-%d", i), File: file, Text: "Positive or negative?"}
		if _, err := h.w.Send(ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.net.uploads) != 1 || h.net.uploads[0].media != whatsmeow.MediaImage {
		t.Fatalf("uploads %+v; want the picture once, as an image", h.net.uploads)
	}
	up := h.net.uploads[0].resp
	sent := h.net.messages()
	if len(sent) != 2 {
		t.Fatalf("%d messages sent", len(sent))
	}
	for _, s := range sent {
		wire, err := proto.Marshal(s.msg)
		if err != nil {
			t.Fatal(err)
		}
		var back waE2E.Message
		if err := proto.Unmarshal(wire, &back); err != nil {
			t.Fatal(err)
		}
		img := back.GetImageMessage()
		if !bytes.Equal(img.GetMediaKey(), up.MediaKey) || img.GetDirectPath() != up.DirectPath || img.GetURL() != up.URL ||
			!bytes.Equal(img.GetFileSHA256(), up.FileSHA256) || img.GetFileLength() != uint64(len(file.Data)) ||
			img.GetMimetype() != "image/jpeg" || img.GetCaption() != "Positive or negative?" || img.GetWidth() != 640 || img.GetHeight() != 480 {
			t.Errorf("image message after the wire: %v", img)
		}
		thumb, err := jpeg.DecodeConfig(bytes.NewReader(img.GetJPEGThumbnail()))
		if err != nil || thumb.Width != 72 || thumb.Height != 54 || len(img.GetJPEGThumbnail()) > 6<<10 {
			t.Errorf("the thumbnail: %v %+v, %d bytes; want a JPEG 72 by 54 of a few KB", err, thumb, len(img.GetJPEGThumbnail()))
		}
	}
	h.clock.Advance(8 * 24 * time.Hour)
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Key: "pic-late", File: file}); err != nil {
		t.Fatal(err)
	}
	if len(h.net.uploads) != 2 {
		t.Errorf("%d uploads a week on; want it uploaded again", len(h.net.uploads))
	}
}

// TestSendSoundAndVideo: an Ogg Opus sound goes as a voice note that
// iPhones play as one (an audio message marked PTT, with the media type's
// codec, its length in seconds and a 64-value waveform), and an MP4 as a
// video message with its caption, size and length (from its headers),
// each uploaded once, as its kind, and sent again by its media key.
func TestSendSoundAndVideo(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	voice := &bot.File{Name: "talk.ogg", MIMEType: "audio/ogg", Data: mediatest.Opus(4.4, func(at float64) int { return 20 + int(60*at) })}
	var poster bytes.Buffer
	if err := jpeg.Encode(&poster, image.NewRGBA(image.Rect(0, 0, 1280, 720)), nil); err != nil {
		t.Fatal(err)
	}
	video := &bot.File{Name: "demo.mp4", MIMEType: "video/mp4", Data: mediatest.MP4(640, 360, 93.5), Poster: poster.Bytes()}
	for i, f := range []*bot.File{voice, voice, video} {
		if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Key: fmt.Sprintf("m-%d", i), File: f, Text: "Listen and watch"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.net.uploads) != 2 || h.net.uploads[0].media != whatsmeow.MediaAudio || h.net.uploads[1].media != whatsmeow.MediaVideo {
		t.Fatalf("uploads %+v; want the sound and the video once each", h.net.uploads)
	}
	sent := h.net.messages()
	back := func(i int) *waE2E.Message {
		wire, err := proto.Marshal(sent[i].msg)
		if err != nil {
			t.Fatal(err)
		}
		var m waE2E.Message
		if err := proto.Unmarshal(wire, &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	for i := range 2 {
		a := back(i).GetAudioMessage()
		if !a.GetPTT() || a.GetMimetype() != "audio/ogg; codecs=opus" || !bytes.Equal(a.GetMediaKey(), h.net.uploads[0].resp.MediaKey) ||
			a.GetSeconds() != 4 || len(a.GetWaveform()) != 64 || a.GetWaveform()[63] != 100 || a.GetWaveform()[0] >= a.GetWaveform()[63] {
			t.Errorf("voice note %d after the wire: %v", i, a)
		}
	}
	v := back(2).GetVideoMessage()
	if v.GetMimetype() != "video/mp4" || v.GetCaption() != "Listen and watch" || v.GetDirectPath() != h.net.uploads[1].resp.DirectPath ||
		v.GetWidth() != 640 || v.GetHeight() != 360 || v.GetSeconds() != 94 {
		t.Errorf("video after the wire: %v", v)
	}
	if thumb, err := jpeg.DecodeConfig(bytes.NewReader(v.GetJPEGThumbnail())); err != nil || thumb.Width != 72 || thumb.Height != 40 {
		t.Errorf("the video's thumbnail: %+v, %v; want its poster, 72 pixels wide", thumb, err)
	}
	// Without a poster, a still of its shape stands in.
	plain := &bot.File{Name: "plain.mp4", MIMEType: "video/mp4", Data: mediatest.MP4(360, 640, 20)}
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Key: "m-plain", File: plain}); err != nil {
		t.Fatal(err)
	}
	sent = h.net.messages()
	p := back(len(sent) - 1).GetVideoMessage()
	if thumb, err := jpeg.DecodeConfig(bytes.NewReader(p.GetJPEGThumbnail())); err != nil || thumb.Width != 40 || thumb.Height != 72 {
		t.Errorf("a video without a poster: thumbnail %+v, %v; want a still of its upright shape, 40 by 72", thumb, err)
	}
}
