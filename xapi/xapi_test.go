package xapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/internal/testkit/xapitest"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
	"github.com/huddlebot/huddle/xapi"
)

var (
	from = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC)
)

// export seeds a database through the real engine and exports it.
func export(t *testing.T) (*store.Reader, []xapi.Statement) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := demo.DefaultSpec()
	spec.Groups, spec.Members, spec.Weeks = 2, 30, 3
	if _, err := demo.Generate(context.Background(), path, spec, nil); err != nil {
		t.Fatal(err)
	}
	rd, err := store.OpenReader(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	lib, err := flows.Load(lessons.FS, ".", "(built-in)")
	if err != nil {
		t.Fatal(err)
	}
	x := &xapi.Exporter{HomePage: "https://huddle.example.org", Lessons: lib}
	var out []xapi.Statement
	if err := x.Export(context.Background(), rd, from, to, func(s xapi.Statement) error { out = append(out, s); return nil }); err != nil {
		t.Fatal(err)
	}
	return rd, out
}

// TestStatementsValidAndConsistent exports the seeded activity: every
// statement passes Learning Locker's validator, ids are unique, actors are
// pseudonymous accounts, and the counts agree with the report's figures.
func TestStatementsValidAndConsistent(t *testing.T) {
	rd, stmts := export(t)
	byVerb := map[string]int{}
	ids := map[string]bool{}
	var raw [][]byte
	for _, s := range stmts {
		byVerb[s.Verb.ID]++
		if ids[s.ID] {
			t.Fatalf("statement id %s twice", s.ID)
		}
		ids[s.ID] = true
		if s.Actor.Account.Name == "" || s.Actor.Account.HomePage != "https://huddle.example.org" {
			t.Fatalf("actor %+v", s.Actor)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b)
	}
	// The validator is awake: a statement without verb or object fails.
	if p := xapitest.Problems(t, [][]byte{[]byte(`{"actor":{"objectType":"Agent","account":{"homePage":"https://x.org","name":"m1"}}}`)}); len(p) != 1 {
		t.Fatalf("the validator passed a statement without verb and object: %v", p)
	}
	for i, p := range xapitest.Problems(t, raw) {
		t.Errorf("statement %d is invalid: %s\n%s", i, p, raw[i])
		if i > 5 {
			t.FailNow()
		}
	}
	groups, err := rd.Overview(context.Background(), report.Range{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	answers, finished := 0, 0
	for _, g := range groups {
		answers += g.Answers
		finished += g.LessonsFinished
	}
	if byVerb[xapi.VerbAnswered] != answers || answers == 0 {
		t.Errorf("%d answered statements; the report counts %d answers", byVerb[xapi.VerbAnswered], answers)
	}
	if byVerb[xapi.VerbCompleted] == 0 || finished == 0 || byVerb[xapi.VerbPassed]+byVerb[xapi.VerbFailed] == 0 {
		t.Errorf("completions %d, passed %d, failed %d for %d finished runs", byVerb[xapi.VerbCompleted], byVerb[xapi.VerbPassed], byVerb[xapi.VerbFailed], finished)
	}
	if byVerb[xapi.VerbCommented] == 0 || byVerb[xapi.VerbResponded] == 0 {
		t.Errorf("case statements: commented %d, responded %d", byVerb[xapi.VerbCommented], byVerb[xapi.VerbResponded])
	}
	t.Logf("%d statements: %v", len(stmts), byVerb)
}

// TestSendToFlakyLRS posts to a fake learning record store that fails the
// first two requests: every statement arrives exactly once, and a second
// export sends nothing.
func TestSendToFlakyLRS(t *testing.T) {
	_, stmts := export(t)
	var (
		mu       sync.Mutex
		requests int
		got      = map[string]int{}
	)
	lrs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests++
		user, pass, _ := r.BasicAuth()
		if r.URL.Path != "/xapi/statements" || r.Header.Get("X-Experience-API-Version") != "1.0.3" || user != "huddle" || pass != "secret" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if requests <= 2 {
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var batch []xapi.Statement
		if err := json.Unmarshal(body, &batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, s := range batch {
			got[s.ID]++
		}
		w.WriteHeader(http.StatusOK)
		json.NewEncoder(w).Encode([]string{})
	}))
	defer lrs.Close()
	sentLog := filepath.Join(t.TempDir(), "sent.log")
	send := func() int {
		log, err := xapi.OpenSentLog(sentLog)
		if err != nil {
			t.Fatal(err)
		}
		c := &xapi.LRS{Endpoint: lrs.URL + "/xapi/", Username: "huddle", Password: "secret", Batch: 40,
			Wait: func(context.Context, time.Duration) error { return nil }}
		n, err := c.Send(context.Background(), log, stmts, nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := send(); n != len(stmts) {
		t.Fatalf("sent %d of %d", n, len(stmts))
	}
	if n := send(); n != 0 {
		t.Fatalf("a second export sent %d statements again", n)
	}
	if len(got) != len(stmts) {
		t.Fatalf("the store has %d statements of %d", len(got), len(stmts))
	}
	for id, n := range got {
		if n != 1 {
			t.Fatalf("statement %s arrived %d times", id, n)
		}
	}
}
