package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
)

// outboxChannel is the PostgreSQL notification channel on which an
// instance that handled a chat's event tells the chat's owner that
// messages may wait.
const outboxChannel = "huddle_outbox"

// maxPayload bounds one notification's payload: PostgreSQL's limit is
// 8000 bytes ("NOTIFY", PostgreSQL's documentation).
const maxPayload = 7900

// NotifyOutbox tells every instance listening (ListenOutbox) that
// messages may wait for the chats of leases: a notification of their
// names, space-separated (a few hundred a notification). Lease names hold
// no chat's platform id. On SQLite, which one process uses, it does
// nothing.
func (d *DB) NotifyOutbox(ctx context.Context, leases []string) error {
	if !d.pg {
		return nil
	}
	for len(leases) > 0 {
		var b strings.Builder
		for len(leases) > 0 && b.Len()+1+len(leases[0]) <= maxPayload {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(leases[0])
			leases = leases[1:]
		}
		if b.Len() == 0 {
			return fmt.Errorf("notify: a lease name of %d bytes", len(leases[0]))
		}
		if _, err := d.read.ExecContext(ctx, `SELECT pg_notify($1, $2)`, outboxChannel, b.String()); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	return nil
}

// OnQueued has fn told, after each commit on PostgreSQL, the leases of
// the chats for which the transaction (or the round of chats' turns)
// queued messages, so that an instance can tell those chats' owners
// (NotifyOutbox) only when there is something for them to send. fn must
// not block. On SQLite, which one process uses, fn is never called.
func (d *DB) OnQueued(fn func(leases []string)) {
	d.queued.Store(&fn)
}

// tellQueued passes the leases a commit queued messages for to OnQueued's
// function.
func (d *DB) tellQueued(leases []string) {
	if fn := d.queued.Load(); fn != nil && len(leases) > 0 {
		(*fn)(leases)
	}
}

// ListenOutbox calls heard with each lease named by NotifyOutbox, on this
// instance or another, until ctx ends (then nil) or the connection fails.
// It holds a connection of its own meanwhile. On SQLite it waits for ctx.
func (d *DB) ListenOutbox(ctx context.Context, heard func(lease string)) error {
	if !d.pg {
		<-ctx.Done()
		return nil
	}
	conn, err := d.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("listen: a %T, not pgx's connection", dc)
		}
		pc := c.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+outboxChannel); err != nil {
			return err
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// The connection listens still, or is broken: not one to
				// give back to the pool either way.
				return errors.Join(err, driver.ErrBadConn)
			}
			for lease := range strings.FieldsSeq(n.Payload) {
				heard(lease)
			}
		}
	})
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("listen: %w", err)
}
