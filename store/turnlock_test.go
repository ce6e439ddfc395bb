package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
)

// openInstance opens a store on the PostgreSQL database at url as the
// instance name of several.
func openInstance(t *testing.T, url, name string) *DB {
	t.Helper()
	d, err := OpenPostgres(context.Background(), url, filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	d.SetInstance(name, 30*time.Second)
	return d
}

// TestTurnLock runs two instances' stores on one real PostgreSQL: a
// transaction in a chat's turn on one waits for one in the same chat's
// turn on the other that made a statement, until it ends (commit or
// rollback); another chat's and one outside any turn go on meanwhile.
func TestTurnLock(t *testing.T) {
	url := pgtest.URL(t)
	a, b := openInstance(t, url, "a"), openInstance(t, url, "b")
	ctx := context.Background()
	ward := bot.InTurnOf(ctx, bot.ChatKey("telegram", "-100"))
	for _, end := range []struct {
		name string
		err  error
	}{{"commit", nil}, {"rollback", context.Canceled}} {
		t.Run(end.name, func(t *testing.T) {
			holding, release := make(chan struct{}), make(chan struct{})
			first := make(chan error, 1)
			go func() {
				first <- a.update(ward, func(tx *Tx) error {
					if _, err := tx.exec(`SELECT 1`); err != nil {
						return err
					}
					close(holding)
					<-release
					return end.err
				})
			}()
			<-holding
			// Another chat's turn and work outside any turn are not held.
			for _, c := range []context.Context{bot.InTurnOf(ctx, bot.ChatKey("telegram", "-200")), ctx} {
				if err := b.update(c, func(*Tx) error { return nil }); err != nil {
					t.Fatal(err)
				}
			}
			second := make(chan error, 1)
			go func() {
				second <- b.update(ward, func(tx *Tx) error {
					_, err := tx.exec(`SELECT 1`)
					return err
				})
			}()
			// The second waits on the lock: PostgreSQL says so.
			testkit.Eventually(t, 10*time.Second, "the second transaction waiting on the chat's lock", func() bool {
				var n int
				err := a.read.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&n)
				return err == nil && n == 1
			})
			select {
			case err := <-second:
				t.Fatalf("the second transaction of the chat ended (%v) while the first held its lock", err)
			default:
			}
			close(release)
			if err := <-first; err != end.err {
				t.Fatalf("first: %v, want %v", err, end.err)
			}
			if err := <-second; err != nil {
				t.Fatalf("second, once the first ended: %v", err)
			}
		})
	}
}

// TestNotifyOutbox: the leases one instance names reach every instance
// listening, the many in several notifications when they do not fit in
// one; none reach one that stopped listening.
func TestNotifyOutbox(t *testing.T) {
	url := pgtest.URL(t)
	a, b := openInstance(t, url, "a"), openInstance(t, url, "b")
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan string, 1000)
	stopped := make(chan error, 1)
	go func() { stopped <- b.ListenOutbox(ctx, func(l string) { heard <- l }) }()
	var want []string
	for i := range 600 { // about 18,000 bytes of names: three notifications
		want = append(want, a.ChatLease(bot.ChatKey("telegram", string(rune('a'+i%26))+string(rune('a'+i/26)))))
	}
	pgtest.Listening(t, func() error { return a.NotifyOutbox(ctx, want[:1]) }, heard)
	if err := a.NotifyOutbox(ctx, want); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < len(want) {
		select {
		case l := <-heard:
			got = append(got, l)
		case <-time.After(10 * time.Second):
			t.Fatalf("heard %d leases of %d", len(got), len(want))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("heard other leases than were named, or in another order")
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Errorf("listening ended with %v when its context did, want nil", err)
	}
}
