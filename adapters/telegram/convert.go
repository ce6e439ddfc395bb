package telegram

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/huddlebot/huddle/bot"
)

// update is a Bot API update: what the library decodes, and the forum
// fields its v5.5.1 predates.
type update struct {
	tgbotapi.Update
	forum struct {
		Message *struct {
			ThreadID int  `json:"message_thread_id"`
			InTopic  bool `json:"is_topic_message"`
			Chat     struct {
				IsForum bool `json:"is_forum"`
			} `json:"chat"`
		} `json:"message"`
	}
}

// UnmarshalJSON decodes both views of the update.
func (u *update) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &u.Update); err != nil {
		return err
	}
	return json.Unmarshal(data, &u.forum)
}

// convert turns an update into an event; false for updates Huddle ignores.
func (t *Telegram) convert(u update) (bot.Event, bool) {
	switch {
	case u.Message != nil:
		ev, ok := convertMessage(u.Message)
		if f := u.forum.Message; ok && f != nil && ev.Kind == bot.Message {
			// A forum's topics: messages in the General topic carry none.
			ev.Forum = f.Chat.IsForum
			if f.InTopic && f.ThreadID != 0 {
				ev.Thread = strconv.Itoa(f.ThreadID)
			}
		}
		return ev, ok
	case u.EditedMessage != nil:
		return convertEdit(u.EditedMessage)
	case u.CallbackQuery != nil:
		return convertCallback(u.CallbackQuery)
	case u.ChatMember != nil:
		return convertMemberUpdate(u.ChatMember)
	}
	return bot.Event{}, false
}

// leftEvent says that user is no longer in chat (a group).
func leftEvent(chat *tgbotapi.Chat, user *tgbotapi.User, ref string, at time.Time) (bot.Event, bool) {
	if typ, ok := chatType(chat); !ok || typ != bot.Group || user == nil || user.IsBot {
		return bot.Event{}, false // not a member leaving: the bot itself, or no group
	}
	return bot.Event{ID: bot.EventID(Name, id(chat.ID), id(user.ID), "left-"+ref), Kind: bot.Left, Channel: Name,
		ChatID: id(chat.ID), ChatType: bot.Group, SenderID: id(user.ID), Time: at}, true
}

// convertEdit turns an edited message into an Edited event: its Target
// and MessageID the message's own id, its Text the new text (or caption).
// Each edit is an event of its own, told apart by its edit date and text
// (edit_date counts seconds; two edits can share one).
func convertEdit(m *tgbotapi.Message) (bot.Event, bool) {
	ev, ok := convertMessage(m)
	if !ok || ev.Kind != bot.Message {
		return bot.Event{}, false
	}
	h := fnv.New32a()
	h.Write([]byte(ev.Text))
	ev.Kind, ev.Target = bot.Edited, ev.MessageID
	ev.ID = bot.EventID(Name, ev.ChatID, ev.SenderID, fmt.Sprintf("%s-edit-%d-%08x", ev.MessageID, m.EditDate, h.Sum32()))
	if m.EditDate != 0 {
		ev.Time = time.Unix(int64(m.EditDate), 0)
	}
	return ev, true
}

// convertMemberUpdate turns a chat_member update into a Left event when
// the member left, was banned, or was restricted out of the group; other
// changes (promotions, joins) are ignored.
func convertMemberUpdate(u *tgbotapi.ChatMemberUpdated) (bot.Event, bool) {
	m := u.NewChatMember
	switch {
	case m.Status == "left", m.Status == "kicked", m.Status == "restricted" && !m.IsMember:
	default:
		return bot.Event{}, false
	}
	return leftEvent(&u.Chat, m.User, strconv.Itoa(u.Date), time.Unix(int64(u.Date), 0))
}

func chatType(c *tgbotapi.Chat) (bot.ChatType, bool) {
	switch c.Type {
	case "private":
		return bot.Direct, true
	case "group", "supergroup":
		return bot.Group, true
	}
	return "", false // channels
}

func name(u *tgbotapi.User) string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

func convertMessage(m *tgbotapi.Message) (bot.Event, bool) {
	if m.Chat == nil {
		return bot.Event{}, false
	}
	typ, ok := chatType(m.Chat)
	if !ok {
		return bot.Event{}, false
	}
	chat := id(m.Chat.ID)
	// A group that became a supergroup: the old chat gets a message with
	// migrate_to_chat_id, the new one with migrate_from_chat_id.
	switch {
	case m.MigrateToChatID != 0:
		return bot.Event{ID: bot.EventID(Name, chat, "", "migrate"), Kind: bot.ChatMigrated, Channel: Name,
			ChatID: chat, ChatType: bot.Group, MigrateTo: id(m.MigrateToChatID), Time: m.Time()}, true
	case m.MigrateFromChatID != 0:
		old := id(m.MigrateFromChatID)
		return bot.Event{ID: bot.EventID(Name, old, "", "migrate"), Kind: bot.ChatMigrated, Channel: Name,
			ChatID: old, ChatType: bot.Group, MigrateTo: chat, Time: m.Time()}, true
	}
	if m.LeftChatMember != nil {
		return leftEvent(m.Chat, m.LeftChatMember, strconv.Itoa(m.MessageID), m.Time())
	}
	if m.From == nil || m.From.IsBot {
		return bot.Event{}, false
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	ev := bot.Event{
		ID: bot.EventID(Name, chat, id(m.From.ID), strconv.Itoa(m.MessageID)), Kind: bot.Message, Channel: Name,
		ChatID: chat, ChatType: typ, ChatTitle: m.Chat.Title,
		SenderID: id(m.From.ID), SenderName: name(m.From), SenderLang: m.From.LanguageCode,
		MessageID: strconv.Itoa(m.MessageID), Text: text, Time: m.Time(),
	}
	if r := m.ReplyToMessage; r != nil {
		ev.ReplyTo = strconv.Itoa(r.MessageID)
		if r.From != nil && !r.From.IsBot {
			ev.ReplyToSender = id(r.From.ID)
		}
	}
	// A mention by name of someone without a username comes with their id.
	entities := m.Entities
	if m.Text == "" {
		entities = m.CaptionEntities
	}
	for _, e := range entities {
		if e.Type == "text_mention" && e.User != nil && !e.User.IsBot {
			ev.Mentions = append(ev.Mentions, id(e.User.ID))
		}
	}
	return ev, true
}

func convertCallback(q *tgbotapi.CallbackQuery) (bot.Event, bool) {
	// A press under an inline-mode message has no chat: nothing to do.
	if q.Message == nil || q.Message.Chat == nil || q.From == nil {
		return bot.Event{}, false
	}
	typ, ok := chatType(q.Message.Chat)
	if !ok {
		return bot.Event{}, false
	}
	chat := id(q.Message.Chat.ID)
	return bot.Event{
		ID: bot.EventID(Name, chat, id(q.From.ID), "cb"+q.ID), Kind: bot.OptionChosen, Channel: Name,
		ChatID: chat, ChatType: typ, ChatTitle: q.Message.Chat.Title,
		SenderID: id(q.From.ID), SenderName: name(q.From), SenderLang: q.From.LanguageCode,
		MessageID: strconv.Itoa(q.Message.MessageID), Option: q.Data, PressID: q.ID,
		// A callback query carries no date: the router stamps it.
	}, true
}
