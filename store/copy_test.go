package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/store"
)

// TestCopy moves the demonstration program (5 groups, two weeks) from
// SQLite into a real PostgreSQL: every table arrives with the same count
// (checked again here, and the rollups row for row), new rows get numbers
// past the copied ones, and a second copy into the same database is
// refused, as is a copy from a database huddle has open.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := demo.DefaultSpec()
	spec.Members, spec.Weeks = 80, 2
	if _, err := demo.Generate(ctx, path, spec, nil); err != nil {
		t.Fatal(err)
	}
	url := pgtest.URL(t)
	copied, err := store.Copy(ctx, path, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	count := func(db *sql.DB, q string) int64 {
		t.Helper()
		var n int64
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	tables := count(lite, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'goose%' AND name NOT LIKE 'case_search_%'`)
	if int64(len(copied)) != tables {
		t.Errorf("%d tables copied, the database has %d", len(copied), tables)
	}
	var rows int64
	for _, c := range copied {
		want := count(lite, "SELECT count(*) FROM "+c.Table)
		if got := count(pg, "SELECT count(*) FROM "+c.Table); got != want || c.From != want || c.Into != want {
			t.Errorf("%s: %d rows in SQLite, %d in PostgreSQL (reported %d → %d)", c.Table, want, got, c.From, c.Into)
		}
		rows += want
	}
	if rows < 2000 || count(pg, "SELECT count(*) FROM answers") == 0 || count(pg, "SELECT count(*) FROM case_search") == 0 {
		t.Fatalf("only %d rows copied: the demonstration made too little to test", rows)
	}
	for _, q := range []string{
		`SELECT COALESCE(SUM(messages * 7 + answers * 3 + correct), 0) FROM chat_days`,
		`SELECT COALESCE(SUM(active), 0) FROM week_counts`,
		`SELECT count(*) FROM member_weeks`,
	} {
		if a, b := count(lite, q), count(pg, q); a != b {
			t.Errorf("%s: %d in SQLite, %d in PostgreSQL", q, a, b)
		}
	}
	// A new member is numbered after the copied ones; the runs' state
	// arrived as JSON PostgreSQL reads.
	var id int64
	if err := pg.QueryRowContext(ctx, `INSERT INTO members (channel, platform_id, created_at) VALUES ('sim', 'new', 0) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if top := count(lite, "SELECT MAX(id) FROM members"); id <= top {
		t.Errorf("a new member got id %d, the copied ones go to %d", id, top)
	}
	if n := count(pg, `SELECT count(*) FROM runs WHERE state ? 'lesson'`); n == 0 {
		t.Error("no run's state reads as JSON with its lesson in PostgreSQL")
	}

	// The rollups' triggers work again after the copy.
	before := count(pg, `SELECT COALESCE(SUM(messages), 0) FROM chat_days`)
	if _, err := pg.ExecContext(ctx, `INSERT INTO engagement (member_id, chat_id, kind, at)
		SELECT member_id, chat_id, 'message', 1800000000000 FROM chat_members LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if after := count(pg, `SELECT COALESCE(SUM(messages), 0) FROM chat_days`); after != before+1 {
		t.Errorf("a message after the copy: chat_days' messages %d → %d, want one more", before, after)
	}

	if _, err := store.Copy(ctx, path, url, nil); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("a second copy: %v", err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Copy(ctx, path, pgtest.URL(t), nil); err == nil {
		t.Error("copied a database huddle has open")
	}
}
