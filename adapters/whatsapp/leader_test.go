package whatsapp

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/store"
)

// cuttable is a lease store that can be cut off, as an instance's network
// or machine dies: it then fails every call.
type cuttable struct {
	bot.Leases
	cut atomic.Bool
}

func (c *cuttable) Lease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if c.cut.Load() {
		return false, errors.New("the database is unreachable")
	}
	return c.Leases.Lease(ctx, name, holder, ttl, now)
}

// TestLeaderFailover: two instances of one number share a real database's
// leases. The first connects and holds the session; the second stands by.
// When the first can no longer reach the database it disconnects before
// its lease could lapse, and the second connects once it has: never both
// at once. Stopping the second gives the lease up, and the first, back,
// takes it over at once.
func TestLeaderFailover(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "huddle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const ttl = 600 * time.Millisecond
	leasesA := &cuttable{Leases: db}
	a := newHarness(t, Config{Leases: leasesA, Instance: "huddle-1", LeaseTTL: ttl})
	b := newHarness(t, Config{Leases: db, Instance: "huddle-2", LeaseTTL: ttl})
	for _, h := range []*harness{a, b} {
		h.w.cfg.Clock = bot.SystemClock{} // leases are in real time
	}
	connected := func(h *harness) bool {
		h.w.mu.Lock()
		defer h.w.mu.Unlock()
		return h.w.connected
	}
	var both atomic.Bool
	watch, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go func() {
		for watch.Err() == nil {
			if connected(a) && connected(b) {
				both.Store(true)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	run := func(h *harness) context.CancelFunc {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { h.w.Run(ctx, nopHandler{}); close(done) }()
		return func() { cancel(); <-done }
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		testkit.Eventually(t, 10*time.Second, what, func() bool { return (cond()) })
	}

	stopA := run(a)
	waitFor("the first instance to connect", func() bool { return connected(a) })
	stopB := run(b)
	time.Sleep(2 * ttl) // the first renews; the second waits
	if connected(b) {
		t.Fatal("the second instance connected while the first held the lease")
	}
	// Only the leader owns the number's chats (its messages go out).
	if !a.w.Leading() || b.w.Leading() {
		t.Errorf("leading: first %v, second %v; want the first alone", a.w.Leading(), b.w.Leading())
	}

	leasesA.cut.Store(true)
	cutAt := time.Now()
	waitFor("the first instance to let the session go", func() bool { return !connected(a) })
	waitFor("the second instance to take the session over", func() bool { return connected(b) })
	if a.w.Leading() || !b.w.Leading() {
		t.Errorf("after the take-over, leading: first %v, second %v; want the second alone", a.w.Leading(), b.w.Leading())
	}
	t.Logf("taken over %v after the first lost its database (lease %v)", time.Since(cutAt).Round(time.Millisecond), ttl)

	leasesA.cut.Store(false)
	stopB() // gives the lease up
	waitFor("the first instance to take the session back", func() bool { return connected(a) })
	stopA()
	stopWatch()
	if both.Load() {
		t.Error("both instances held the session at once")
	}
}

// nopHandler takes every event.
type nopHandler struct{}

func (nopHandler) HandleEvent(context.Context, bot.Event) error { return nil }
