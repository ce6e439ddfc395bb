package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/report"

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
		Groups []report.GroupFigures `json:"groups"`
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

// TestFiguresAgree checks that the dashboard, huddle report and the xAPI
// export give the same figures for the same period of a seeded database:
// every column of every group in the report and the dashboard's CSV, and
// the answers and finished lessons against the export's statements.
func TestFiguresAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := demo.DefaultSpec()
	spec.Groups, spec.Members, spec.Weeks = 3, 45, 3
	if _, err := demo.Generate(context.Background(), path, spec, nil); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUDDLE_DATABASE", path)
	t.Setenv("HUDDLE_TIMEZONE", "UTC")
	cli := func(args ...string) string {
		var out, errOut bytes.Buffer
		root := newRootCmd(&out, &errOut)
		root.SetArgs(args)
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut.String())
		}
		return out.String()
	}
	reportCSV := cli("report", "--from", "2026-01-05", "--to", "2026-01-25", "--format", "csv")

	rd, err := store.OpenReader(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	srv := httptest.NewServer(dashboard.New(dashboard.Config{Reports: rd}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + dashboard.Path + "overview.csv?from=2026-01-05&to=2026-01-25")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	dash, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	report, err := csv.NewReader(strings.NewReader(reportCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(dash) != len(report) || len(report) != spec.Groups+1 {
		t.Fatalf("dashboard %d rows, report %d; want %d", len(dash), len(report), spec.Groups+1)
	}
	// Columns: the report has "correct %" where the dashboard has the
	// count; compare the counts and recompute the share.
	answers, finished := 0, 0
	for i := 1; i < len(report); i++ {
		r, d := report[i], dash[i]
		same := r[0] == d[0] && r[1] == d[1] && r[2] == d[2] && r[3] == d[3] && r[4] == d[4] && r[6] == d[6] && r[7] == d[7] && r[8] == d[8] && r[9] == d[9]
		a, _ := strconv.Atoi(d[4])
		c, _ := strconv.Atoi(d[5])
		if a > 0 && r[5] != strconv.Itoa((100*c+a/2)/a) {
			same = false
		}
		if !same {
			t.Errorf("group %d: report %v, dashboard %v", i, r, d)
		}
		f, _ := strconv.Atoi(d[7])
		answers, finished = answers+a, finished+f
	}
	lines := strings.Split(strings.TrimSpace(cli("export", "xapi", "--since", "2026-01-05", "--until", "2026-01-25", "--out", "-")), "\n")
	verbs := map[string]int{}
	runs := map[string]bool{}
	for _, l := range lines {
		var s struct {
			Verb    struct{ ID string } `json:"verb"`
			Context struct {
				Registration string `json:"registration"`
			} `json:"context"`
		}
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("export line %q: %v", l, err)
		}
		verbs[s.Verb.ID]++
		if s.Verb.ID == "http://adlnet.gov/expapi/verbs/completed" {
			runs[s.Context.Registration] = true
		}
	}
	if verbs["http://adlnet.gov/expapi/verbs/answered"] != answers || answers == 0 {
		t.Errorf("export: %d answered; report and dashboard: %d answers", verbs["http://adlnet.gov/expapi/verbs/answered"], answers)
	}
	if len(runs) != finished || finished == 0 {
		t.Errorf("export: completions in %d runs; report and dashboard: %d lessons finished", len(runs), finished)
	}
}
