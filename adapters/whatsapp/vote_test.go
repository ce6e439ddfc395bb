package whatsapp

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// TestVotesInEveryAddressing sends a poll through the adapter, with the
// fake network storing its secret as whatsmeow's SendMessage does (under
// the identity the poll goes out with), and has a nurse's own whatsmeow
// client vote with BuildPollVote: the vote decrypts and maps to the option
// in a LID group (whether the bot's LID sorts before or after its phone
// number, which decides which row an extra secret row would shadow), in a
// phone-number group and in a private chat, also when WhatsApp gives no
// alternative address for the voter.
func TestVotesInEveryAddressing(t *testing.T) {
	lidFirst := account{pn: types.NewJID("15550000001", types.DefaultUserServer), lid: types.NewJID("10000000000001", types.HiddenUserServer)}
	amina := nurses[0]
	tests := []struct {
		name   string
		bot    account
		chat   types.JID // where the poll goes
		noAlt  bool      // the vote arrives without SenderAlt
		pnSent bool      // the vote arrives from her phone number
	}{
		{"LID group, the bot's LID sorting after its number", theBot, group, false, false},
		{"LID group, the bot's LID sorting before its number", lidFirst, group, false, false},
		{"LID group, no alternative address", theBot, group, true, false},
		{"phone-number group", theBot, pnGroup, false, true},
		{"phone-number group, LID first", lidFirst, pnGroup, false, true},
		{"private chat", theBot, amina.lid, false, false},
		{"private chat, no alternative address", lidFirst, amina.lid, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &memOutbox{sent: map[string]bot.OutboxItem{}, known: map[string]bool{amina.lid.String(): true}}
			h := newHarnessAs(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: out}, tt.bot)
			h.connect()
			ctx := context.Background()
			poll := bot.Outbound{Channel: Name, ChatID: tt.chat.String(), Key: "poll:" + tt.name, Text: "Which is first?",
				Options: []bot.Option{{Label: "1. Oxytocin", Data: "q1.1.1"}, {Label: "2. Ergometrine", Data: "q1.1.2"}}}
			id, err := h.w.Send(ctx, poll)
			if err != nil {
				t.Fatal(err)
			}
			out.sent[id] = bot.OutboxItem{Outbound: poll}
			s := h.net.messages()[0]

			// Her phone received the poll from the identity it went out
			// with, in the chat as she sees it (the bot, privately).
			phone := phones(t)[0]
			seenChat := tt.chat
			if tt.chat.Server == types.HiddenUserServer {
				seenChat = s.sender
			}
			info := types.MessageInfo{MessageSource: types.MessageSource{Chat: seenChat, Sender: s.sender, IsGroup: tt.chat.Server == types.GroupServer}, ID: id}
			if err := phone.Store.MsgSecrets.PutMessageSecret(ctx, seenChat, s.sender, id, s.msg.GetMessageContextInfo().GetMessageSecret()); err != nil {
				t.Fatal(err)
			}
			msg, err := phone.BuildPollVote(ctx, &info, []string{"2. Ergometrine"})
			if err != nil {
				t.Fatal(err)
			}
			src := types.MessageSource{Chat: tt.chat, Sender: amina.lid, SenderAlt: amina.pn, IsGroup: tt.chat.Server == types.GroupServer,
				AddressingMode: types.AddressingModeLID}
			if tt.pnSent {
				src.Sender, src.SenderAlt, src.AddressingMode = amina.pn, amina.lid, types.AddressingModePN
			}
			if tt.noAlt {
				src.SenderAlt = types.EmptyJID
			}
			evt := (&events.Message{Info: types.MessageInfo{MessageSource: src, ID: "V1", PushName: amina.name, Timestamp: time.Now()},
				RawMessage: msg}).UnwrapRaw()
			ev, ok := h.w.convert(ctx, evt)
			if !ok || ev.Kind != bot.Vote || !slices.Equal(ev.Choices, []string{"q1.1.2"}) || ev.MessageID != id {
				t.Errorf("the vote became %+v (ok %v); want a vote for q1.1.2 on poll %s", ev, ok, id)
			}
		})
	}
}
