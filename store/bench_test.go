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
	"github.com/huddlebot/huddle/store"
)

// Benchmark shape: groups run a quiz lesson at once, each driven by its own
// goroutine; an event is one member's typed answer (every members-th
// event closes a question and posts the next; the last starts the lesson
// again). Each event is durably committed before HandleEvent returns.
const (
	benchGroups    = 32
	benchMembers   = 20
	benchQuestions = 10
)

// benchLesson is a group lesson of benchQuestions numeric questions.
func benchLesson(b *testing.B) *flows.Library {
	var y strings.Builder
	y.WriteString("id: bench\ntitle: Bench\nmode: group\nsteps:\n")
	for i := 0; i < benchQuestions; i++ {
		fmt.Fprintf(&y, "  - id: q%d\n    quiz:\n      question: \"Question %d?\"\n      numeric: {answer: %d}\n      explain: \"Because.\"\n      timeout: 1h\n", i, i, i%2)
	}
	l, err := flows.Parse("bench.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	lib, err := flows.NewLibrary(l)
	if err != nil {
		b.Fatal(err)
	}
	return lib
}

// drive sends events for one group until n events are spent from the
// shared budget.
func drive(b *testing.B, group, members int, budget *atomic.Int64, handle func(bot.Event) error) {
	chat := fmt.Sprintf("group-%d", group)
	seq := 0
	event := func(sender, text string) bot.Event {
		seq++
		return bot.Event{ID: bot.EventID("bench", chat, sender, fmt.Sprint(seq)), Channel: "bench", ChatID: chat,
			ChatType: bot.Group, SenderID: sender, SenderName: sender, MessageID: fmt.Sprint(seq), Text: text}
	}
	for budget.Add(-1) >= 0 {
		member := seq % (members*benchQuestions + 1)
		var ev bot.Event
		if member == 0 {
			ev = event("m0", "/lesson bench replace")
		} else {
			ev = event(fmt.Sprintf("m%d", (member-1)%members), fmt.Sprint(((member-1)/members)%2))
		}
		if err := handle(ev); err != nil {
			b.Error(err)
			return
		}
	}
}

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
		{"router", false, false, benchMembers},
		{"router+sender", true, false, benchMembers},
		{"router+consent", false, true, benchMembers},
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
				sender := bot.NewSender(bot.SenderConfig{Store: db, Channels: []bot.Channel{nopChannel{}}, Logger: log})
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
			router := bot.NewRouter(bot.RouterConfig{Store: db, Engine: flows.NewHost(flows.HostConfig{Library: benchLesson(b), Logger: log}),
				Logger: log, Committed: committed, Consent: notice})
			defer router.Close()
			// Every group has met all its members and started the lesson.
			for g := 0; g < benchGroups; g++ {
				chat := fmt.Sprintf("group-%d", g)
				for m := 0; m < members; m++ {
					ev := bot.Event{ID: fmt.Sprintf("hello-%d-%d", g, m), Channel: "bench", ChatID: chat, ChatType: bot.Group,
						SenderID: fmt.Sprintf("m%d", m), Text: "hello"}
					if m == 0 {
						ev.Text = "/lesson bench"
					}
					if err := router.HandleEvent(ctx, ev); err != nil {
						b.Fatal(err)
					}
				}
			}
			var budget atomic.Int64
			budget.Store(int64(b.N))
			b.ReportAllocs()
			b.ResetTimer()
			before := db.Stats()
			start := time.Now()
			var dw sync.WaitGroup
			for g := 0; g < benchGroups; g++ {
				dw.Add(1)
				go func() {
					defer dw.Done()
					drive(b, g, members, &budget, func(ev bot.Event) error { return router.HandleEvent(ctx, ev) })
				}()
			}
			dw.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
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
	raw.SetMaxOpenConns(benchGroups)
	now := time.Now().UnixMilli()
	state, _ := json.Marshal(map[string]any{"step": 1, "members": map[string]any{}})
	// One chat, run and member set per group.
	for g := 0; g < benchGroups; g++ {
		raw.Exec(`INSERT INTO chats (id, channel, platform_id, type, created_at) VALUES (?, 'bench', ?, 'group', ?)`, g+1, fmt.Sprint(g), now)
		raw.Exec(`INSERT INTO runs (id, lesson_id, chat_id, mode, status, step, seq, state, started_at, updated_at) VALUES (?, 'bench', ?, 'group', 'active', 0, 1, ?, ?, ?)`, g+1, g+1, state, now, now)
		for m := 0; m < benchMembers; m++ {
			id := g*benchMembers + m + 1
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
	for g := 0; g < benchGroups; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for budget.Add(-1) >= 0 {
				n := seq.Add(1)
				member := g*benchMembers + int(n)%benchMembers + 1
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
