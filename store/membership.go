package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// LeaveChat records that ev's sender is no longer in ev's chat: they left
// or were removed. It returns the chat (ErrNotFound for one never seen),
// the member's id (0 for one never seen there) and whether they were in
// it until now (false too for a leave already recorded: the platform may
// tell one leave twice). The chat's size becomes the event's, or one less
// when it tells none and the member was in it.
func (t *Tx) LeaveChat(ev bot.Event, at time.Time) (bot.Chat, int64, bool, error) {
	c, err := t.ChatByPlatform(ev.Channel, ev.ChatID)
	if err != nil {
		return c, 0, false, err
	}
	var memberID int64
	err = t.row(`SELECT cm.member_id FROM chat_members cm JOIN members m ON m.id = cm.member_id
		WHERE cm.chat_id = ?1 AND m.channel = ?2 AND (m.platform_id = ?3 OR m.alias = ?3 OR m.platform_id = ?4)
		AND cm.left_at IS NULL`, c.ID, ev.Channel, ev.SenderID, nullString(ev.SenderAlias)).Scan(&memberID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, 0, false, fmt.Errorf("leave chat %d: %w", c.ID, err)
	}
	was := err == nil
	err = nil
	if was {
		if _, err := t.exec(`UPDATE chat_members SET left_at = ? WHERE chat_id = ? AND member_id = ?`, ms(at), c.ID, memberID); err != nil {
			return c, 0, false, fmt.Errorf("leave chat %d: %w", c.ID, err)
		}
	}
	switch {
	case ev.ChatSize > 0:
		err = t.noteSize(c.ID, ev)
	case was:
		_, err = t.exec(`UPDATE chats SET size = size - 1 WHERE id = ? AND size > 0`, c.ID)
	}
	if err != nil {
		return c, 0, false, fmt.Errorf("chat %d size: %w", c.ID, err)
	}
	return c, memberID, was, nil
}

// ChatSize returns how many people a group has as its platform last said;
// 0 when unknown.
func (t *Tx) ChatSize(chatID int64) (int, error) {
	var n int
	if err := t.row(`SELECT size FROM chats WHERE id = ?`, chatID).Scan(&n); err != nil {
		return 0, fmt.Errorf("chat %d size: %w", chatID, notFound(err))
	}
	return n, nil
}
