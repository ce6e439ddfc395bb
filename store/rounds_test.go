package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
)

// TestRounds: on PostgreSQL, chats' turns queued together run in one
// round (one transaction, their statements sent together); a turn whose
// own function fails gets its error and leaves nothing, one whose
// statement fails makes the round roll back and the others run again
// each on its own, and every other turn's writes are committed once.
func TestRounds(t *testing.T) {
	d := openInstance(t, pgtest.URL(t), "a")
	ctx := context.Background()
	turn := func(i int) context.Context { return bot.InTurnOf(ctx, bot.ChatKey("telegram", fmt.Sprint(-100-i))) }
	see := func(id string) func(*Tx) error {
		return func(tx *Tx) error {
			fresh, err := tx.SeeEvent(id, time.Now())
			if err == nil && !fresh {
				err = fmt.Errorf("%s seen before", id)
			}
			return err
		}
	}
	for _, c := range []struct {
		name string
		odd  func(*Tx) error // the fifth turn's function
		want string          // its error
	}{
		{"all well", see("e4"), ""},
		{"a function fails", func(tx *Tx) error {
			if err := see("e4")(tx); err != nil {
				return err
			}
			return errors.New("refused")
		}, "refused"},
		{"a statement fails", func(tx *Tx) error {
			_, err := tx.exec(`INSERT INTO seen_events (id, seen_at) VALUES (NULL, 0)`)
			return err
		}, "null value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := d.write.ExecContext(ctx, `DELETE FROM seen_events`); err != nil {
				t.Fatal(err)
			}
			// Both round writers hold a turn that waits, so the next
			// twenty queue and go in rounds together once released.
			release := make(chan struct{})
			errs := make(chan error, 22)
			for i := range roundWriters {
				started := make(chan struct{})
				go func() {
					errs <- d.update(turn(100+i), func(tx *Tx) error {
						close(started)
						<-release
						return see(fmt.Sprint("hold", i))(tx)
					})
				}()
				<-started // one round writer busy with it
			}
			before := d.Stats()
			results := make([]chan error, 20)
			for i := range results {
				results[i] = make(chan error, 1)
				fn := see(fmt.Sprint("e", i))
				if i == 4 {
					fn = c.odd
				}
				go func() { results[i] <- d.update(turn(i), fn) }()
			}
			testkit.Eventually(t, 10*time.Second, "twenty turns queued", func() bool { return len(d.turnReqs) == 20 })
			close(release)
			for i, r := range results {
				err := <-r
				switch {
				case i == 4 && c.want != "":
					if err == nil || !strings.Contains(err.Error(), c.want) {
						t.Errorf("turn %d: %v, want %q", i, err, c.want)
					}
				case err != nil:
					t.Errorf("turn %d: %v", i, err)
				}
			}
			for range roundWriters {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			after := d.Stats()
			if rounds := after.Commits - before.Commits; c.want == "" && rounds > 6 {
				t.Errorf("twenty-two turns in %d rounds; want them grouped", rounds)
			}
			var n int
			var e4 bool
			if err := d.read.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE id = 'e4') > 0 FROM seen_events`).Scan(&n, &e4); err != nil {
				t.Fatal(err)
			}
			want := 22
			if c.want != "" {
				want = 21 // the fifth left nothing
			}
			if n != want || e4 != (c.want == "") {
				t.Errorf("%d events seen (e4: %v), want %d", n, e4, want)
			}
		})
	}
}
