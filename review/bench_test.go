package review_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/review"
	"github.com/huddlebot/huddle/store"
)

// BenchmarkReviewDay measures one day of review for a program of 50,000
// members, each of whom reviews and got one question wrong the day
// before, in groups of 200: making the 50,000 cards from the wrong
// answers, then, the next day, sending each member's due card (one each,
// under the limit of three). Run it once: go test ./review -run XXX -bench
// ReviewDay -benchtime 1x.
func BenchmarkReviewDay(b *testing.B) {
	for _, members := range []int{5000, 50000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) { reviewDay(b, members) })
	}
}

func reviewDay(b *testing.B, members int) {
	const groupSize = 200
	lib, err := flows.Load(lessons.FS, ".", "(built-in)")
	if err != nil {
		b.Fatal(err)
	}
	seeded := filepath.Join(b.TempDir(), "seed.db")
	day1 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	seed(b, seeded, members, groupSize, day1)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var scan, send time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), fmt.Sprintf("run%d.db", i))
		data, err := os.ReadFile(seeded)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		db, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		clk := huddletest.NewClock()
		clk.Advance(day1.Add(time.Hour).Sub(clk.Now())) // 10:00, after the lesson
		sv := review.New(review.Config{Lessons: func() *flows.Library { return lib }, Clock: clk, Logger: quiet})
		b.StartTimer()
		start := time.Now()
		if err := sv.Tick(ctx, db); err != nil {
			b.Fatal(err)
		}
		scan += time.Since(start)
		clk.Advance(24 * time.Hour)
		start = time.Now()
		if err := sv.Tick(ctx, db); err != nil {
			b.Fatal(err)
		}
		send += time.Since(start)
		b.StopTimer()
		var n int
		err = db.Update(ctx, func(tx bot.Tx) error {
			c, err := tx.ReviewsSentSince(int64(members), day1.Add(24*time.Hour))
			n = c
			return err
		})
		if err != nil || n != 1 {
			b.Fatalf("the last member was sent %d reviews (%v), want 1", n, err)
		}
		db.Close()
	}
	b.ReportMetric(scan.Seconds()/float64(b.N), "s/make-cards")
	b.ReportMetric(send.Seconds()/float64(b.N), "s/send-day")
	b.ReportMetric(float64(members)*float64(b.N)/send.Seconds(), "cards-sent/s")
}

// seed writes the program: members in groups of groupSize, each with a
// private chat, reviewing all day, each having answered hand-hygiene's
// first question wrong at at.
func seed(b testing.TB, path string, members, groupSize int, at time.Time) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.Load(ctx, func(l *store.Loader) error {
		var group, run int64
		for i := range members {
			m, err := l.Member("sim", fmt.Sprintf("nurse-%d", i), "Nurse", at)
			if err != nil {
				return err
			}
			if i%groupSize == 0 {
				if group, err = l.Group("sim", fmt.Sprintf("ward-%d", i/groupSize), "Ward", at); err != nil {
					return err
				}
				run, err = l.Run(bot.Run{LessonID: "hand-hygiene", ChatID: group, StartedBy: m, Status: bot.RunDone, Started: at, Finished: at})
				if err != nil {
					return err
				}
			}
			if err := l.Join(group, m, at, at); err != nil {
				return err
			}
			if _, err := l.Direct("sim", fmt.Sprintf("dm-%d", i), m, at); err != nil {
				return err
			}
			if err := l.ReviewPrefs(bot.ReviewPrefs{MemberID: m, On: true, From: 0, To: 24 * 60}); err != nil {
				return err
			}
			if err := l.Answer(bot.Answer{RunID: run, MemberID: m, Seq: 3, StepID: "q1", Value: "1", MaxPoints: 1, At: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// TestManyDueAtOnce: more cards due at once than one look reads (1,200
// members, each with one) are all sent in that look, one to each member;
// those passed over do not hold up the rest.
func TestManyDueAtOnce(t *testing.T) {
	const members = 1200
	lib, err := flows.Load(lessons.FS, ".", "(built-in)")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "h.db")
	day1 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	seed(t, path, members, 200, day1)
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(ctx, func(tx bot.Tx) error { // member 1 does not review: passed over
		return tx.SetReviewPrefs(bot.ReviewPrefs{MemberID: 1, On: false, From: 0, To: 24 * 60})
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := huddletest.NewClock()
	clk.Advance(day1.Add(time.Hour).Sub(clk.Now()))
	sv := review.New(review.Config{Lessons: func() *flows.Library { return lib }, Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := sv.Tick(ctx, db); err != nil { // cards made, none due yet
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	if err := sv.Tick(ctx, db); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingOutbox(ctx, "sim", clk.Now().Add(time.Hour), 2*members, nil)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]bool{}
	for _, p := range pending {
		to[p.ChatID] = true
	}
	if len(pending) != members-1 || len(to) != members-1 || to["dm-0"] {
		t.Errorf("%d reviews queued to %d chats (dm-0: %v); want %d, one to each member who reviews", len(pending), len(to), to["dm-0"], members-1)
	}
}
