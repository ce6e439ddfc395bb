package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// SQLite's result codes of a store that cannot write (the primary code:
// its low byte): a read-only file, an I/O error, a full disk, a file it
// cannot open.
const (
	sqliteReadOnly  = 8
	sqliteIOErr     = 10
	sqliteFull      = 13
	sqliteCantOpen  = 14
	probeWriteEvery = 5 * time.Second
)

// storageFault reports whether err says the database's files cannot be
// written, rather than that one transaction was refused.
func storageFault(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqliteReadOnly, sqliteIOErr, sqliteFull, sqliteCantOpen:
		return true
	}
	return false
}

// writeHealth remembers whether the last commit could write.
type writeHealth struct {
	mu     sync.Mutex
	fault  error     // the last storage fault, nil once a commit succeeds
	probed time.Time // when Writable last wrote to find out
}

// committed records a commit's outcome: a success clears a fault; err a
// storage fault sets it; any other error changes nothing.
func (h *writeHealth) committed(err error) {
	if err != nil && !storageFault(err) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fault = err
}

// Writable reports whether the store can write: nil while commits
// succeed; after one failed for the storage itself (a full disk, an I/O
// error, a read-only file), that failure, until a commit succeeds again.
// While failing it writes a row of its own at most every five seconds to
// find out, so a quiet program is seen to recover. On PostgreSQL the
// server answers for its storage: nil.
func (d *DB) Writable(ctx context.Context) error {
	if d.pg {
		return nil
	}
	h := &d.health
	h.mu.Lock()
	fault, due := h.fault, time.Since(h.probed) >= probeWriteEvery
	if fault != nil && due {
		h.probed = time.Now()
	}
	h.mu.Unlock()
	if fault == nil || !due {
		return fault
	}
	err := d.update(ctx, func(t *Tx) error {
		_, err := t.exec(`UPDATE secrets SET value = value WHERE name = 'subject'`)
		return err
	})
	if err != nil {
		if storageFault(err) {
			return fmt.Errorf("the database cannot be written: %w", err)
		}
		return fault
	}
	return nil
}
