package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Undelivered is a message the sender gave up on: it failed for longer
// than the sender keeps trying (or was too late to matter), and its chat
// went on without it.
type Undelivered struct {
	ID      int64
	Channel string
	// ChatTitle is its chat's name ("" for a private chat).
	ChatTitle string
	Private   bool
	// Text is the message's text (a document's caption), File its
	// document's name.
	Text, File string
	Attempts   int
	// Reason is the last error the platform gave.
	Reason          string
	Queued, GivenUp time.Time
}

// Undelivered lists up to limit messages the sender gave up on, newest
// first, and how many there are in all. Extras (reactions) dropped and
// presses' answers are left out: neither is worth sending late.
func (rd *Reader) Undelivered(ctx context.Context, limit int) ([]Undelivered, int, error) {
	const where = `o.given_up_at IS NOT NULL AND o.sent_at IS NULL AND o.key NOT LIKE 'press:%' AND o.last_error NOT LIKE 'dropped:%'`
	var total int
	if err := rd.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox o WHERE `+where).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("undelivered messages: %w", err)
	}
	rows, err := rd.db.QueryContext(ctx, `SELECT o.id, o.channel, COALESCE(c.title, ''), COALESCE(c.type, 'group'), o.payload, o.attempts,
		o.last_error, o.created_at, o.given_up_at
		FROM outbox o LEFT JOIN chats c ON c.channel = o.channel AND c.platform_id = o.chat_id
		WHERE `+where+` ORDER BY o.given_up_at DESC, o.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("undelivered messages: %w", err)
	}
	defer rows.Close()
	var out []Undelivered
	for rows.Next() {
		var (
			u              Undelivered
			typ            string
			payload        []byte
			queued, gaveUp int64
		)
		if err := rows.Scan(&u.ID, &u.Channel, &u.ChatTitle, &typ, &payload, &u.Attempts, &u.Reason, &queued, &gaveUp); err != nil {
			return nil, 0, fmt.Errorf("undelivered messages: %w", err)
		}
		var m bot.Outbound
		if err := json.Unmarshal(payload, &m); err == nil {
			u.Text = m.Text
			if m.File != nil {
				u.File = m.File.Name
			}
		}
		u.Private = typ == string(bot.Direct)
		u.Queued, u.GivenUp = fromMS(queued), fromMS(gaveUp)
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// Resend queues a message the sender gave up on to be sent again now, as
// if new: its chat's messages since have gone on without it, so it comes
// after them. bot.ErrNotFound when there is no such message given up.
func (d *DB) Resend(ctx context.Context, id int64, now time.Time) error {
	return d.update(ctx, func(t *Tx) error {
		res, err := t.exec(`UPDATE outbox SET given_up_at = NULL, attempts = 0, last_error = '', next_at = ?
			WHERE id = ? AND given_up_at IS NOT NULL AND sent_at IS NULL`, ms(now), id)
		if err != nil {
			return fmt.Errorf("send message %d again: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("send message %d again: %w", id, bot.ErrNotFound)
		}
		return nil
	})
}
