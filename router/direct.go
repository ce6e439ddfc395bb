package router

import (
	"errors"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// directChats is what opening a member's private chat reads and writes.
type directChats interface {
	DirectChatOf(memberID int64) (bot.Chat, error)
	EnsureChat(channel, platformID string, typ bot.ChatType, title string, at time.Time) (bot.Chat, error)
	JoinChat(chatID, memberID int64, at time.Time) error
}

// openDirect gives member, seen in group chat, their private chat at
// once on a channel that may write first to them (Config.Direct): what
// goes to them privately is then sent, not held until they write there.
// It runs after the privacy gate, so nothing of one who has not accepted
// the notice is kept.
func openDirect(tx directChats, direct func(channel, member string) string, chat bot.Chat, m bot.Member, now time.Time) error {
	if direct == nil || chat.Type != bot.Group || m.ID == 0 {
		return nil
	}
	id := direct(chat.Channel, m.PlatformID)
	if id == "" {
		return nil
	}
	if _, err := tx.DirectChatOf(m.ID); !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	dm, err := tx.EnsureChat(chat.Channel, id, bot.Direct, "", now)
	if err != nil {
		return err
	}
	return tx.JoinChat(dm.ID, m.ID, now)
}

// privately is s moved to its member's private chat, where the channel
// may write first to them (Config.Direct) and the chat exists (openDirect
// made it): a command that works in private alone, said in a group on
// SMS, is done there. false, and s as it was, elsewhere.
func privately(tx directChats, direct func(channel, member string) string, s bot.Session) (bot.Session, bool, error) {
	if direct == nil || direct(s.Chat.Channel, s.Member.PlatformID) == "" {
		return s, false, nil
	}
	dm, err := tx.DirectChatOf(s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return s, false, nil
	} else if err != nil {
		return s, false, err
	}
	s.Chat = dm
	s.Event.ChatID, s.Event.ChatType, s.Event.ChatTitle, s.Event.Thread = dm.PlatformID, bot.Direct, "", ""
	return s, true, nil
}
