package store

import (
	"context"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Assign records a lesson's assignment to a chat, replacing an earlier one
// of the same lesson there.
func (t *Tx) Assign(a *bot.Assignment) error {
	err := t.row(`INSERT INTO assignments (chat_id, lesson_id, assigned_by, next_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (chat_id, lesson_id) DO UPDATE SET assigned_by = excluded.assigned_by, next_at = excluded.next_at
		RETURNING id`, a.ChatID, a.LessonID, a.AssignedBy, ms(a.Next)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("assign %s to chat %d: %w", a.LessonID, a.ChatID, err)
	}
	return nil
}

// Unassign removes a lesson's assignment from a chat.
func (t *Tx) Unassign(chatID int64, lessonID string) (bool, error) {
	res, err := t.exec(`DELETE FROM assignments WHERE chat_id = ? AND lesson_id = ?`, chatID, lessonID)
	if err != nil {
		return false, fmt.Errorf("unassign %s from chat %d: %w", lessonID, chatID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ChatAssignments lists a chat's assignments, soonest first.
func (t *Tx) ChatAssignments(chatID int64) ([]bot.Assignment, error) {
	rows, err := t.query(`SELECT id, lesson_id, assigned_by, next_at FROM assignments WHERE chat_id = ? ORDER BY next_at`, chatID)
	if err != nil {
		return nil, fmt.Errorf("assignments of chat %d: %w", chatID, err)
	}
	defer rows.Close()
	var out []bot.Assignment
	for rows.Next() {
		a := bot.Assignment{ChatID: chatID}
		var next int64
		if err := rows.Scan(&a.ID, &a.LessonID, &a.AssignedBy, &next); err != nil {
			return nil, fmt.Errorf("assignments of chat %d: %w", chatID, err)
		}
		a.Next = fromMS(next)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AdvanceAssignment moves an assignment from from to next, only if it is
// still at from: a start handled twice (a retry after a crash) moves it
// once.
func (t *Tx) AdvanceAssignment(id int64, from, next time.Time) (bool, error) {
	res, err := t.exec(`UPDATE assignments SET next_at = ? WHERE id = ? AND next_at = ?`, ms(next), id, ms(from))
	if err != nil {
		return false, fmt.Errorf("advance assignment %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DueAssignments lists assignments due at now, earliest first.
func (d *DB) DueAssignments(ctx context.Context, now time.Time, limit int) ([]bot.Assignment, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT a.id, a.chat_id, a.lesson_id, a.assigned_by, a.next_at, c.channel, c.platform_id
		FROM assignments a JOIN chats c ON c.id = a.chat_id WHERE a.next_at <= ? ORDER BY a.next_at LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due assignments: %w", err)
	}
	defer rows.Close()
	var out []bot.Assignment
	for rows.Next() {
		var a bot.Assignment
		var next int64
		if err := rows.Scan(&a.ID, &a.ChatID, &a.LessonID, &a.AssignedBy, &next, &a.Channel, &a.ChatPlatformID); err != nil {
			return nil, fmt.Errorf("due assignments: %w", err)
		}
		a.Next = fromMS(next)
		out = append(out, a)
	}
	return out, rows.Err()
}
