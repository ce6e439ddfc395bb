package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestGenerateDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	path := filepath.Join(t.TempDir(), "demo.db")
	start := time.Now()
	st, err := Generate(context.Background(), path, DefaultSpec(), func(w, n int) { t.Logf("week %d/%d at %s", w, n, time.Since(start).Round(time.Millisecond)) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v in %s", st, time.Since(start).Round(time.Millisecond))
}
