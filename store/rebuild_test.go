package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
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
		testkit.Until(10*time.Second, func() bool { return db.Rebuilds() != 0 })
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
		testkit.Until(10*time.Second, func() bool { return db.Rebuilds() != 0 })
		if n := db.Rebuilds(); n != 1 {
			t.Errorf("%d rebuilds past the bound, busy all along; want 1", n)
		}
	})
}

// TestForgetWithLoadedRuns: a member is forgotten from a database whose
// runs were loaded in bulk (their engine state empty, as store.Loader
// leaves it): before, the steps that rewrite runs' states failed the
// whole erasure with "malformed JSON".
func TestForgetWithLoadedRuns(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	var member int64
	err = db.Load(ctx, func(l *store.Loader) error {
		m, err := l.Member("sim", "amina", "Amina", now)
		if err != nil {
			return err
		}
		member = m
		chat, err := l.Group("sim", "ward", "Ward 3", now)
		if err != nil {
			return err
		}
		if err := l.Join(chat, m, now, now); err != nil {
			return err
		}
		run, err := l.Run(bot.Run{LessonID: "hand-hygiene", ChatID: chat, StartedBy: m, Status: bot.RunDone, Started: now, Finished: now})
		if err != nil {
			return err
		}
		return l.Answer(bot.Answer{RunID: run, MemberID: m, Seq: 1, StepID: "q1", Value: "2", Correct: true, Points: 1, MaxPoints: 1, At: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx bot.Tx) error { return tx.ForgetMember(member, now) }); err != nil {
		t.Fatalf("forget a member of loaded runs: %v", err)
	}
}
