package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/quizbench"
	"github.com/huddlebot/huddle/outbox"
	"github.com/huddlebot/huddle/privacy"
	"github.com/huddlebot/huddle/router"
	"github.com/huddlebot/huddle/store"
)

type nopChannel struct{}

func (nopChannel) Name() string                                       { return "bench" }
func (nopChannel) Run(ctx context.Context, _ bot.Handler) error       { <-ctx.Done(); return nil }
func (nopChannel) Send(context.Context, bot.Outbound) (string, error) { return "x", nil }

// BenchmarkGroupQuiz measures the whole path: event -> router (dedup,
// registration, engagement) -> engine (scoring, state) -> SQLite commit
// (run state, answer, timers) -> outbox (feedback, next question), with the
// sender draining the outbox to a channel that discards.
//
// The consent variant asks for consent (privacy.consent) and has every
// member accept first: the gate's look-up is then on every event's path.
// The members variants change the group's size: an answer's cost must
// not grow with it.
func BenchmarkGroupQuiz(b *testing.B) {
	for _, v := range []struct {
		name                string
		withSender, consent bool
		members             int
	}{
		{"router", false, false, quizbench.Members},
		{"router+sender", true, false, quizbench.Members},
		{"router+consent", false, true, quizbench.Members},
		{"members=10", false, false, 10},
		{"members=200", false, false, 200},
	} {
		withSender, members := v.withSender, v.members
		b.Run(v.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			var committed func()
			var wg sync.WaitGroup
			if withSender {
				sender := outbox.New(outbox.Config{Store: db, Channels: []bot.Channel{nopChannel{}}, Logger: log})
				committed = sender.Wake
				wg.Add(1)
				go func() { defer wg.Done(); sender.Run(ctx) }()
			}
			var notice *bot.ConsentNotice
			if v.consent {
				notice = &bot.ConsentNotice{Version: 1}
				err := db.Update(ctx, func(tx bot.Tx) error {
					for m := 0; m < members; m++ {
						c := bot.Consent{Status: bot.ConsentAccepted, Version: 1, AnsweredAt: time.Now()}
						if err := tx.SetConsent("bench", []string{fmt.Sprintf("m%d", m)}, c); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			router := router.New(router.Config{Store: db, Engine: flows.NewHost(flows.HostConfig{Library: quizbench.Lesson(b), Logger: log}),
				Logger: log, Committed: committed, Features: []bot.Feature{privacy.Feature(privacy.Config{Notice: notice, Logger: log})}})
			defer router.Close()
			// Every group has met all its members and started the lesson.
			for g := 0; g < quizbench.Groups; g++ {
				if err := quizbench.Join(g, members, func(ev bot.Event) error { return router.HandleEvent(ctx, ev) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			before := db.Stats()
			start := time.Now()
			cpu0 := testkit.ProcessCPU()
			quizbench.DriveAll(b, members, b.N, func(int) func(bot.Event) error {
				return func(ev bot.Event) error { return router.HandleEvent(ctx, ev) }
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
			// SQLite's work is this process's: comparable with
			// BenchmarkInstances' instance and database CPU together.
			b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/event")
			after := db.Stats()
			b.ReportMetric(float64(after.Transactions-before.Transactions)/float64(max(after.Commits-before.Commits, 1)), "tx/commit")
			b.StopTimer()
			cancel()
			wg.Wait()
		})
	}
}

// BenchmarkBaselineInserts writes the same rows per event straight into
// SQLite through database/sql: the same schema, pragmas and concurrency,
// one transaction per event, no router, engine or JSON.
func BenchmarkBaselineInserts(b *testing.B) {
	path := filepath.Join(b.TempDir(), "baseline.db")
	db, err := store.Open(context.Background(), path) // creates the schema
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=cache_size(-32768)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(quizbench.Groups)
	now := time.Now().UnixMilli()
	state, _ := json.Marshal(map[string]any{"step": 1, "members": map[string]any{}})
	// One chat, run and member set per group.
	for g := 0; g < quizbench.Groups; g++ {
		raw.Exec(`INSERT INTO chats (id, channel, platform_id, type, created_at) VALUES (?, 'bench', ?, 'group', ?)`, g+1, fmt.Sprint(g), now)
		raw.Exec(`INSERT INTO runs (id, lesson_id, chat_id, mode, status, step, seq, state, started_at, updated_at) VALUES (?, 'bench', ?, 'group', 'active', 0, 1, ?, ?, ?)`, g+1, g+1, state, now, now)
		for m := 0; m < quizbench.Members; m++ {
			id := g*quizbench.Members + m + 1
			raw.Exec(`INSERT INTO members (id, channel, platform_id, created_at) VALUES (?, 'bench', ?, ?)`, id, fmt.Sprint(id), now)
			raw.Exec(`INSERT INTO chat_members (chat_id, member_id, joined_at, last_seen_at) VALUES (?, ?, ?, ?)`, g+1, id, now, now)
		}
	}
	var budget atomic.Int64
	budget.Store(int64(b.N))
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < quizbench.Groups; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for budget.Add(-1) >= 0 {
				n := seq.Add(1)
				member := g*quizbench.Members + int(n)%quizbench.Members + 1
				// Many connections contending for SQLite's write lock can
				// starve one past the busy timeout: retry, as an
				// application writing this way would.
				err := retryBusy(func() error {
					tx, err := raw.Begin()
					if err != nil {
						return err
					}
					defer tx.Rollback()
					stmts := []struct {
						q    string
						args []any
					}{
						{`INSERT INTO seen_events (id, seen_at) VALUES (?, ?)`, []any{fmt.Sprint("e", n), now}},
						{`UPDATE chat_members SET last_seen_at = ? WHERE chat_id = ? AND member_id = ?`, []any{now, g + 1, member}},
						{`INSERT INTO engagement (member_id, chat_id, kind, at) VALUES (?, ?, 'answer', ?)`, []any{member, g + 1, now}},
						{`INSERT INTO answers (run_id, member_id, seq, step_id, value, correct, points, max_points, answered_at) VALUES (?, ?, ?, 'q1', '1', 1, 1, 1, ?)`, []any{g + 1, member, n, now}},
						{`INSERT INTO outbox (key, channel, chat_id, payload, created_at, next_at) VALUES (?, 'bench', ?, ?, ?, ?)`, []any{fmt.Sprint("k", n), fmt.Sprint(g), state, now, now}},
						{`UPDATE runs SET state = ?, updated_at = ? WHERE id = ?`, []any{state, now, g + 1}},
					}
					for _, s := range stmts {
						if _, err := tx.Exec(s.q, s.args...); err != nil {
							return err
						}
					}
					return tx.Commit()
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

func retryBusy(fn func() error) error {
	for {
		err := fn()
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return err
		}
	}
}
