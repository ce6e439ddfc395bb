package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/pgtest"
)

// TestDialectsAlike migrates a SQLite file and a real PostgreSQL database
// to the newest schema: both have the same tables with the same columns
// (the archive's search index aside, each engine's own), PostgreSQL's
// migrations go all the way down and up again, and the rollups' triggers
// count the same rows the same way in both.
func TestDialectsAlike(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "huddle.db")
	if _, _, err := Migrate(ctx, path); err != nil {
		t.Fatal(err)
	}
	url := pgtest.URL(t)
	if _, after, err := Migrate(ctx, url); err != nil || after.Current != latestMigration() {
		t.Fatalf("PostgreSQL: %+v, %v", after, err)
	}
	lite, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()

	liteCols := texts(t, lite, `SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'goose%' AND m.name NOT LIKE 'case_search%'`)
	pgCols := texts(t, pg, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name NOT LIKE 'goose%' AND table_name <> 'case_search'`)
	if !slices.Equal(liteCols, pgCols) {
		t.Errorf("columns differ:\nonly in SQLite %v\nonly in PostgreSQL %v", minus(liteCols, pgCols), minus(pgCols, liteCols))
	}
	if len(liteCols) < 100 {
		t.Fatalf("only %d columns: the query reads nothing", len(liteCols))
	}

	// The same rows into both: two members in a group and a private chat,
	// messages and answers over two weeks.
	const day, week = 86_400_000, 7 * 86_400_000
	monday := int64(1_795_392_000_000) // Monday 23 November 2026, UTC
	for _, db := range []*sql.DB{lite, pg} {
		exec := func(q string, args ...any) {
			t.Helper()
			if db == pg {
				q = dollars(q).query
			}
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO chats (id, channel, platform_id, type, created_at) VALUES (1, 'sim', 'ward', 'group', ?), (2, 'sim', 'dm-a', 'direct', ?)`, monday, monday)
		exec(`INSERT INTO members (id, channel, platform_id, created_at) VALUES (1, 'sim', 'a', ?), (2, 'sim', 'b', ?)`, monday, monday)
		exec(`INSERT INTO runs (id, lesson_id, chat_id, mode, status, step, seq, state, started_at, updated_at) VALUES (1, 'q', 1, 'group', 'active', 0, 1, '{}', ?, ?)`, monday, monday)
		for i, e := range []struct {
			member, chat int
			kind         string
			at           int64
		}{
			{1, 1, "message", monday + 1}, {1, 1, "command", monday + day}, {2, 1, "answer", monday + 2*day},
			{1, 2, "message", monday + 3}, {2, 1, "reaction", monday + week}, {2, 1, "case_reply", monday + week + 5},
		} {
			exec(`INSERT INTO engagement (id, member_id, chat_id, kind, at) VALUES (?, ?, ?, ?, ?)`, i+1, e.member, e.chat, e.kind, e.at)
		}
		exec(`INSERT INTO answers (run_id, member_id, seq, step_id, value, correct, points, max_points, answered_at) VALUES
			(1, 1, 1, 'a', '2', 1, 1, 1, ?), (1, 2, 1, 'a', '3', 0, 0, 1, ?), (1, 1, 2, 'b', 'text', 0, 0, 0, ?)`, monday+day, monday+day+1, monday+day+2)
	}
	for _, q := range []string{
		`SELECT chat_id || ':' || day || ':' || messages || '/' || answers || '/' || correct FROM chat_days`,
		`SELECT chat_id || ':' || member_id || ':' || week FROM member_weeks`,
		`SELECT chat_id || ':' || week || ':' || active FROM week_counts`,
		`SELECT member_id || ':' || week FROM program_weeks`,
	} {
		a, b := texts(t, lite, q), texts(t, pg, q)
		if !slices.Equal(a, b) || len(a) == 0 {
			t.Errorf("%s\nSQLite     %v\nPostgreSQL %v", q, a, b)
		}
	}

	// All the way down and up again.
	p, err := pgProvider(pg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
}

// texts reads one text column of query's rows, sorted.
func texts(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// minus lists what a holds that b does not.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestDollars numbers placeholders as PostgreSQL's, leaving quoted text
// and comments alone, and leaves out the arguments a query does not use.
func TestDollars(t *testing.T) {
	for _, c := range []struct {
		in, want string
		used     []int
	}{
		{`SELECT 1`, `SELECT 1`, nil},
		{`SELECT ? , ?`, `SELECT $1 , $2`, nil},
		{`WHERE a = ?2 AND b = ?1 AND c = ?2`, `WHERE a = $2 AND b = $1 AND c = $2`, nil},
		{`WHERE a = ?1 AND d = ?4`, `WHERE a = $1 AND d = $2`, []int{1, 4}},
		{`WHERE a = '?' AND "b?" = ? -- what? 
AND c = ?`, `WHERE a = '?' AND "b?" = $1 -- what? 
AND c = $2`, nil},
		{`WHERE a = 'it''s ?' AND b = ?3`, `WHERE a = 'it''s ?' AND b = $1`, []int{3}},
	} {
		got := dollars(c.in)
		if got.query != c.want || !slices.Equal(got.used, c.used) {
			t.Errorf("dollars(%q) = %q %v, want %q %v", c.in, got.query, got.used, c.want, c.used)
		}
	}
	n := dollars(`WHERE a = ?1 AND c = ?3`)
	if got := n.args([]any{"a", "b", "c"}); !slices.Equal(got, []any{"a", "c"}) {
		t.Errorf("args = %v, want a and c", got)
	}
}
