package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/store"
)

// TestReport seeds a small database through the real engine and checks
// huddle report's figures, in every format, against counts made here
// straight from the tables and against what the generator played.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	spec := demo.DefaultSpec()
	spec.Groups, spec.Members, spec.Weeks = 3, 36, 2
	st, err := demo.Generate(context.Background(), path, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUDDLE_DATABASE", path)
	t.Setenv("HUDDLE_TIMEZONE", "UTC")
	run := func(args ...string) string {
		var out, errOut bytes.Buffer
		root := newRootCmd(&out, &errOut)
		root.SetArgs(append([]string{"report"}, args...))
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("report %v: %v", args, err)
		}
		return out.String()
	}
	var got struct {
		Groups []store.GroupFigures `json:"groups"`
	}
	if err := json.Unmarshal([]byte(run("--from", "2026-01-05", "--to", "2026-01-18", "--format", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Groups) != 3 {
		t.Fatalf("%d groups; want 3", len(got.Groups))
	}
	// Counted here, another way: straight from the tables.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixMilli()
	to := time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC).UnixMilli()
	var answers, correct, members, cases int
	for _, g := range got.Groups {
		var a, c, m, k int
		db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(correct), 0) FROM answers WHERE value <> '' AND max_points > 0 AND answered_at >= ? AND answered_at < ?
			AND run_id IN (SELECT r.id FROM runs r JOIN chats ch ON ch.id = r.chat_id WHERE ch.platform_id = ?)`, from, to, g.PlatformID).Scan(&a, &c)
		db.QueryRow(`SELECT COUNT(*) FROM chat_members cm JOIN chats ch ON ch.id = cm.chat_id WHERE ch.platform_id = ?`, g.PlatformID).Scan(&m)
		db.QueryRow(`SELECT COUNT(*) FROM cases k JOIN chats ch ON ch.id = k.chat_id WHERE ch.platform_id = ? AND k.created_at < ?`, g.PlatformID, to).Scan(&k)
		if g.Answers != a || g.Correct != c || g.Members != m || g.Cases != k {
			t.Errorf("%s: answers %d/%d correct %d/%d members %d/%d cases %d/%d (report/tables)", g.Title, g.Answers, a, g.Correct, c, g.Members, m, g.Cases, k)
		}
		answers, correct, members, cases = answers+g.Answers, correct+g.Correct, members+g.Members, cases+g.Cases
	}
	if members > spec.Members || members < spec.Members*8/10 || answers < st.Answers*9/10 || answers > st.Answers || correct == 0 || cases == 0 {
		t.Errorf("totals: %d members (want at most %d, most of them), %d answers (generator played %d), %d correct, %d cases", members, spec.Members, answers, st.Answers, correct, cases)
	}
	table := run("--from", "2026-01-05", "--to", "2026-01-18")
	csv := run("--from", "2026-01-05", "--to", "2026-01-18", "--format", "csv")
	for _, g := range got.Groups {
		if !strings.Contains(table, g.Title) || !strings.Contains(csv, g.Title+",") {
			t.Errorf("%s missing from the table or the CSV:\n%s\n%s", g.Title, table, csv)
		}
	}
	if lines := strings.Count(strings.TrimSpace(csv), "\n"); lines != 3 {
		t.Errorf("CSV has %d data lines; want 3:\n%s", lines, csv)
	}
}
