package dashboard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/store"
)

// BenchmarkOverview renders the overview page, figures, chart data and
// all, for the default demonstration: 5 groups, 200 members, 8 weeks.
func BenchmarkOverview(b *testing.B) {
	path := filepath.Join(b.TempDir(), "demo.db")
	if _, err := demo.Generate(context.Background(), path, demo.DefaultSpec(), nil); err != nil {
		b.Fatal(err)
	}
	rd, err := store.OpenReader(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	h := dashboard.New(dashboard.Config{Reports: rd}).Handler()
	req := httptest.NewRequest(http.MethodGet, dashboard.Path+"?from=2026-01-05&to=2026-03-01", nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
