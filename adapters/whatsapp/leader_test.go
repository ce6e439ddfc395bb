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
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/store"
	"go.mau.fi/whatsmeow/types/events"
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

func (c *cuttable) Release(ctx context.Context, name, holder string) error {
	if c.cut.Load() {
		return errors.New("the database is unreachable")
	}
	return c.Leases.Release(ctx, name, holder)
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

// leaderPair is two instances of one number on one database's leases,
// the first leading: their harnesses, the first's cuttable leases, and a
// watch that records whether both were ever connected at once.
type leaderPair struct {
	a, b    *harness
	leasesA *cuttable
	both    atomic.Bool
	stopA   func()
	doneA   chan struct{}
}

// With shared, a PostgreSQL database's URL, the instances keep their
// leases there and share the session kept there (paired once); else each
// has a session file of its own and the leases are in a SQLite file.
func newLeaderPair(t *testing.T, ttl time.Duration, shared string) *leaderPair {
	t.Helper()
	database := filepath.Join(t.TempDir(), "huddle.db")
	if shared != "" {
		database = shared
		pairDevice(t, shared, theBot.pn, theBot.lid)
	}
	db, err := store.OpenDatabase(context.Background(), database, filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := &leaderPair{leasesA: &cuttable{Leases: db}}
	p.a = newHarness(t, Config{SessionDB: shared, Leases: p.leasesA, Instance: "huddle-1", LeaseTTL: ttl})
	p.b = newHarness(t, Config{SessionDB: shared, Leases: db, Instance: "huddle-2", LeaseTTL: ttl})
	for _, h := range []*harness{p.a, p.b} {
		h.w.cfg.Clock = bot.SystemClock{} // leases are in real time
	}
	watch, stopWatch := context.WithCancel(context.Background())
	go func() {
		for watch.Err() == nil {
			if connectedNow(p.a) && connectedNow(p.b) {
				p.both.Store(true)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	ctxA, cancelA := context.WithCancel(context.Background())
	p.doneA = make(chan struct{})
	go func() { p.a.w.Run(ctxA, nopHandler{}); close(p.doneA) }()
	testkit.Eventually(t, 10*time.Second, "the first instance to connect", func() bool { return connectedNow(p.a) })
	ctxB, cancelB := context.WithCancel(context.Background())
	doneB := make(chan struct{})
	go func() { p.b.w.Run(ctxB, nopHandler{}); close(doneB) }()
	p.stopA = func() { cancelA(); <-p.doneA }
	t.Cleanup(func() { cancelB(); <-doneB; p.stopA(); stopWatch() })
	return p
}

// connectedNow reports whether h's adapter is connected.
func connectedNow(h *harness) bool {
	h.w.mu.Lock()
	defer h.w.mu.Unlock()
	return h.w.connected
}

// TestRedialWaitsForTheLease: an instance banned while it led, which then
// lost the lease to another, does not reconnect when the ban ends: the
// instance holding the lease has the session, and two connections would
// probe one account.
func TestRedialWaitsForTheLease(t *testing.T) {
	const ttl = 300 * time.Millisecond
	p := newLeaderPair(t, ttl, "")
	p.a.w.onEvent(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 4 * ttl})
	p.leasesA.cut.Store(true)
	testkit.Eventually(t, 10*time.Second, "the second instance to take the session over", func() bool { return connectedNow(p.b) })
	p.leasesA.cut.Store(false)
	time.Sleep(6 * ttl) // the ban ends meanwhile; the first must not redial
	if p.both.Load() || connectedNow(p.a) {
		t.Error("the first instance reconnected after its ban though the second held the session")
	}
}

// TestReplacedGivesTheLeaseUp: when another client takes the session over
// the leader (StreamReplaced), it gives the lease up at once, so the
// standby connects, and it stands by without ending its Run (its other
// channels go on).
func TestReplacedGivesTheLeaseUp(t *testing.T) {
	p := newLeaderPair(t, 300*time.Millisecond, "")
	p.a.w.onEvent(&events.StreamReplaced{})
	testkit.Eventually(t, 10*time.Second, "the second instance to take the session over", func() bool { return connectedNow(p.b) })
	if p.a.w.Leading() || connectedNow(p.a) {
		t.Errorf("the replaced instance: leading %v, connected %v; want neither", p.a.w.Leading(), connectedNow(p.a))
	}
	select {
	case <-p.doneA:
		t.Error("the replaced instance's Run ended; it should stand by")
	case <-time.After(100 * time.Millisecond):
	}
}

// TestSharedSessionFailover: with the session kept in PostgreSQL
// (whatsmeow's own store, on the tests' server), two instances of one
// number both find it paired: the first connects, the second stands by,
// and when the first can no longer reach the database (as when its
// machine dies) the second takes the session over once the lease lapses,
// never both at once.
func TestSharedSessionFailover(t *testing.T) {
	const ttl = 600 * time.Millisecond
	p := newLeaderPair(t, ttl, pgtest.URL(t))
	if !p.a.w.Paired() || !p.b.w.Paired() {
		t.Fatalf("paired: first %v, second %v; want both, from the one session", p.a.w.Paired(), p.b.w.Paired())
	}
	if p.b.w.Leading() {
		t.Error("the second instance leads while the first holds the lease")
	}
	p.leasesA.cut.Store(true)
	cutAt := time.Now()
	testkit.Eventually(t, 30*time.Second, "the second instance to take the session over", func() bool { return connectedNow(p.b) })
	t.Logf("taken over %v after the first lost its database (lease %v)", time.Since(cutAt).Round(time.Millisecond), ttl)
	if p.both.Load() {
		t.Error("both instances held the session at once")
	}
	if ids, err := p.b.w.container.GetAllDevices(context.Background()); err != nil || len(ids) != 1 {
		t.Errorf("the session holds %d devices (%v); want the one", len(ids), err)
	}
}

// TestSendOnlyWhileLeading: with several instances, a message is sent
// only while this instance holds the session's lease, checked at each
// send: connected but without the lease (it lapsed, and the connection is
// not yet down), the adapter refuses, to try again later.
func TestSendOnlyWhileLeading(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "huddle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Leases: db, Instance: "huddle-1"})
	h.connect()
	_, err = h.w.Send(context.Background(), bot.Outbound{Channel: Name, ChatID: group.String(), Key: "k1", Text: "Hello"})
	var retry *bot.RetryError
	if !errors.As(err, &retry) || len(h.net.messages()) != 0 {
		t.Fatalf("send without the lease: %v, %d sent; want a refusal to retry, nothing sent", err, len(h.net.messages()))
	}
	h.w.leading.Store(true)
	if _, err := h.w.Send(context.Background(), bot.Outbound{Channel: Name, ChatID: group.String(), Key: "k2", Text: "Hello"}); err != nil {
		t.Fatalf("send holding the lease: %v", err)
	}
}
