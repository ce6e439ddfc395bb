package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/pressly/goose/v3"
)

var day0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

// onEngines runs test on a new SQLite file and on a new database of a
// real PostgreSQL; reopen opens the same database again.
func onEngines(t *testing.T, test func(t *testing.T, db *DB, reopen func() *DB)) {
	open := func(t *testing.T, database string) *DB {
		t.Helper()
		db, err := OpenDatabase(context.Background(), database, filepath.Join(t.TempDir(), "media"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "huddle.db")
		db := open(t, path)
		test(t, db, func() *DB { db.Close(); return open(t, path) })
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.URL(t)
		test(t, open(t, url), func() *DB { return open(t, url) })
	})
}

// fill writes a group with a member's run, answers, engagement, an
// assignment, a case and a pending case, all in chat platform id chat.
func fill(t *testing.T, db *DB, chat string, at time.Time) bot.Chat {
	t.Helper()
	var c bot.Chat
	err := db.update(context.Background(), func(tx *Tx) error {
		var err error
		if c, err = tx.EnsureChat("telegram", chat, bot.Group, "Ward", at); err != nil {
			return err
		}
		m, err := tx.EnsureMember("telegram", "m-"+chat, "A", at)
		if err != nil {
			return err
		}
		if err := tx.JoinChat(c.ID, m.ID, at); err != nil {
			return err
		}
		run := bot.Run{LessonID: "l", ChatID: c.ID, Mode: "group", Status: bot.RunDone, State: []byte("{}"), Started: at, Updated: at, Finished: at}
		if err := tx.CreateRun(&run); err != nil {
			return err
		}
		for i, kind := range []string{bot.EngageMessage, bot.EngageAnswer, bot.EngageReaction} {
			if err := tx.LogEngagement(bot.Engagement{MemberID: m.ID, ChatID: c.ID, Kind: kind, At: at.Add(time.Duration(i) * 20 * time.Hour)}); err != nil {
				return err
			}
		}
		for seq, correct := range []bool{true, false} {
			a := bot.Answer{RunID: run.ID, MemberID: m.ID, StepID: fmt.Sprint("q", seq), Seq: seq, Value: "1", Correct: correct, Points: 1, MaxPoints: 1, At: at.Add(time.Duration(seq) * 20 * time.Hour)}
			if err := tx.SaveAnswer(a); err != nil {
				return err
			}
		}
		if err := tx.Assign(&bot.Assignment{ChatID: c.ID, LessonID: "l", AssignedBy: m.ID, Next: at}); err != nil {
			return err
		}
		if err := tx.CreateCase(&bot.Case{ChatID: c.ID, AuthorID: m.ID, Text: "a case", Status: bot.CaseOpen, Created: at}); err != nil {
			return err
		}
		if err := tx.SaveAttachment(&bot.Attachment{Kind: bot.AttachPhoto, MIMEType: "image/jpeg", MemberID: m.ID, ChatID: c.ID,
			Status: bot.AttachShown, Created: at, Data: []byte("a photo of " + chat)}); err != nil {
			return err
		}
		return tx.SavePendingCase(&bot.PendingCase{ChatID: c.ID, AuthorID: m.ID, Text: "held", Created: at})
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dump returns a table's rows as strings, sorted.
func dump(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.read.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	slices.Sort(out)
	return out
}

// chatTables lists the tables with a column referring to chats.
func chatTables(t *testing.T, db *DB) []string {
	cols, err := db.referring(context.Background(), "chats")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cols {
		table, _, _ := strings.Cut(c, ".")
		if !slices.Contains(out, table) {
			out = append(out, table)
		}
	}
	return out
}

// TestMergeChatMovesAll merges a Telegram group into its supergroup when
// both have rows in every table that refers to chats: nothing is left on
// the old chat, the rollups add up, and a new table referring to chats
// makes this test fail until the merge and the test know it.
func TestMergeChatMovesAll(t *testing.T) {
	onEngines(t, func(t *testing.T, db *DB, _ func() *DB) { testMergeChatMovesAll(t, db) })
}

func testMergeChatMovesAll(t *testing.T, db *DB) {
	old := fill(t, db, "-4001", day0)
	fill(t, db, "-1004001", day0.Add(time.Hour))
	want := []string{"assignments", "attachments", "cases", "chat_days", "chat_members", "cohorts", "engagement", "group_summaries", "member_weeks", "pending_cases", "runs"}
	if got := chatTables(t, db); !slices.Equal(got, want) {
		t.Fatalf("tables referring to chats = %v, want %v: move a new one in mergeChat and add it here", got, want)
	}
	before := dump(t, db, `SELECT SUM(messages), SUM(answers), SUM(correct) FROM chat_days`)
	err := db.update(context.Background(), func(tx *Tx) error { return tx.MigrateChat("telegram", "-4001", "-1004001") })
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range want {
		if n := dump(t, db, `SELECT COUNT(*) FROM `+table+` WHERE chat_id = ?`, old.ID); n[0] != "0" {
			t.Errorf("%s has %s rows of the merged chat", table, n[0])
		}
	}
	if after := dump(t, db, `SELECT SUM(messages), SUM(answers), SUM(correct) FROM chat_days`); !slices.Equal(before, after) {
		t.Errorf("rollup totals after merge = %v, want %v", after, before)
	}
	if n := dump(t, db, `SELECT COUNT(*) FROM week_counts WHERE chat_id = ?`, old.ID); n[0] != "0" {
		t.Errorf("week_counts has %s rows of the merged chat", n[0])
	}
	if n := dump(t, db, `SELECT COUNT(*) FROM assignments`); n[0] != "1" {
		t.Errorf("assignments after merge = %s, want the new chat's one", n[0])
	}
}

// TestRollupBackfill: migrating a database that has activity fills the
// rollups as the triggers would have, on both engines.
func TestRollupBackfill(t *testing.T) {
	onEngines(t, testRollupBackfill)
}

func testRollupBackfill(t *testing.T, db *DB, reopen func() *DB) {
	for i := range 3 {
		fill(t, db, fmt.Sprint("g", i), day0.AddDate(0, 0, 3*i))
	}
	queries := []string{`SELECT * FROM chat_days`, `SELECT * FROM member_weeks`, `SELECT * FROM week_counts`, `SELECT * FROM program_weeks`}
	var byTriggers [][]string
	for _, q := range queries {
		byTriggers = append(byTriggers, dump(t, db, q))
	}
	if len(byTriggers[0]) == 0 || len(byTriggers[1]) == 0 || len(byTriggers[2]) == 0 {
		t.Fatal("the triggers filled no rollup")
	}
	sub, _ := migrationsFor(sqliteDialect)
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write.DB, sub)
	if db.pg {
		p, err = pgProvider(db.write.DB)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Opened again: the connections' statements were made for the tables
	// the migration dropped and made again.
	db = reopen()
	for i, q := range queries {
		if got := dump(t, db, q); !slices.Equal(got, byTriggers[i]) {
			t.Errorf("%s after the backfill = %v, want %v", q, got, byTriggers[i])
		}
	}
}

func TestInside(t *testing.T) {
	const h = int64(time.Hour / time.Millisecond)
	for _, c := range []struct {
		from, to, lo, hi int64
	}{
		{0, 3 * day, 0, 3 * day},
		{h, 3 * day, day, 3 * day},
		{h, 3*day - h, day, 2 * day},
		{h, day + h, day + h, day + h}, // no whole day: all raw
		{h, 2 * h, 2 * h, 2 * h},
	} {
		if lo, hi := inside(c.from, c.to, 0, day); lo != c.lo || hi != c.hi {
			t.Errorf("inside(%d, %d) = %d, %d; want %d, %d", c.from, c.to, lo, hi, c.lo, c.hi)
		}
	}
	// 2026-03-02 was a Monday.
	monday := ms(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if got := bucketOf(monday+3*day+h, weekStart, week); got != monday {
		t.Errorf("the week of Thursday 5 March starts %s", fromMS(got).UTC())
	}
}
