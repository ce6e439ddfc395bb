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
// would handle them; with a store, it queues a reply to each event but
// those saying "quiet", in the chat's turn.
type fakeRouter struct {
	db     *store.DB
	mu     sync.Mutex
	events []string
}

func (r *fakeRouter) Submit(ctx context.Context, ev bot.Event) <-chan error {
	r.mu.Lock()
	r.events = append(r.events, ev.ChatID+":"+ev.Text)
	r.mu.Unlock()
	done := make(chan error, 1)
	if r.db == nil || ev.Text == "quiet" {
		done <- nil
		return done
	}
	ctx = bot.InTurnOf(ctx, bot.ChatKey(ev.Channel, ev.ChatID))
	done <- r.db.Update(ctx, func(tx bot.Tx) error {
		return tx.Enqueue(bot.Outbound{Key: "re:" + ev.ID, Channel: ev.Channel, ChatID: ev.ChatID, Text: "re: " + ev.Text}, time.Now())
	})
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
// and the node running until stop; woken counts its sender's wakings.
type node struct {
	*cluster.Node
	r     *fakeRouter
	woken atomic.Int64
	stop  context.CancelFunc
	done  chan struct{}
}

func start(t *testing.T, url, name string, ttl time.Duration) *node {
	return startOn(t, open(t, url), name, ttl)
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

// startOn starts a node on st, its configuration changed by change.
func startOn(t *testing.T, st cluster.Store, name string, ttl time.Duration, change ...func(*cluster.Config)) *node {
	nd := &node{r: &fakeRouter{}}
	if db, ok := st.(*store.DB); ok {
		nd.r.db = db
	}
	cfg := cluster.Config{Store: st, Router: nd.r, Name: name, TTL: ttl, Wake: func() { nd.woken.Add(1) }}
	for _, f := range change {
		f(&cfg)
	}
	nd.Node = cluster.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	nd.stop, nd.done = cancel, make(chan struct{})
	go func() { nd.Run(ctx); close(nd.done) }()
	t.Cleanup(func() { cancel(); <-nd.done })
	return nd
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, what, func() bool { return (cond()) })
}

// TestAnyInstanceHandles runs two nodes on one real PostgreSQL. A chat's
// first event makes the node that received it the owner; either node
// handles the chat's later events itself, and the owner's sender is woken
// when the other did (the replies are the owner's to send); the
// scheduler's work for a chat runs on its owner only. When the owner
// dies, the other takes the chat once its lease lapses, not before.
func TestAnyInstanceHandles(t *testing.T) {
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
	ward := open(t, url).ChatLease(bot.ChatKey("sim", "ward"))
	if got := n1.Owned(); !slices.Equal(got, []string{ward}) {
		t.Fatalf("node one owns %q, want the ward alone", got)
	}
	for i := range 4 {
		// Alternate: the ward's events reach either node, which handles
		// each.
		n := []*node{n1, n2}[i%2]
		if err := n.HandleEvent(ctx, ev("ward", fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := n1.r.got(), []string{"ward:a", "ward:0", "ward:2"}; !slices.Equal(got, want) {
		t.Errorf("node one handled %q, want %q", got, want)
	}
	if got, want := n2.r.got(), []string{"clinic:a", "ward:1", "ward:3"}; !slices.Equal(got, want) {
		t.Errorf("node two handled %q, want %q", got, want)
	}
	waitFor(t, "the ward's owner woken by node two's events", func() bool { return n1.woken.Load() > 0 })
	if n := n2.woken.Load(); n != 0 {
		t.Errorf("node two's sender was woken %d times: it owns no chat another handled", n)
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

	// Node one dies; node two handles the ward's events meanwhile, and
	// takes the ward once its lease has lapsed.
	n1.stop()
	<-n1.done
	died := time.Now()
	for i := 0; !slices.Contains(n2.Owned(), ward); i++ {
		if err := n2.HandleEvent(ctx, ev("ward", fmt.Sprint("after", i))); err != nil {
			t.Fatal(err)
		}
		if time.Since(died) > 10*time.Second {
			t.Fatal("node two did not take the ward in 10 s")
		}
		time.Sleep(ttl / 20)
	}
	if took := time.Since(died); took < ttl/2 {
		t.Errorf("node two took the ward %s after node one stopped: before its lease could lapse", took)
	}
	t.Logf("the ward was taken over %s after its owner stopped (lease %s)", time.Since(died).Round(time.Millisecond), ttl)
	if len(n1.r.got()) != 3 {
		t.Errorf("node one handled %q after it stopped", n1.r.got())
	}
}

// TestOwnerTold: an instance that handled an event of a chat another owns
// tells the owner (a notification on PostgreSQL) when the event queued
// messages, which only the owner sends, and not when it queued none, as
// most quiz answers do.
func TestOwnerTold(t *testing.T) {
	url := pgtest.URL(t)
	n1, n2 := start(t, url, "one", time.Minute), start(t, url, "two", time.Minute)
	ctx := context.Background()
	ev := func(chat, text string) bot.Event {
		return bot.Event{ID: chat + text, Channel: "sim", ChatID: chat, ChatType: bot.Group, Text: text}
	}
	for _, chat := range []string{"ward", "lab"} {
		if err := n1.HandleEvent(ctx, ev(chat, "quiet")); err != nil {
			t.Fatal(err)
		}
	}
	listener := open(t, url)
	ward, lab := listener.ChatLease(bot.ChatKey("sim", "ward")), listener.ChatLease(bot.ChatKey("sim", "lab"))
	if got := n1.Owned(); len(got) != 2 {
		t.Fatalf("node one owns %q, want the ward and the lab", got)
	}
	heard := make(chan string, 64)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go listener.ListenOutbox(lctx, func(lease string) { heard <- lease })
	pgtest.Listening(t, func() error { return listener.NotifyOutbox(ctx, []string{"probe"}) }, heard)

	n1.woken.Store(0)
	if err := n2.HandleEvent(ctx, ev("ward", "quiet")); err != nil {
		t.Fatal(err)
	}
	if err := n2.HandleEvent(ctx, ev("lab", "hello")); err != nil {
		t.Fatal(err)
	}
	// Node two tells the owners in the order it handled their events: by
	// the lab's notification the ward's would have come.
	timeout := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case l := <-heard:
			switch l {
			case ward:
				t.Error("the ward's owner was told of an event that queued no message")
			case lab:
				done = true
			}
		case <-timeout:
			t.Fatal("the lab's owner was not told of the reply node two queued")
		}
	}
	waitFor(t, "the lab's owner woken", func() bool { return n1.woken.Load() > 0 })
	if n := n2.woken.Load(); n != 0 {
		t.Errorf("node two's sender was woken %d times: it owns no chat", n)
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

// TestSingleSessionChats: the chats of a channel one instance at a time
// may use (WhatsApp's session) are owned by the instance leading it, which
// alone can send there: another handles an event of one it receives (in
// practice only the leader receives them) but neither takes nor adopts
// the chat, which the leader adopts once its messages wait; when the lead
// moves, the old leader gives its chats up and the new one takes them.
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
	db := open(t, url)
	one := startOn(t, open(t, url), "one", ttl, elsewhere("one"))
	two := startOn(t, open(t, url), "two", ttl, elsewhere("two"))
	ctx := context.Background()
	ev := func(chat, text string) bot.Event {
		return bot.Event{ID: chat + text, Channel: "whatsapp", ChatID: chat, ChatType: bot.Group, Text: text}
	}
	ward := db.ChatLease(bot.ChatKey("whatsapp", "ward"))
	// Two receives the first event of a chat no one owns: it handles it,
	// and does not take the chat.
	if err := two.HandleEvent(ctx, ev("ward", "a")); err != nil {
		t.Fatal(err)
	}
	if got := two.r.got(); !slices.Equal(got, []string{"ward:a"}) || len(two.Owned()) != 0 {
		t.Errorf("two handled %q and owns %q; want the ward's event handled, and no chat owned", got, two.Owned())
	}
	// Its reply waits: the leader adopts the chat, to send it.
	if err := db.Update(ctx, func(tx bot.Tx) error {
		return tx.Enqueue(bot.Outbound{Channel: "whatsapp", ChatID: "ward", Text: "reply", Key: "r"}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the leader adopting the ward", func() bool { return slices.Equal(one.Owned(), []string{ward}) })
	// Two's scheduled work for a chat of the channel is not its to do.
	ran := false
	if err := <-two.InTurn(ctx, bot.ChatKey("whatsapp", "clinic"), func(context.Context) error { ran = true; return nil }); err != nil || ran {
		t.Errorf("two ran a WhatsApp chat's work (%v): only the leader may own it", err)
	}
	// Another channel's chats are anyone's.
	if err := two.HandleEvent(ctx, bot.Event{ID: "tg1", Channel: "telegram", ChatID: "-100", ChatType: bot.Group, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if got := two.Owned(); len(got) != 1 || got[0] != db.ChatLease(bot.ChatKey("telegram", "-100")) {
		t.Errorf("two owns %q, want the Telegram chat alone", got)
	}
	// The lead moves to two: one gives the ward up, and two takes it.
	leader.Store("two")
	waitFor(t, "one giving the ward up", func() bool { return len(one.Owned()) == 0 })
	if err := two.HandleEvent(ctx, ev("ward", "b")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new leader owning the ward", func() bool { return slices.Contains(two.Owned(), ward) })
}
