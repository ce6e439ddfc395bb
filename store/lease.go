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
