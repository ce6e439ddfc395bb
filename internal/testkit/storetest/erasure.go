package storetest

import (
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
)

// testIDsNeverReused: a forgotten member's number is never given to a
// new member, even when it was the highest (a row number would be): the
// xAPI actor member-N and the log lines that name members by number must
// not come to mean someone else.
func testIDsNeverReused(t *testing.T, open Opener) {
	db := open(t)
	var first, last bot.Member
	update(t, db, func(tx bot.Tx) (err error) {
		if first, err = tx.EnsureMember("sim", "amina", "Amina", t0); err != nil {
			return err
		}
		last, err = tx.EnsureMember("sim", "brigitte", "Brigitte", t0)
		return err
	})
	update(t, db, func(tx bot.Tx) error { return tx.ForgetMember(last.ID, t0) })
	update(t, db, func(tx bot.Tx) error {
		m, err := tx.EnsureMember("sim", "chinedu", "Chinedu", t0)
		if err == nil && m.ID <= last.ID {
			t.Errorf("a new member got number %d after members %d and %d (forgotten)", m.ID, first.ID, last.ID)
		}
		return err
	})
}

// testErasureScrubbed: after an erasure the store scrubs its files once
// the erasure's bound is reached: SQLite rebuilds the file, PostgreSQL
// vacuums the tables the erasure touched (every one of them exists).
func testErasureScrubbed(t *testing.T, open Opener) {
	db := open(t)
	db.SetRebuild(time.Millisecond, time.Millisecond)
	var m bot.Member
	update(t, db, func(tx bot.Tx) (err error) { m, err = tx.EnsureMember("sim", "amina", "Amina", t0); return err })
	update(t, db, func(tx bot.Tx) error { return tx.ForgetMember(m.ID, t0) })
	if !testkit.Until(20*time.Second, func() bool { return db.Rebuilds() > 0 }) {
		t.Error("the erasure was never scrubbed from the files")
	}
}
