package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// pendingQuery is PendingOutbox's query: channel, now, now, limit. The
// indexes outbox_due and outbox_pending answer it (TestPendingOutboxPlan).
const pendingQuery = `SELECT o.id, o.chat_id, o.key, o.payload, o.attempts, o.created_at FROM outbox o
	WHERE o.channel = ? AND o.sent_at IS NULL AND o.given_up_at IS NULL AND o.next_at <= ?
	AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.chat_id = o.chat_id
		AND p.id < o.id AND p.sent_at IS NULL AND p.given_up_at IS NULL AND p.next_at > ?)
	ORDER BY o.id LIMIT ?`

// PendingOutbox lists up to limit unsent messages of a channel due at now,
// oldest first. A message waits while an older one to the same chat is
// waiting for a retry, so each chat receives its messages in order. Rows
// skip says to leave out count towards limit and are not decoded.
//
// On an instance of several (SetInstance), it claims the messages of the
// chats the instance owns instead (claimOutbox).
func (d *DB) PendingOutbox(ctx context.Context, channel string, now time.Time, limit int, skip func(chatID, key string) bool) ([]bot.OutboxItem, error) {
	if d.instance != "" {
		return d.claimOutbox(ctx, channel, now, limit, skip)
	}
	rows, err := d.pending.QueryContext(ctx, channel, ms(now), ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("pending outbox of %s: %w", channel, err)
	}
	defer rows.Close()
	return scanPending(rows, channel, skip)
}

// scanPending reads PendingOutbox's rows: id, chat_id, key, payload,
// attempts, created_at.
func scanPending(rows *sql.Rows, channel string, skip func(chatID, key string) bool) ([]bot.OutboxItem, error) {
	var out []bot.OutboxItem
	for rows.Next() {
		var it bot.OutboxItem
		var payload sql.RawBytes
		var created int64
		var chatID, key string
		if err := rows.Scan(&it.ID, &chatID, &key, &payload, &it.Attempts, &created); err != nil {
			return nil, fmt.Errorf("pending outbox of %s: %w", channel, err)
		}
		if skip != nil && skip(chatID, key) {
			continue
		}
		if err := json.Unmarshal(payload, &it.Outbound); err != nil {
			return nil, fmt.Errorf("outbox message %d: %w", it.ID, err)
		}
		// The column wins: a chat migration rewrites it, not the payload.
		it.ChatID = chatID
		it.Created = fromMS(created)
		out = append(out, it)
	}
	return out, rows.Err()
}

