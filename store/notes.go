package store

import (
	"context"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// WriteNotes keeps put in channel's notes, replacing those of the same
// keys, and deletes the notes whose keys are in drop, in one transaction
// (bot.Notebook).
func (d *DB) WriteNotes(ctx context.Context, channel string, put []bot.Note, drop []string) error {
	if len(put) == 0 && len(drop) == 0 {
		return nil
	}
	return d.update(ctx, func(t *Tx) error {
		for _, key := range drop {
			if _, err := t.exec(`DELETE FROM channel_notes WHERE channel = ? AND key = ?`, channel, key); err != nil {
				return fmt.Errorf("drop %s note: %w", channel, err)
			}
		}
		for _, n := range put {
			if _, err := t.exec(`INSERT INTO channel_notes (channel, key, member, data, noted_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (channel, key) DO UPDATE SET member = excluded.member, data = excluded.data, noted_at = excluded.noted_at`,
				channel, n.Key, n.Member, string(n.Data), ms(n.At)); err != nil {
				return fmt.Errorf("write %s note: %w", channel, err)
			}
		}
		return nil
	})
}

// Notes lists up to limit of channel's notes whose keys start with
// prefix (all when limit is 0), oldest first (bot.Notebook).
func (d *DB) Notes(ctx context.Context, channel, prefix string, limit int) ([]bot.Note, error) {
	q := `SELECT key, member, data, noted_at FROM channel_notes
		WHERE channel = ? AND substr(key, 1, length(?)) = ? ORDER BY noted_at, key`
	args := []any{channel, prefix, prefix}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := d.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s notes: %w", channel, err)
	}
	defer rows.Close()
	var out []bot.Note
	for rows.Next() {
		var (
			n    bot.Note
			data string
			at   int64
		)
		if err := rows.Scan(&n.Key, &n.Member, &data, &at); err != nil {
			return nil, fmt.Errorf("%s notes: %w", channel, err)
		}
		n.Data, n.At = []byte(data), fromMS(at)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s notes: %w", channel, err)
	}
	return out, nil
}

var _ bot.Notebook = (*DB)(nil)
