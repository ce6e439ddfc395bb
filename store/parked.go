package store

import (
	"context"
	"fmt"
	"time"
)

// Park keeps an inbound message that channel acknowledged before fetching
// its file (data, the channel's own encoding, under key), until Unpark:
// a restart finds it in Parked and fetches it again. sender is the
// sender's platform id, for erasure. Parking a key twice keeps the first.
func (d *DB) Park(ctx context.Context, channel, key, sender string, data []byte, at time.Time) error {
	return d.update(ctx, func(t *Tx) error {
		if _, err := t.exec(`INSERT INTO parked (channel, key, sender, data, parked_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			channel, key, sender, string(data), ms(at)); err != nil {
			return fmt.Errorf("park %s message: %w", channel, err)
		}
		return nil
	})
}

// Parked lists channel's parked messages, oldest first.
func (d *DB) Parked(ctx context.Context, channel string) ([][]byte, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT data FROM parked WHERE channel = ? ORDER BY parked_at, key`, channel)
	if err != nil {
		return nil, fmt.Errorf("parked %s messages: %w", channel, err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("parked %s messages: %w", channel, err)
		}
		out = append(out, []byte(data))
	}
	return out, rows.Err()
}

// Unpark deletes a parked message once handled.
func (d *DB) Unpark(ctx context.Context, channel, key string) error {
	return d.update(ctx, func(t *Tx) error {
		if _, err := t.exec(`DELETE FROM parked WHERE channel = ? AND key = ?`, channel, key); err != nil {
			return fmt.Errorf("unpark %s message: %w", channel, err)
		}
		return nil
	})
}
