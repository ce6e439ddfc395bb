package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
)

// TestClaims runs two instances' stores on one real PostgreSQL: each
// claims only the due messages and timers of the chats whose leases it
// holds; a row another transaction has locked is skipped, not waited for
// (FOR UPDATE SKIP LOCKED); a claim keeps a message from the chat's next
// owner until it lapses, and then the next owner sends it (the one
// message in flight when an instance died).
func TestClaims(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	open := func(name string) *DB {
		d, err := OpenPostgres(ctx, url, filepath.Join(t.TempDir(), "media"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		d.SetInstance(name, 30*time.Second)
		return d
	}
	a, b := open("a"), open("b")
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	const ttl = 15 * time.Second
	lease := func(d *DB, chat string) string { return d.ChatLease(bot.ChatKey("sim", chat)) }
	for _, c := range []struct {
		d    *DB
		chat string
	}{{a, "x"}, {b, "y"}} {
		if got, err := c.d.Lease(ctx, lease(c.d, c.chat), c.d.instance, ttl, now); !got || err != nil {
			t.Fatalf("%s takes %s: %v %v", c.d.instance, c.chat, got, err)
		}
	}
	var timer int64
	err := a.update(ctx, func(tx *Tx) error {
		for i, chat := range []string{"x", "y", "z", "x", "y"} {
			if err := tx.Enqueue(bot.Outbound{Channel: "sim", ChatID: chat, Text: chat, Key: "k" + string(rune('0'+i))}, now); err != nil {
				return err
			}
		}
		c, err := tx.EnsureChat("sim", "x", bot.Group, "X", now)
		if err != nil {
			return err
		}
		run := &bot.Run{LessonID: "l", ChatID: c.ID, Mode: "group", Status: bot.RunActive, State: []byte("{}"), Started: now, Updated: now}
		if err := tx.CreateRun(run); err != nil {
			return err
		}
		if err := tx.AddTimer(bot.Timer{RunID: run.ID, Seq: 1, Due: now}); err != nil {
			return err
		}
		return tx.row(`SELECT id FROM timers`).Scan(&timer)
	})
	if err != nil {
		t.Fatal(err)
	}
	chats := func(d *DB, at time.Time) []string {
		t.Helper()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		items, err := d.PendingOutbox(cctx, "sim", at, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.ChatID+":"+it.Key)
		}
		return out
	}
	if got := chats(a, now); len(got) != 2 || got[0] != "x:k0" || got[1] != "x:k3" {
		t.Errorf("a claims %q, want x's two messages in order", got)
	}
	// b's rows are locked by another transaction: skipped at once.
	tx, err := b.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT id FROM outbox WHERE chat_id = 'y' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if got := chats(b, now); len(got) != 0 {
		t.Errorf("b claims %q while its rows are locked; want them skipped", got)
	}
	tx.Rollback()
	if got := chats(b, now); len(got) != 2 || got[0] != "y:k1" {
		t.Errorf("b claims %q, want y's two messages", got)
	}
	if got := chats(a, now); len(got) != 2 {
		t.Errorf("a claims %q again, want its own two (its claim renewed)", got)
	}
	timers, err := b.DueTimers(ctx, now, 10)
	if err != nil || len(timers) != 0 {
		t.Errorf("b claims timers %+v, %v; want none of x's", timers, err)
	}
	if timers, err := a.DueTimers(ctx, now, 10); err != nil || len(timers) != 1 || timers[0].ID != timer {
		t.Errorf("a claims timers %+v, %v; want x's", timers, err)
	}

	// a dies: at 20 s its lease on x has lapsed and b takes x, but a's
	// claims hold its messages and timer until 30 s.
	later := now.Add(20 * time.Second)
	if got, _ := b.Lease(ctx, lease(b, "x"), "b", ttl, later); !got {
		t.Fatal("b did not take x once a's lease lapsed")
	}
	if got := chats(b, later); len(got) != 0 {
		t.Errorf("b claims %q while a's claims hold; want nothing", got)
	}
	if timers, _ := b.DueTimers(ctx, later, 10); len(timers) != 0 {
		t.Errorf("b claims timers %+v while a's claim holds", timers)
	}
	after := now.Add(31 * time.Second)
	for _, c := range []string{"x", "y"} {
		if got, err := b.Lease(ctx, lease(b, c), "b", ttl, after); !got || err != nil {
			t.Fatalf("b keeps %s: %v, %v", c, got, err)
		}
	}
	got := chats(b, after)
	if len(got) != 4 || got[0] != "x:k0" || got[1] != "y:k1" {
		t.Errorf("b claims %q once a's claims lapsed; want x's and y's, oldest first", got)
	}
	if timers, _ := b.DueTimers(ctx, after, 10); len(timers) != 1 {
		t.Errorf("b claims timers %+v once a's claim lapsed; want x's", timers)
	}
	// z is no one's: no one sends it until someone owns it.
	for _, m := range got {
		if m[0] == 'z' {
			t.Errorf("b claimed %s, a chat it does not own", m)
		}
	}
}
