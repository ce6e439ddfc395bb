package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
			release, errs := holdRounds(t, d, func(i int) context.Context { return turn(100 + i) },
				func(i int) func(*Tx) error { return see(fmt.Sprint("hold", i)) })
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
			release()
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
			for _, e := range errs {
				if err := <-e; err != nil {
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

// holding holds turns until released, and releases them when the test
// ends, before the stores close, should it stop early.
type holding struct {
	ch   chan struct{}
	once sync.Once
}

func hold(t *testing.T) *holding {
	h := &holding{ch: make(chan struct{})}
	t.Cleanup(h.release)
	return h
}

func (h *holding) release() { h.once.Do(func() { close(h.ch) }) }

// turn runs on d a transaction in ctx's turn that runs first (when set),
// waits until released, then runs then (when set); it returns once the
// transaction waits, and the transaction's outcome comes on done.
func (h *holding) turn(ctx context.Context, d *DB, first, then func(*Tx) error) (done <-chan error) {
	started := make(chan struct{})
	out := make(chan error, 1)
	go func() {
		out <- d.update(ctx, func(tx *Tx) error {
			if first != nil {
				if err := first(tx); err != nil {
					return err
				}
			}
			close(started)
			<-h.ch
			if then == nil {
				return nil
			}
			return then(tx)
		})
	}()
	<-started
	return out
}

// holdRounds has each of d's round writers run a turn (turn(i)'s) that
// waits until release is called, then runs fn(i); errs has their
// outcomes.
func holdRounds(t *testing.T, d *DB, turn func(i int) context.Context, fn func(i int) func(*Tx) error) (release func(), errs []<-chan error) {
	h := hold(t)
	for i := range roundWriters {
		errs = append(errs, h.turn(turn(i), d, nil, fn(i))) // one round writer busy with it
	}
	return h.release, errs
}

// noteSeen is a turn's function that notes the event id seen.
func noteSeen(id string) func(*Tx) error {
	return func(tx *Tx) error {
		_, err := tx.SeeEvent(id, time.Now())
		return err
	}
}

// TestRoundHeldChat runs two instances' stores on one real PostgreSQL: a
// round with a turn whose chat the other instance holds waits no longer
// than roundLockWait for it; its other turns then commit while that one
// waits for its chat, and it commits once the chat is free.
func TestRoundHeldChat(t *testing.T) {
	url := pgtest.URL(t)
	d, other := openInstance(t, url, "a"), openInstance(t, url, "b")
	ctx := context.Background()
	turn := func(i int) context.Context { return bot.InTurnOf(ctx, bot.ChatKey("telegram", fmt.Sprint(-100-i))) }
	elsewhere := hold(t)
	held := elsewhere.turn(turn(4), other, noteSeen("elsewhere"), nil)
	release, errs := holdRounds(t, d, func(i int) context.Context { return turn(100 + i) },
		func(i int) func(*Tx) error { return noteSeen(fmt.Sprint("hold", i)) })
	results := make([]chan error, 10)
	for i := range results {
		results[i] = make(chan error, 1)
		go func() { results[i] <- d.update(turn(i), noteSeen(fmt.Sprint("e", i))) }()
	}
	testkit.Eventually(t, 10*time.Second, "ten turns queued", func() bool { return len(d.turnReqs) == 10 })
	release()
	for i, r := range results {
		if i == 4 {
			continue
		}
		select {
		case err := <-r:
			if err != nil {
				t.Errorf("turn %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("turn %d held up by another chat held elsewhere", i)
		}
	}
	select {
	case err := <-results[4]:
		t.Fatalf("the turn of the chat held elsewhere ended (%v) before it was free", err)
	default:
	}
	elsewhere.release()
	for _, err := range []error{<-held, <-results[4]} {
		if err != nil {
			t.Error(err)
		}
	}
	for _, e := range errs {
		if err := <-e; err != nil {
			t.Error(err)
		}
	}
	var n int
	if err := d.read.QueryRowContext(ctx, `SELECT count(*) FROM seen_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 13 {
		t.Errorf("%d events seen, want 13 (ten, two holding the writers, one elsewhere)", n)
	}
}

// TestRoundsShared: an instance among several runs one round at a time
// (ShareWriters), so that a turn queued while one round is held waits for
// it; alone again, it runs two, and the turn goes at once.
func TestRoundsShared(t *testing.T) {
	d := openInstance(t, pgtest.URL(t), "a")
	ctx := context.Background()
	turn := func(chat string) context.Context { return bot.InTurnOf(ctx, bot.ChatKey("telegram", chat)) }
	d.ShareWriters(0, 3)
	round := hold(t)
	held := round.turn(turn("-1"), d, nil, noteSeen("held"))
	next := make(chan error, 1)
	go func() { next <- d.update(turn("-2"), noteSeen("next")) }()
	testkit.Eventually(t, 10*time.Second, "the next turn queued", func() bool { return len(d.turnReqs) == 1 })
	// A second round writer would take it within microseconds.
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-next:
		t.Fatalf("a second round ran (%v) on an instance of three", err)
	default:
	}
	if n := len(d.turnReqs); n != 1 {
		t.Fatalf("%d turns queued, want the next one", n)
	}
	d.ShareWriters(0, 1)
	select {
	case err := <-next:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("alone again, the instance ran no second round")
	}
	round.release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
}
