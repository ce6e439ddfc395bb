package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lease takes or renews the lease name for holder until now+ttl, and
// reports whether holder has it: it is free, holder's already, or its
// holder let it lapse. One statement, so two instances asking at once
// cannot both get it.
func (d *DB) Lease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	var got string
	err := d.update(ctx, func(t *Tx) error {
		err := t.row(`INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4
			RETURNING holder`, name, holder, ms(now.Add(ttl)), ms(now)).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			got = ""
			return nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return got == holder, nil
}

// LiveLeases lists the names of the leases starting with prefix that
// someone holds at now, in order.
func (d *DB) LiveLeases(ctx context.Context, prefix string, now time.Time) ([]string, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT name FROM leases
		WHERE substr(name, 1, length(?1)) = ?1 AND expires_at > ?2 ORDER BY name`, prefix, ms(now))
	if err != nil {
		return nil, fmt.Errorf("leases %s…: %w", prefix, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("leases %s…: %w", prefix, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Release gives up holder's lease name, so another instance need not
// wait for it to lapse.
func (d *DB) Release(ctx context.Context, name, holder string) error {
	err := d.update(ctx, func(t *Tx) error {
		_, err := t.exec(`DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
