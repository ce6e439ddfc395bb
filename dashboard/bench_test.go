package dashboard_test

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/store"
)

// BenchmarkOverview renders the overview page, figures, chart data and
// all: for the default demonstration (5 groups, 200 members, 8 weeks
// played through the engine), and for 50,000 members in 1,000 groups over
// a year (demo.GenerateBulk, some twenty million rows), over eight weeks
// (the page's default period) and over the whole year.
//
// Making the large database takes a few minutes. HUDDLE_BENCH_DB names a
// file to keep it in between runs: it is made there when missing and used
// as it is when present.
func BenchmarkOverview(b *testing.B) {
	b.Run("members=200/weeks=8", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "demo.db")
		if _, err := demo.Generate(context.Background(), path, demo.DefaultSpec(), nil); err != nil {
			b.Fatal(err)
		}
		benchOverview(b, path, "?from=2026-01-05&to=2026-03-01")
	})
	b.Run("members=50000/weeks=52", func(b *testing.B) {
		path := os.Getenv("HUDDLE_BENCH_DB")
		if path == "" {
			path = filepath.Join(b.TempDir(), "large.db")
		}
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			spec := demo.Spec{Groups: 1000, Members: 50_000, Weeks: 52, Seed: 1, Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
			began := time.Now()
			st, err := demo.GenerateBulk(context.Background(), path, spec, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("generated %d events, %d answers and %d cases in %s", st.Events, st.Answers, st.Cases, time.Since(began).Round(time.Second))
		}
		// The year runs from 5 January 2026 to 3 January 2027. The eight
		// weeks start on a Thursday, as the page's default period (the last
		// 56 days) does on any day but Tuesday, so the partial weeks and
		// days at its edges are read from the raw rows.
		b.Run("period=8-weeks", func(b *testing.B) { benchOverview(b, path, "?from=2026-11-05&to=2026-12-30") })
		b.Run("period=year", func(b *testing.B) { benchOverview(b, path, "?from=2026-01-05&to=2027-01-03") })
	})
}

func benchOverview(b *testing.B, path, query string) {
	rd, err := store.OpenReader(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	h := dashboard.New(dashboard.Config{Reports: rd}).Handler()
	req := httptest.NewRequest(http.MethodGet, dashboard.Path+query, nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
