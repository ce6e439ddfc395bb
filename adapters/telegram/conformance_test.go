package telegram_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/bot/channeltest"
	"github.com/huddlebot/huddle/internal/testkit/tgemu"
)

// TestConformance runs the channel conformance kit against the Telegram
// adapter: the real go-telegram-bot-api client against the Bot API
// emulator on loopback.
func TestConformance(t *testing.T) {
	emu, tg := emulated(t)
	channeltest.Run(t, &tgPlatform{emu: emu, tg: tg,
		group:   tgemu.Chat{ID: -1004001, Type: "supergroup", Title: "Ward 4"},
		members: []tgemu.User{{ID: 41, FirstName: "Amina"}, {ID: 42, FirstName: "Brigitte"}}})
}

// tgPlatform plays the kit's members through the emulator.
type tgPlatform struct {
	emu     *tgemu.Emulator
	tg      *telegram.Telegram
	group   tgemu.Chat
	members []tgemu.User
}

func (p *tgPlatform) Channel() bot.Channel { return p.tg }
func (p *tgPlatform) Group() string        { return strconv.FormatInt(p.group.ID, 10) }
func (p *tgPlatform) Private(member int) string {
	return strconv.FormatInt(p.members[member].ID, 10) // a private chat's id is the user's
}
func (p *tgPlatform) Member(i int) string { return strconv.FormatInt(p.members[i].ID, 10) }

func (p *tgPlatform) Lacks(c channeltest.Case) string {
	switch c {
	case channeltest.Vote:
		return "options are buttons on Telegram"
	case channeltest.Edit:
		return "Huddle does not act on Telegram's edited_message updates yet"
	case channeltest.Delete:
		return "the Bot API does not tell bots of deleted messages"
	}
	return ""
}

// chat is the emulator's chat for a kit chat id.
func (p *tgPlatform) chat(id string) tgemu.Chat {
	if id == p.Group() {
		return p.group
	}
	for _, m := range p.members {
		if strconv.FormatInt(m.ID, 10) == id {
			return tgemu.Chat{ID: m.ID, Type: "private"}
		}
	}
	panic("unknown chat " + id)
}

func (p *tgPlatform) Do(t *testing.T, a channeltest.Action) string {
	t.Helper()
	chat, from := p.chat(a.Chat), p.members[a.Member]
	switch a.Case {
	case channeltest.Press:
		id, _ := strconv.Atoi(a.Message.ID)
		p.emu.Press(chat, from, id, p.message(t, a.Message.ID).Buttons[a.Option].Data)
	case channeltest.Reply:
		id, _ := strconv.Atoi(a.ReplyTo)
		p.emu.SendRaw(chat, from, map[string]any{"text": a.Text,
			"reply_to_message": map[string]any{"message_id": id, "chat": map[string]any{"id": chat.ID, "type": chat.Type}, "date": time.Now().Unix()}})
	case channeltest.Mention:
		other := p.members[a.Mentioned]
		text := other.FirstName + ", " + a.Text
		p.emu.SendRaw(chat, from, map[string]any{"text": text, "entities": []map[string]any{{
			"type": "text_mention", "offset": 0, "length": len(other.FirstName),
			"user": map[string]any{"id": other.ID, "first_name": other.FirstName, "is_bot": false}}}})
	default:
		p.emu.Send(chat, from, a.Text)
	}
	return "" // the emulator does not say; the kit reads it from the event
}

// message is the bot's message id as the emulator recorded it.
func (p *tgPlatform) message(t *testing.T, id string) tgemu.Message {
	t.Helper()
	n, _ := strconv.Atoi(id)
	for _, m := range p.emu.BotMessages() {
		if m.ID == n {
			return m
		}
	}
	t.Fatalf("the emulator has no bot message %s", id)
	return tgemu.Message{}
}

// Gone: the emulator records the messages the bot deleted.
func (p *tgPlatform) Gone(t *testing.T, chat, id string) bool {
	n, _ := strconv.Atoi(id)
	return slices.Contains(p.emu.Deletions(), tgemu.Deletion{ChatID: chat, MessageID: n})
}

func (p *tgPlatform) Sent(t *testing.T, chat, id string) channeltest.Received {
	t.Helper()
	m := p.message(t, id)
	if strconv.FormatInt(m.ChatID, 10) != chat {
		t.Errorf("message %s went to %d, not %s", id, m.ChatID, chat)
	}
	r := channeltest.Received{ID: strconv.Itoa(m.ID), Text: m.Text}
	if m.ReplyTo != 0 {
		r.ReplyTo = strconv.Itoa(m.ReplyTo)
	}
	for _, b := range m.Buttons {
		r.Options = append(r.Options, b.Text)
	}
	if m.Document != nil {
		r.File = m.Document.FileName
	}
	return r
}
