package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// MigrateChat moves a chat and its pending messages to a new platform id.
// When the new id is known already (its first message arrived before the
// migration notice), the old chat's runs and members move into it.
func (t *Tx) MigrateChat(channel, oldID, newID string) error {
	if oldID == newID || newID == "" {
		return nil
	}
	var oldChat, newChat int64
	err := t.row(`SELECT id FROM chats WHERE channel = ? AND platform_id = ?`, channel, oldID).Scan(&oldChat)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("migrate chat %s: %w", oldID, err)
	}
	err = t.row(`SELECT id FROM chats WHERE channel = ? AND platform_id = ?`, channel, newID).Scan(&newChat)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = t.exec(`UPDATE chats SET platform_id = ?, type = 'group' WHERE id = ?`, newID, oldChat)
	case err == nil:
		err = t.mergeChat(oldChat, newChat)
	}
	if err != nil {
		return fmt.Errorf("migrate chat %s to %s: %w", oldID, newID, err)
	}
	lease := t.db.ChatLease(bot.ChatKey(channel, newID))
	if _, err := t.exec(`UPDATE outbox SET chat_id = ?, lease = ? WHERE channel = ? AND chat_id = ? AND sent_at IS NULL`, newID, lease, channel, oldID); err != nil {
		return fmt.Errorf("migrate chat %s outbox: %w", oldID, err)
	}
	if _, err := t.exec(`UPDATE timers SET lease = ? WHERE fired_at IS NULL AND run_id IN
		(SELECT r.id FROM runs r JOIN chats c ON c.id = r.chat_id WHERE c.channel = ? AND c.platform_id = ?)`, lease, channel, newID); err != nil {
		return fmt.Errorf("migrate chat %s timers: %w", oldID, err)
	}
	return nil
}

// mergeChat moves everything of chat from into chat into, then deletes
// from. Every table with a chat_id is moved here (TestMergeChatMovesAll
// checks the schema for new ones).
func (t *Tx) mergeChat(from, into int64) error {
	stmts := []string{
		// The old chat's active run wins over one started in the new chat.
		`UPDATE runs SET status = 'stopped' WHERE chat_id = ?2 AND status = 'active' AND EXISTS (SELECT 1 FROM runs WHERE chat_id = ?1 AND status = 'active')`,
		`UPDATE runs SET chat_id = ?1 WHERE chat_id = ?2`,
		`INSERT INTO chat_members (chat_id, member_id, joined_at, last_seen_at)
			SELECT ?1, member_id, joined_at, last_seen_at FROM chat_members WHERE chat_id = ?2 ON CONFLICT DO NOTHING`,
		`DELETE FROM chat_members WHERE chat_id = ?2`,
		`UPDATE engagement SET chat_id = ?1 WHERE chat_id = ?2`,
		// The group's lesson assignments: the new chat's own win.
		`UPDATE assignments SET chat_id = ?1 WHERE chat_id = ?2
			AND lesson_id NOT IN (SELECT lesson_id FROM assignments WHERE chat_id = ?1)`,
		`DELETE FROM assignments WHERE chat_id = ?2`,
		// Its courses: one the new chat takes too is stopped in the old.
		`UPDATE cohorts SET ended_at = started_at, stopped = 1 WHERE chat_id = ?2 AND ended_at IS NULL
			AND course_id IN (SELECT course_id FROM cohorts WHERE chat_id = ?1 AND ended_at IS NULL)`,
		`UPDATE cohorts SET chat_id = ?1 WHERE chat_id = ?2`,
		`UPDATE group_summaries SET chat_id = ?1 WHERE chat_id = ?2
			AND week NOT IN (SELECT week FROM group_summaries WHERE chat_id = ?1)`,
		`DELETE FROM group_summaries WHERE chat_id = ?2`,
		`UPDATE cases SET chat_id = ?1 WHERE chat_id = ?2`,
		`UPDATE pending_cases SET chat_id = ?1 WHERE chat_id = ?2`,
		`UPDATE attachments SET chat_id = ?1 WHERE chat_id = ?2`,
		`INSERT INTO chat_days (chat_id, day, messages, answers, correct, media_bytes)
			SELECT ?1, day, messages, answers, correct, media_bytes FROM chat_days WHERE chat_id = ?2 AND true
			ON CONFLICT (chat_id, day) DO UPDATE SET messages = chat_days.messages + excluded.messages,
				answers = chat_days.answers + excluded.answers, correct = chat_days.correct + excluded.correct,
				media_bytes = chat_days.media_bytes + excluded.media_bytes`,
		`DELETE FROM chat_days WHERE chat_id = ?2`,
		`INSERT INTO member_weeks (chat_id, member_id, week)
			SELECT ?1, member_id, week FROM member_weeks WHERE chat_id = ?2 ON CONFLICT DO NOTHING`,
		`DELETE FROM member_weeks WHERE chat_id = ?2`,
		// The new chat's counts grew as its member_weeks did; the old
		// chat's go (week_counts has no foreign key: its chat 0 is all).
		`DELETE FROM week_counts WHERE chat_id = ?2`,
		`DELETE FROM chats WHERE id = ?2`,
	}
	for _, q := range stmts {
		if _, err := t.exec(q, into, from); err != nil {
			return err
		}
	}
	return nil
}