// MarkSent records that outbox message it was delivered. The row is the
// one with its id and key: a row deleted meanwhile (a privacy notice
// withdrawn) may have had its id taken by a new one, which must not be
// marked for it.
func (d *DB) MarkSent(ctx context.Context, it bot.OutboxItem, platformID string, at time.Time) error {
	return d.update(ctx, func(t *Tx) error {
		// A sent file leaves the row: a lesson's picture to hundreds of
		// groups would be kept hundreds of times, and a member's photo
		// would outlive its erasure. Its size is counted for the chat.
		res, err := t.exec(`UPDATE outbox SET sent_at = ?, platform_id = ?, attempts = attempts + 1,
			payload = `+t.db.dialect(`CASE WHEN json_type(payload, '$.file') IS NULL THEN payload ELSE json_remove(payload, '$.file.data') END`,
			`payload #- '{file,data}'`)+`
			WHERE id = ? AND key = ?`, ms(at), platformID, it.ID, it.Key)
		if err != nil {
			return fmt.Errorf("mark outbox %d sent: %w", it.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if it.File != nil && len(it.File.Data) > 0 {
			if _, err := t.exec(`INSERT INTO chat_days (chat_id, day, media_bytes)
				SELECT id, ?, ? FROM chats WHERE channel = ? AND platform_id = ?
				ON CONFLICT (chat_id, day) DO UPDATE SET media_bytes = chat_days.media_bytes + excluded.media_bytes`,
				bucketOf(ms(at), 0, day), len(it.File.Data), it.Channel, it.ChatID); err != nil {
				return fmt.Errorf("mark outbox %d sent: %w", it.ID, err)
			}
		}
		// A message to a forgotten member leaves no trace once sent.
		return t.dropTransient(it.ID)
	})
}

// SentID returns the platform id of the outbox message with key; settled
// is false while it waits to be sent.
func (d *DB) SentID(ctx context.Context, key string) (string, bool, error) {
	var (
		id      string
		pending bool
	)
	err := d.read.QueryRowContext(ctx, `SELECT platform_id, sent_at IS NULL AND given_up_at IS NULL FROM outbox WHERE key = ?`, key).
		Scan(&id, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		return "", true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("outbox message %s: %w", key, err)
	}
	return id, !pending, nil
}

// Defer moves outbox message id's next attempt to next, counting no
// attempt: the channel paces itself, nothing failed.
func (d *DB) Defer(ctx context.Context, it bot.OutboxItem, next time.Time) error {
	return d.update(ctx, func(t *Tx) error {
		if _, err := t.exec(`UPDATE outbox SET next_at = ? WHERE id = ? AND key = ?`, ms(next), it.ID, it.Key); err != nil {
			return fmt.Errorf("defer outbox %d: %w", it.ID, err)
		}
		return nil
	})
}

// MarkRetry records an attempt that failed at at: the message is tried
// again at next, or given up when next is zero.
func (d *DB) MarkRetry(ctx context.Context, it bot.OutboxItem, reason string, at, next time.Time) error {
	return d.update(ctx, func(t *Tx) error {
		if !next.IsZero() {
			if _, err := t.exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ? AND key = ?`, reason, ms(next), it.ID, it.Key); err != nil {
				return fmt.Errorf("mark outbox %d for retry: %w", it.ID, err)
			}
			return nil
		}
		res, err := t.exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, given_up_at = ? WHERE id = ? AND key = ?`, reason, ms(at), it.ID, it.Key)
		if err != nil {
			return fmt.Errorf("give up outbox %d: %w", it.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		// A transient message leaves no trace, delivered or not.
		return t.dropTransient(it.ID)
	})
}

// DueTimers lists up to limit unfired timers due at now, with their
// chats. On an instance of several (SetInstance), it claims the timers of
// the chats the instance owns instead (claimTimers).
func (d *DB) DueTimers(ctx context.Context, now time.Time, limit int) ([]bot.Timer, error) {
	if d.instance != "" {
		return d.claimTimers(ctx, now, limit)
	}
	rows, err := d.read.QueryContext(ctx, `SELECT t.id, t.run_id, t.seq, t.due_at, c.channel, c.platform_id
		FROM timers t JOIN runs r ON r.id = t.run_id JOIN chats c ON c.id = r.chat_id
		WHERE t.fired_at IS NULL AND t.due_at <= ? ORDER BY t.due_at, t.id LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due timers: %w", err)
	}
	defer rows.Close()
	return scanTimers(rows)
}

// scanTimers reads DueTimers' rows: id, run_id, seq, due_at, channel,
// platform_id.
func scanTimers(rows *sql.Rows) ([]bot.Timer, error) {
	var out []bot.Timer
	for rows.Next() {
		var t bot.Timer
		var due int64
		if err := rows.Scan(&t.ID, &t.RunID, &t.Seq, &due, &t.Channel, &t.ChatPlatformID); err != nil {
			return nil, fmt.Errorf("due timers: %w", err)
		}
		t.Due = fromMS(due)
		out = append(out, t)
	}
	return out, rows.Err()
}

// SentMessage returns the outbox message a channel sent under platformID,
// or bot.ErrNotFound. Adapters use it to map a poll vote back to the
// poll's options and to serve a platform's request to send a message again.
func (d *DB) SentMessage(ctx context.Context, channel, platformID string) (bot.OutboxItem, error) {
	var (
		it      bot.OutboxItem
		payload []byte
		chatID  string
		created int64
	)
	err := d.read.QueryRowContext(ctx, `SELECT id, chat_id, payload, attempts, created_at FROM outbox
		WHERE channel = ? AND platform_id = ? ORDER BY id DESC LIMIT 1`, channel, platformID).
		Scan(&it.ID, &chatID, &payload, &it.Attempts, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("sent message %s:%s: %w", channel, platformID, bot.ErrNotFound)
	}
	if err != nil {
		return it, fmt.Errorf("sent message %s:%s: %w", channel, platformID, err)
	}
	if err := json.Unmarshal(payload, &it.Outbound); err != nil {
		return it, fmt.Errorf("outbox message %d: %w", it.ID, err)
	}
	it.ChatID, it.Created = chatID, fromMS(created)
	return it, nil
}

// ChatKnown reports whether a chat has written to the bot: a chat exists
// only once an inbound message arrived from it.
func (d *DB) ChatKnown(ctx context.Context, channel, platformID string) (bool, error) {
	var one int
	err := d.read.QueryRowContext(ctx, `SELECT 1 FROM chats WHERE channel = ? AND platform_id = ?`, channel, platformID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("chat %s:%s: %w", channel, platformID, err)
	}
	return true, nil
}

// dropTransient deletes outbox message id when it is transient (about a
// member who declined or was forgotten), and has the WAL emptied after
// the commit so its old page leaves the files too; the confirmation to a
// member just forgotten has the database rebuilt, as their erasure did.
func (t *Tx) dropTransient(id int64) error {
	var key string
	err := t.row(`DELETE FROM outbox WHERE id = ? AND `+t.db.dialect(`json_extract(payload, '$.transient')`, `(payload ->> 'transient')::boolean`)+` RETURNING key`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("drop transient outbox %d: %w", id, err)
	}
	if strings.HasPrefix(key, bot.ForgottenKeyPrefix) {
		t.db.askRebuild()
	}
	t.db.truncate.Store(true)
	return nil
}

// Unsent counts the outbox's messages due before before and neither sent
// nor given up, those being sent included (PendingOutbox leaves out what
// an instance has claimed): none means everything due has gone.
func (d *DB) Unsent(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND next_at < ?`, ms(before)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unsent: %w", err)
	}
	return n, nil
}
