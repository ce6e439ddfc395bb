package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/store"
)

// TestRebuildGathered: erasures do not each rebuild the file while the
// program is busy: two erasures a moment apart, with other writes going
// on, are rebuilt once, at the first quiet moment after them; and a
// program that is never quiet gets its rebuild when the bound runs out.
func TestRebuildGathered(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T, within, quiet time.Duration) *store.DB {
		t.Helper()
		db, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetRebuild(within, quiet)
		return db
	}
	member := func(t *testing.T, db *store.DB, id string) int64 {
		t.Helper()
		var m bot.Member
		if err := db.Update(ctx, func(tx bot.Tx) (err error) { m, err = tx.EnsureMember("sim", id, "Name "+id, time.Now()); return err }); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	forget := func(t *testing.T, db *store.DB, id int64) {
		t.Helper()
		if err := db.Update(ctx, func(tx bot.Tx) error { return tx.ForgetMember(id, time.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	// busy writes every 20 ms until stop is closed.
	busy := func(t *testing.T, db *store.DB) (stop func()) {
		done, quit := make(chan struct{}), make(chan struct{})
		var n atomic.Int64
		go func() {
			defer close(done)
			for {
				select {
				case <-quit:
					return
				case <-time.After(20 * time.Millisecond):
				}
				db.Update(ctx, func(tx bot.Tx) error { _, err := tx.SeeEvent(fmt.Sprint("sim:x:y:", n.Add(1)), time.Now()); return err })
			}
		}()
		return func() { close(quit); <-done }
	}

	t.Run("at a quiet moment", func(t *testing.T) {
		db := open(t, time.Hour, 300*time.Millisecond)
		a, b := member(t, db, "a"), member(t, db, "b")
		stop := busy(t, db)
		forget(t, db, a)
		time.Sleep(100 * time.Millisecond)
		forget(t, db, b)
		time.Sleep(500 * time.Millisecond) // busy all along: no quiet moment yet
		if n := db.Rebuilds(); n != 0 {
			t.Errorf("%d rebuilds while the program was busy; want none yet", n)
		}
		stop()
		for deadline := time.Now().Add(10 * time.Second); db.Rebuilds() == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		}
		time.Sleep(500 * time.Millisecond)
		if n := db.Rebuilds(); n != 1 {
			t.Errorf("%d rebuilds for two erasures once quiet; want 1", n)
		}
	})
	t.Run("at the bound", func(t *testing.T) {
		db := open(t, 400*time.Millisecond, time.Hour)
		a := member(t, db, "a")
		stop := busy(t, db)
		defer stop()
		forget(t, db, a)
		for deadline := time.Now().Add(10 * time.Second); db.Rebuilds() == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		}
		if n := db.Rebuilds(); n != 1 {
			t.Errorf("%d rebuilds past the bound, busy all along; want 1", n)
		}
	})
}
