package store

import (
	"context"
	"fmt"
	"time"
)

// SetChatRemoved records that the bot was removed from a group (removed)
// or is in it again; a group never seen is left alone.
func (t *Tx) SetChatRemoved(channel, platformID string, removed bool, at time.Time) error {
	var when any
	if removed {
		when = ms(at)
	}
	if _, err := t.exec(`UPDATE chats SET removed_at = ? WHERE channel = ? AND platform_id = ?`, when, channel, platformID); err != nil {
		return fmt.Errorf("set chat %s removed: %w", platformID, err)
	}
	return nil
}

// RemovedChats lists the platform ids of channel's groups that removed
// the bot and have not added it again, for the channel to send nothing
// there after a restart.
func (d *DB) RemovedChats(ctx context.Context, channel string) ([]string, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT platform_id FROM chats WHERE channel = ? AND removed_at IS NOT NULL ORDER BY platform_id`, channel)
	if err != nil {
		return nil, fmt.Errorf("removed chats of %s: %w", channel, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("removed chats of %s: %w", channel, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
