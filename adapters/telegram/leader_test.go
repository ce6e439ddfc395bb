package telegram_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/botapifake"
	"github.com/huddlebot/huddle/store"
)

// recorder is a bot.Handler that keeps the events it is given, by who
// received them.
type recorder struct {
	mu  sync.Mutex
	got map[string][]string
}

type named struct {
	r    *recorder
	name string
}

func (n named) HandleEvent(_ context.Context, ev bot.Event) error {
	n.r.mu.Lock()
	defer n.r.mu.Unlock()
	n.r.got[n.name] = append(n.r.got[n.name], ev.Text)
	return nil
}

func (r *recorder) count() (map[string]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out, all := map[string]int{}, 0
	for k, v := range r.got {
		out[k] = len(v)
		all += len(v)
	}
	return out, all
}

// TestPollersTakeTurns runs two instances' Telegram channels in polling
// mode against one fake Bot API, which refuses a second poller as
// Telegram does (409), with their leases in one database: one polls at a
// time, so no getUpdates is refused and every update is received once;
// when the poller stops, the other takes over within its lease and
// receives what follows.
func TestPollersTakeTurns(t *testing.T) {
	fake := botapifake.Start(t, botapifake.Config{})
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "huddle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rec := &recorder{got: map[string][]string{}}
	stops := map[string]context.CancelFunc{}
	done := map[string]chan struct{}{}
	for _, name := range []string{"a", "b"} {
		tg, err := telegram.New(context.Background(), telegram.Config{Token: fake.Token, APIEndpoint: fake.URL, PollTimeout: time.Second,
			Leases: db, Instance: name, LeaseTTL: 900 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		stops[name], done[name] = cancel, make(chan struct{})
		go func() { defer close(done[name]); tg.Run(ctx, named{rec, name}) }()
	}
	t.Cleanup(func() {
		for name, stop := range stops {
			stop()
			<-done[name]
		}
	})
	chat, user := botapifake.Chat{ID: -1001, Title: "Ward"}, botapifake.User{ID: 7, Name: "Amina"}
	waitAll := func(n int) map[string]int {
		t.Helper()
		testkit.Eventually(t, 15*time.Second, fmt.Sprintf("%d updates received", n), func() bool {
			_, all := rec.count()
			return all >= n
		}, func() string { by, all := rec.count(); return fmt.Sprintf("%d came: %v", all, by) })
		by, _ := rec.count()
		return by
	}
	for _, text := range []string{"one", "two", "three"} {
		fake.Send(chat, user, text)
	}
	by := waitAll(3)
	var poller string
	for name, n := range by {
		if n > 0 {
			poller = name
		}
	}
	if len(by) != 1 {
		t.Errorf("updates received by %v; want one poller", by)
	}
	// The poller stops; the other takes over and receives what follows.
	stops[poller]()
	<-done[poller]
	for _, text := range []string{"four", "five"} {
		fake.Send(chat, user, text)
	}
	by = waitAll(5)
	if _, all := rec.count(); all != 5 {
		t.Errorf("%d updates received, want each of 5 once: %v", all, by)
	}
	other := map[string]string{"a": "b", "b": "a"}[poller]
	if by[other] != 2 {
		t.Errorf("after %s stopped, %s received %d updates, want 2", poller, other, by[other])
	}
	if c := fake.Stats().Conflicts; c != 0 {
		t.Errorf("%d getUpdates refused as a second poller; want none", c)
	}
}
