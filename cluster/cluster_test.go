package cluster_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cluster"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/store"
)

// fakeRouter records the events and work passed to it, as the bot's Router
// would handle them.
type fakeRouter struct {
	mu     sync.Mutex
	events []string
}

func (r *fakeRouter) Submit(_ context.Context, ev bot.Event) <-chan error {
	r.mu.Lock()
	r.events = append(r.events, ev.ChatID+":"+ev.Text)
	r.mu.Unlock()
	done := make(chan error, 1)
	done <- nil
	return done
}

func (r *fakeRouter) InTurn(ctx context.Context, key string, fn func(context.Context) error) <-chan error {
	done := make(chan error, 1)
	done <- fn(ctx)
	return done
}

func (r *fakeRouter) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// node is one instance: its own store on the shared database, a router,
// and the node running until stop.
type node struct {
	*cluster.Node
	r    *fakeRouter
	stop context.CancelFunc
	done chan struct{}
}

func start(t *testing.T, url, name string, ttl time.Duration) *node {
	return startOn(t, open(t, url), name, ttl, 10*time.Millisecond)
}

// open opens a store on the database at url for the test's length.
func open(t *testing.T, url string) *store.DB {
	db, err := store.OpenPostgres(context.Background(), url, filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// startOn starts a node on st, reading its inbox every poll, its
// configuration changed by change.
func startOn(t *testing.T, st cluster.Store, name string, ttl, poll time.Duration, change ...func(*cluster.Config)) *node {
	r := &fakeRouter{}
	cfg := cluster.Config{Store: st, Router: r, Name: name, TTL: ttl, Poll: poll}
	for _, f := range change {
		f(&cfg)
	}
	n := cluster.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	nd := &node{Node: n, r: r, stop: cancel, done: done}
	t.Cleanup(func() { cancel(); <-done })
	return nd
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, what, func() bool { return (cond()) })
}

// TestOwnersAndHandOver runs two nodes on one real PostgreSQL. A chat's
// first event makes the node that received it the owner; the other node
// hands the chat's later events over through the database, and the owner
// handles them in order; the scheduler's work for a chat runs on its
// owner only. When the owner dies, its chat waits no longer than its
// lease: the other node adopts it, with the events kept for it.
func TestOwnersAndHandOver(t *testing.T) {
	url := pgtest.URL(t)
	const ttl = 600 * time.Millisecond
	n1, n2 := start(t, url, "one", ttl), start(t, url, "two", ttl)
	ctx := context.Background()
	ev := func(chat, text string) bot.Event {
		return bot.Event{ID: chat + text, Channel: "sim", ChatID: chat, ChatType: bot.Group, Text: text}
	}
	if err := n1.HandleEvent(ctx, ev("ward", "a")); err != nil {
		t.Fatal(err)
	}
	if err := n2.HandleEvent(ctx, ev("clinic", "a")); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		// Alternate: the ward's events reach either node; all go to one.
		n := []*node{n1, n2}[i%2]
		if err := n.HandleEvent(ctx, ev("ward", fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"ward:a", "ward:0", "ward:1", "ward:2", "ward:3", "ward:4"}
	waitFor(t, "ward's events on its owner", func() bool { return len(n1.r.got()) == len(want) })
	if got := n1.r.got(); !slices.Equal(got, want) {
		t.Errorf("the ward's owner handled %q, want %q in order", got, want)
	}
	if got := n2.r.got(); !slices.Equal(got, []string{"clinic:a"}) {
		t.Errorf("node two handled %q, want only the clinic's event", got)
	}
	ran := 0
	for _, n := range []*node{n1, n2} {
		if err := <-n.InTurn(ctx, bot.ChatKey("sim", "ward"), func(context.Context) error { ran++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if ran != 1 {
		t.Errorf("the ward's scheduled work ran %d times over two nodes, want once (on its owner)", ran)
	}

	// Node one dies; an event for its ward reaches node two, which keeps
	// it for the owner until the lease lapses, then adopts the ward.
	n1.stop()
	<-n1.done
	died := time.Now()
	if err := n2.HandleEvent(ctx, ev("ward", "after")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ward adopted", func() bool { return slices.Contains(n2.r.got(), "ward:after") })
	if took := time.Since(died); took < ttl/2 {
		t.Errorf("node two took the ward %s after node one stopped: before its lease could lapse", took)
	}
	t.Logf("the ward was handed over %s after its owner stopped (lease %s)", time.Since(died).Round(time.Millisecond), ttl)
	if len(n1.r.got()) != len(want) {
		t.Errorf("node one handled %q after it stopped", n1.r.got())
	}
}

// TestAlone: a program-wide job wrapped by Alone runs on one of two
// instances, the same one each time.
func TestAlone(t *testing.T) {
	url := pgtest.URL(t)
	n1, n2 := start(t, url, "one", time.Second), start(t, url, "two", time.Second)
	var ran []string
	for range 3 {
		for _, n := range []struct {
			node *node
			name string
		}{{n1, "one"}, {n2, "two"}} {
			job := n.node.Alone(bot.Job{Name: "weekly summaries", Every: time.Minute,
				Run: func(context.Context, bot.ChatQueue) error { ran = append(ran, n.name); return nil }}).Run
			if err := job(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !slices.Equal(ran, []string{"one", "one", "one"}) {
		t.Errorf("the job ran on %q; want the first instance's each time, and never both", ran)
	}
}

// slowInbox is a store whose inbox reads take a while to come back, as
// over a slow network: events are handled and deleted meanwhile.
type slowInbox struct {
	cluster.Store
	reads atomic.Int64
}

func (s *slowInbox) Inbox(ctx context.Context, holder, lease string, now time.Time, limit int) ([]bot.InboxItem, error) {
	items, err := s.Store.Inbox(ctx, holder, lease, now, limit)
	time.Sleep(50 * time.Millisecond)
	s.reads.Add(1)
	return items, err
}

// TestInboxPassedOnce: an event kept in the inbox reaches its chat's
// owner once, even when the owner's next read of the inbox began before
// the event was handled and deleted and comes back after.
func TestInboxPassedOnce(t *testing.T) {
	url := pgtest.URL(t)
	db := open(t, url)
	slow := &slowInbox{Store: db}
	owner := startOn(t, slow, "owner", 2*time.Second, time.Millisecond)
	r, ctx := owner.r, context.Background()
	other := start(t, url, "other", 2*time.Second)

	ev := func(text string) bot.Event {
		return bot.Event{ID: "ward" + text, Channel: "sim", ChatID: "ward", ChatType: bot.Group, Text: text}
	}
	if err := owner.HandleEvent(ctx, ev("a")); err != nil {
		t.Fatal(err)
	}
	want := []string{"ward:a"}
	for i := range 5 {
		if err := other.HandleEvent(ctx, ev(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("ward:%d", i))
	}
	waitFor(t, "the ward's events on its owner", func() bool { return len(r.got()) >= len(want) })
	// Let the owner read its inbox a few more times after the last
	// event was deleted: a stale read would pass it on again.
	waitFor(t, "the inbox emptied", func() bool {
		w, err := db.InboxWaiting(ctx, db.ChatLease(bot.ChatKey("sim", "ward")))
		return err == nil && !w
	})
	for after := slow.reads.Load() + 4; slow.reads.Load() < after; {
		time.Sleep(10 * time.Millisecond)
	}
	if got := r.got(); !slices.Equal(got, want) {
		t.Errorf("the owner handled %q, want %q: each once, in order", got, want)
	}
}

// TestAloneDaily: a daily job (retention's purge) runs once a day over
// two instances however far apart they started, and the other instance
// takes it over once its holder has missed a day's run.
func TestAloneDaily(t *testing.T) {
	url := pgtest.URL(t)
	clock := huddletest.NewClock()
	var ran []string
	jobs := map[string]func(context.Context, bot.ChatQueue) error{}
	for _, name := range []string{"one", "two"} {
		n := cluster.New(cluster.Config{Store: open(t, url), Router: &fakeRouter{}, Name: name, TTL: time.Second, Clock: clock})
		jobs[name] = n.Alone(bot.Job{Name: "retention", Every: 24 * time.Hour,
			Run: func(context.Context, bot.ChatQueue) error { ran = append(ran, name); return nil }}).Run
	}
	run := func(name string) {
		if err := jobs[name](context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		// Each instance runs the job a day after its last run; two
		// started ten minutes after one.
		run("one")
		clock.Advance(10 * time.Minute)
		run("two")
		clock.Advance(24*time.Hour - 10*time.Minute)
	}
	if !slices.Equal(ran, []string{"one", "one", "one"}) {
		t.Fatalf("the daily job ran on %q, want once a day on the first instance", ran)
	}
	// One dies: two's next runs find the lease still held, then take it.
	ran = nil
	clock.Advance(10 * time.Minute)
	for range 3 {
		run("two")
		clock.Advance(24 * time.Hour)
	}
	if !slices.Equal(ran, []string{"two", "two"}) {
		t.Errorf("after the first instance stopped, the job ran on %q, want the second's from its second day", ran)
	}
}

// TestInstancesCounted: each node counts the instances running, itself
// among them, and hears of a change within a quarter of the lease: one
// that joins settles (may send) only once the others have counted it;
// one that stops releases its own lease at once; one that dies is
// counted out once its lease lapses.
func TestInstancesCounted(t *testing.T) {
	url := pgtest.URL(t)
	const ttl = 800 * time.Millisecond
	settled := func(n *node) bool {
		select {
		case <-n.Settled():
			return true
		default:
			return false
		}
	}
	n1 := start(t, url, "one", ttl)
	waitFor(t, "one instance counted", func() bool { return n1.Instances() == 1 })
	waitFor(t, "the first instance settled", func() bool { return settled(n1) })
	// Two joins one: it sends nothing until one has counted it, so that
	// together they keep within the bot's rate.
	n2 := start(t, url, "two", ttl)
	waitFor(t, "two instances counted by the new one", func() bool { return n2.Instances() == 2 })
	if settled(n2) && n1.Instances() != 2 {
		t.Error("the second instance settled before the first counted it")
	}
	waitFor(t, "the second instance settled", func() bool { return settled(n2) })
	if n1.Instances() != 2 {
		t.Errorf("the second instance settled while the first counts %d", n1.Instances())
	}
	n3 := start(t, url, "three", ttl)
	for _, n := range []*node{n1, n2, n3} {
		waitFor(t, "three instances counted", func() bool { return n.Instances() == 3 })
	}
	if got := n1.Running(); !slices.Equal(got, []string{"one", "three", "two"}) {
		t.Errorf("running: %q, want one, three and two", got)
	}
	// Three stops: it gives up its lease, and the others count two well
	// before the lease could have lapsed.
	n3.stop()
	<-n3.done
	stopped := time.Now()
	for _, n := range []*node{n1, n2} {
		waitFor(t, "two instances counted", func() bool { return n.Instances() == 2 })
	}
	if took := time.Since(stopped); took >= ttl {
		t.Errorf("the stop was counted after %s, as if the lease (%s) had lapsed", took, ttl)
	}
	// An instance that died (its lease held, not renewed) counts until
	// the lease lapses.
	if _, err := open(t, url).Lease(context.Background(), "instance:ghost", "ghost", ttl, time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the dead instance counted", func() bool { return n1.Instances() == 3 })
	waitFor(t, "the dead instance counted out", func() bool { return n1.Instances() == 2 && n2.Instances() == 2 })
}

// countingStore counts the owner's looks in the inbox before its events.
type countingStore struct {
	cluster.Store
	looks atomic.Int64
}

func (s *countingStore) InboxWaiting(ctx context.Context, lease string) (bool, error) {
	s.looks.Add(1)
	return s.Store.InboxWaiting(ctx, lease)
}

// TestAloneSkipsTheInbox: an instance that runs alone does not look in the
// inbox before each of its events (nothing can be kept for it); one that
// joins keeps nothing for it until it has been counted, so a chat's order
// holds: the event the newcomer received first is handled first.
func TestAloneSkipsTheInbox(t *testing.T) {
	url := pgtest.URL(t)
	counting := &countingStore{Store: open(t, url)}
	// It reads the inbox on its own only once an hour: events kept for it
	// reach it when it looks before its own.
	const ttl = 4 * time.Second
	one := startOn(t, counting, "one", ttl, time.Hour)
	r, ctx := one.r, context.Background()
	waitFor(t, "the first instance settled", func() bool {
		select {
		case <-one.Settled():
			return true
		default:
			return false
		}
	})
	ev := func(text string) bot.Event {
		return bot.Event{ID: "ward" + text, Channel: "sim", ChatID: "ward", ChatType: bot.Group, Text: text}
	}
	for _, text := range []string{"a", "b", "c"} {
		if err := one.HandleEvent(ctx, ev(text)); err != nil {
			t.Fatal(err)
		}
	}
	if n := counting.looks.Load(); n != 0 {
		t.Errorf("alone, the instance looked in the inbox %d times before its events", n)
	}
	// Two starts and at once receives an event for one's chat; one
	// receives the next.
	two := start(t, url, "two", ttl)
	if err := two.HandleEvent(ctx, ev("d")); err != nil {
		t.Fatal(err)
	}
	if err := one.HandleEvent(ctx, ev("e")); err != nil {
		t.Fatal(err)
	}
	want := []string{"ward:a", "ward:b", "ward:c", "ward:d", "ward:e"}
	waitFor(t, "the ward's events", func() bool { return len(r.got()) >= len(want) })
	if got := r.got(); !slices.Equal(got, want) {
		t.Errorf("the ward's owner handled %q, want %q in order", got, want)
	}
	if counting.looks.Load() == 0 {
		t.Error("with another instance running, the owner did not look in the inbox before its event")
	}
}

// TestSingleSessionChats: the chats of a channel one instance at a time
// may use (WhatsApp's session) are owned by the instance leading it, which
// alone can send there: another neither takes nor adopts them, and keeps
// their events for the leader; when the lead moves, the old leader gives
// its chats up and the new one takes them.
func TestSingleSessionChats(t *testing.T) {
	url := pgtest.URL(t)
	const ttl = 800 * time.Millisecond
	var leader atomic.Value
	leader.Store("one")
	elsewhere := func(name string) func(*cluster.Config) {
		return func(c *cluster.Config) {
			c.Elsewhere = func() []string {
				if leader.Load() != name {
					return []string{"whatsapp"}
				}
				return nil
			}
		}
	}
	one := startOn(t, open(t, url), "one", ttl, 10*time.Millisecond, elsewhere("one"))
	two := startOn(t, open(t, url), "two", ttl, 10*time.Millisecond, elsewhere("two"))
	ctx := context.Background()
	ev := func(chat, text string) bot.Event {
		return bot.Event{ID: chat + text, Channel: "whatsapp", ChatID: chat, ChatType: bot.Group, Text: text}
	}
	// Two receives the first event of a chat no one owns: it keeps it for
	// the leader, which adopts the chat.
	if err := two.HandleEvent(ctx, ev("ward", "a")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the leader handling the ward's event", func() bool { return slices.Equal(one.r.got(), []string{"ward:a"}) })
	// Two's scheduled work for a chat of the channel is not its to do.
	ran := false
	if err := <-two.InTurn(ctx, bot.ChatKey("whatsapp", "clinic"), func(context.Context) error { ran = true; return nil }); err != nil || ran {
		t.Errorf("two ran a WhatsApp chat's work (%v): only the leader may own it", err)
	}
	// Another channel's chats are anyone's.
	if err := two.HandleEvent(ctx, bot.Event{ID: "tg1", Channel: "telegram", ChatID: "-100", ChatType: bot.Group, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if got := two.r.got(); !slices.Equal(got, []string{"-100:hi"}) {
		t.Errorf("two handled %q, want the Telegram chat's event alone", got)
	}
	// The lead moves to two: one gives the ward up, and two takes it.
	leader.Store("two")
	waitFor(t, "one giving the ward up", func() bool { return len(one.Owned()) == 0 })
	if err := two.HandleEvent(ctx, ev("ward", "b")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new leader handling the ward's event", func() bool { return slices.Contains(two.r.got(), "ward:b") })
	if got := one.r.got(); !slices.Equal(got, []string{"ward:a"}) {
		t.Errorf("the old leader handled %q after the lead moved", got)
	}
}
