package whatsapp

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// TestConvert feeds real whatsmeow message events, with the protobufs
// WhatsApp sends for each kind, and checks the bot.Event that comes out.
func TestConvert(t *testing.T) {
	h := newHarness(t, Config{})
	now := h.clock.Now()
	amina, brigitte := nurses[0], nurses[1]
	// base is what every group message from Amina carries.
	base := func(id string) bot.Event {
		return bot.Event{
			ID: bot.EventID(Name, group.String(), amina.lid.String(), id), Kind: bot.Message, Channel: Name,
			ChatID: group.String(), ChatType: bot.Group, ChatTitle: "Ward 3 nurses",
			SenderID: amina.lid.String(), SenderAlias: amina.pn.String(), SenderName: "Amina",
			SenderAdmin: true, BotAdmin: true, ChatSize: 3, // three nurses and the bot
			MessageID: id + "/" + amina.lid.String(), Time: now,
		}
	}
	with := func(ev bot.Event, f func(*bot.Event)) bot.Event { f(&ev); return ev }
	tests := []struct {
		name string
		evt  *events.Message
		want *bot.Event // nil: ignored
	}{
		{
			name: "conversation",
			evt:  incoming(0, false, "M1", now, &waE2E.Message{Conversation: proto.String("/lesson hand-hygiene")}),
			want: ptr(with(base("M1"), func(e *bot.Event) { e.Text = "/lesson hand-hygiene" })),
		},
		{
			name: "extended text quoting a member and mentioning another",
			evt: incoming(0, false, "M2", now, &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
				Text: proto.String("@81000000000002 what do you think?"),
				ContextInfo: &waE2E.ContextInfo{
					StanzaID:      proto.String("Q1"),
					Participant:   proto.String(brigitte.lid.String()),
					QuotedMessage: &waE2E.Message{Conversation: proto.String("I saw a case like this")},
					MentionedJID:  []string{brigitte.lid.String()},
				},
			}}),
			want: ptr(with(base("M2"), func(e *bot.Event) {
				e.Text = "@81000000000002 what do you think?"
				e.ReplyTo = "Q1/" + brigitte.lid.String()
				e.ReplyToSender = brigitte.lid.String()
				e.Mentions = []string{brigitte.lid.String()}
			})),
		},
		{
			name: "reply to the bot's own message by its phone number",
			evt: incoming(0, false, "M3", now, &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
				Text:        proto.String("2"),
				ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("3EB0AAAA"), Participant: proto.String(botPN.String())},
			}}),
			want: ptr(with(base("M3"), func(e *bot.Event) { e.Text, e.ReplyTo = "2", "3EB0AAAA" })),
		},
		{
			// A photo in a group, neither a command's nor a reply: the
			// members' own, not fetched.
			name: "image caption",
			evt: incoming(0, false, "M4", now, &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("RDT result, 2 lines"),
				Mimetype: proto.String("image/jpeg")}}),
			want: ptr(with(base("M4"), func(e *bot.Event) { e.Text = "RDT result, 2 lines" })),
		},
		{
			name: "video caption in a disappearing-messages chat",
			evt: incoming(0, false, "M5", now, &waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{
				Message: &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: proto.String("hand rub, 20 seconds")}}}}),
			want: ptr(with(base("M5"), func(e *bot.Event) { e.Text = "hand rub, 20 seconds" })),
		},
		{
			name: "document with caption",
			evt: incoming(0, false, "M6", now, &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{
				Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String("ward protocol")}}}}),
			want: ptr(with(base("M6"), func(e *bot.Event) { e.Text = "ward protocol" })),
		},
		{
			name: "voice note: no text, still taking part",
			evt: incoming(0, false, "M7", now, &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true),
				Mimetype: proto.String("audio/ogg; codecs=opus")}}),
			want: ptr(with(base("M7"), func(e *bot.Event) { e.File = &bot.File{Name: "voice.ogg", MIMEType: "audio/ogg"} })),
		},
		{
			name: "reaction",
			evt: incoming(0, false, "M8", now, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
				Key:  &waCommon.MessageKey{RemoteJID: proto.String(group.String()), ID: proto.String("3EB0BBBB"), FromMe: proto.Bool(false)},
				Text: proto.String("👍"),
			}}),
			want: ptr(with(base("M8"), func(e *bot.Event) { e.Kind, e.Text, e.Target = bot.Reaction, "👍", "3EB0BBBB" })),
		},
		{
			name: "reaction to a member's message: the target names its author",
			evt: incoming(0, false, "M8b", now, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
				Key:  &waCommon.MessageKey{RemoteJID: proto.String(group.String()), ID: proto.String("B7"), Participant: proto.String(brigitte.lid.String())},
				Text: proto.String("🙏"),
			}}),
			want: ptr(with(base("M8b"), func(e *bot.Event) { e.Kind, e.Text, e.Target = bot.Reaction, "🙏", "B7/"+brigitte.lid.String() })),
		},
		{
			name: "reaction to the bot's message, its author given: the bare id",
			evt: incoming(0, false, "M8c", now, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
				Key:  &waCommon.MessageKey{RemoteJID: proto.String(group.String()), ID: proto.String("3EB0CCCC"), Participant: proto.String(botLID.String())},
				Text: proto.String("👍"),
			}}),
			want: ptr(with(base("M8c"), func(e *bot.Event) { e.Kind, e.Text, e.Target = bot.Reaction, "👍", "3EB0CCCC" })),
		},
		{
			name: "an admin deletes another member's message",
			evt: incoming(0, false, "M10b", now, &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
				Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("B2"), Participant: proto.String(brigitte.lid.String())}}}),
			want: ptr(with(base("M10b"), func(e *bot.Event) { e.Kind, e.Target = bot.Deleted, "B2/"+brigitte.lid.String() })),
		},
		{
			name: "edit",
			evt: incoming(0, false, "M9", now, &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
				ProtocolMessage: &waE2E.ProtocolMessage{
					Type:          waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
					Key:           &waCommon.MessageKey{ID: proto.String("M1")},
					EditedMessage: &waE2E.Message{Conversation: proto.String("/lesson pph-first-hour")},
				}}}}),
			want: ptr(with(base("M9"), func(e *bot.Event) {
				e.Kind, e.Text, e.Target = bot.Edited, "/lesson pph-first-hour", "M1/"+amina.lid.String()
			})),
		},
		{
			name: "deletion",
			evt: incoming(0, false, "M10", now, &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
				Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("M2")}}}),
			want: ptr(with(base("M10"), func(e *bot.Event) { e.Kind, e.Target = bot.Deleted, "M2/"+amina.lid.String() })),
		},
		{
			name: "private message: the chat is keyed by the member's LID",
			evt:  incoming(1, true, "D1", now, &waE2E.Message{Conversation: proto.String("/progress")}),
			want: &bot.Event{
				ID: bot.EventID(Name, brigitte.lid.String(), brigitte.lid.String(), "D1"), Kind: bot.Message, Channel: Name,
				ChatID: brigitte.lid.String(), ChatType: bot.Direct, SenderID: brigitte.lid.String(), SenderAlias: brigitte.pn.String(),
				SenderName: "Brigitte", MessageID: "D1/" + brigitte.lid.String(), Text: "/progress", Time: now,
			},
		},
		{
			name: "private message by phone number only: the LID store names the member",
			evt: (&events.Message{Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: brigitte.pn, Sender: brigitte.pn},
				ID:            "D2", PushName: "Brigitte", Timestamp: now,
			}, RawMessage: &waE2E.Message{Conversation: proto.String("hello")}}).UnwrapRaw(),
			want: &bot.Event{
				ID: bot.EventID(Name, brigitte.lid.String(), brigitte.lid.String(), "D2"), Kind: bot.Message, Channel: Name,
				ChatID: brigitte.lid.String(), ChatType: bot.Direct, SenderID: brigitte.lid.String(), SenderAlias: brigitte.pn.String(),
				SenderName: "Brigitte", MessageID: "D2/" + brigitte.pn.String(), Text: "hello", Time: now,
			},
		},
		{
			name: "an unknown phone number stays a phone number",
			evt: (&events.Message{Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: types.NewJID("27820000009", types.DefaultUserServer), Sender: types.NewJID("27820000009", types.DefaultUserServer)},
				ID:            "D3", Timestamp: now,
			}, RawMessage: &waE2E.Message{Conversation: proto.String("hi")}}).UnwrapRaw(),
			want: &bot.Event{
				ID: bot.EventID(Name, "27820000009@s.whatsapp.net", "27820000009@s.whatsapp.net", "D3"), Kind: bot.Message, Channel: Name,
				ChatID: "27820000009@s.whatsapp.net", ChatType: bot.Direct, SenderID: "27820000009@s.whatsapp.net",
				MessageID: "D3/27820000009@s.whatsapp.net", Text: "hi", Time: now,
			},
		},
		{
			name: "caught up after an hour offline: recorded, not acted on",
			evt:  incoming(0, false, "M11", now.Add(-time.Hour), &waE2E.Message{Conversation: proto.String("/lesson malaria-rdt")}),
			want: ptr(with(base("M11"), func(e *bot.Event) { e.Text, e.Time, e.Late = "/lesson malaria-rdt", now.Add(-time.Hour), true })),
		},
		{
			name: "the bot's own message, sent from the phone",
			evt: func() *events.Message {
				e := incoming(0, false, "M12", now, &waE2E.Message{Conversation: proto.String("hi")})
				e.Info.IsFromMe, e.Info.Sender = true, botLID
				return e
			}(),
		},
		{
			name: "status update",
			evt: func() *events.Message {
				e := incoming(0, true, "S1", now, &waE2E.Message{Conversation: proto.String("my status")})
				e.Info.Chat = types.StatusBroadcastJID
				return e
			}(),
		},
		{
			name: "protocol message that is neither edit nor delete",
			evt: incoming(0, false, "P1", now, &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
				Type: waE2E.ProtocolMessage_EPHEMERAL_SETTING.Enum()}}),
		},
		{
			name: "a poll vote for a poll Huddle never sent",
			evt: incoming(0, false, "V0", now, &waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{
				PollCreationMessageKey: &waCommon.MessageKey{ID: proto.String("3EB0CCCC"), RemoteJID: proto.String(group.String()),
					FromMe: proto.Bool(false), Participant: proto.String(botPN.String())},
				Vote: &waE2E.PollEncValue{EncPayload: []byte{1, 2, 3}, EncIV: make([]byte, 12)},
			}}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := h.w.convert(context.Background(), tt.evt)
			switch {
			case tt.want == nil && ok:
				t.Fatalf("converted to %+v; want it ignored", got)
			case tt.want != nil && !ok:
				t.Fatal("ignored; want an event")
			case tt.want != nil && !reflect.DeepEqual(got, *tt.want):
				t.Errorf("got  %+v\nwant %+v", got, *tt.want)
			}
		})
	}
	if h.net.groupReq != 1 {
		t.Errorf("group info fetched %d times; want once, then cached", h.net.groupReq)
	}
}

// TestGroupCache checks that a rename is applied from the event and that a
// change of admins makes the adapter ask WhatsApp again.
func TestGroupCache(t *testing.T) {
	h := newHarness(t, Config{})
	ctx := context.Background()
	now := h.clock.Now()
	msg := func(id string) bot.Event {
		ev, ok := h.w.convert(ctx, incoming(1, false, id, now, &waE2E.Message{Conversation: proto.String("hi")}))
		if !ok {
			t.Fatal("ignored")
		}
		return ev
	}
	if ev := msg("A"); ev.ChatTitle != "Ward 3 nurses" || ev.SenderAdmin {
		t.Fatalf("first message: title %q, admin %v", ev.ChatTitle, ev.SenderAdmin)
	}
	h.w.onEvent(&events.GroupInfo{JID: group, Name: &types.GroupName{Name: "Ward 3 — nurses & midwives"}})
	if ev := msg("B"); ev.ChatTitle != "Ward 3 — nurses & midwives" {
		t.Fatalf("after rename: title %q", ev.ChatTitle)
	}
	g := nurseGroup(theBot)
	g.Participants[2].IsAdmin = true // Brigitte promoted
	h.net.groups[group] = g
	h.w.onEvent(&events.GroupInfo{JID: group, Promote: []types.JID{nurses[1].lid}})
	if ev := msg("C"); !ev.SenderAdmin {
		t.Fatal("after promotion: Brigitte is not an admin")
	}
	if h.net.groupReq != 2 {
		t.Fatalf("group info fetched %d times; want 2 (first sight, after promotion)", h.net.groupReq)
	}
}

func ptr[T any](v T) *T { return &v }
