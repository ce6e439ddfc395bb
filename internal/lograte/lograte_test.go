package lograte_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/lograte"
)

// TestOneLineAPeriod: ten thousand warnings of one kind in a minute are
// one line, and the first after the minute carries their count; another
// kind has lines of its own; the kinds remembered stay bounded.
func TestOneLineAPeriod(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	l := lograte.New(slog.New(slog.NewTextHandler(&buf, nil)), time.Minute, func() time.Time { return now })
	for i := range 10000 {
		l.Warn("webhook", "wrong secret", "remote", "203.0.113.7")
		if i == 5000 {
			l.Warn("token:198.51.100.2", "wrong token", "client", "198.51.100.2")
		}
		now = now.Add(time.Millisecond)
	}
	now = now.Add(time.Minute)
	l.Warn("webhook", "wrong secret", "remote", "203.0.113.7")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for i, want := range []string{`"wrong secret" remote=203.0.113.7 count=1`, `"wrong token" client=198.51.100.2 count=1`, "count=10000 since=2026-03-02T08:30:00Z"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q lacks %q", i, lines[i], want)
		}
	}
	// Many clients: memory stays bounded, and each still gets its line.
	buf.Reset()
	for i := range 20000 {
		l.Warn(fmt.Sprint("client-", i), "wrong token")
	}
	if n := strings.Count(buf.String(), "\n"); n != 20000 {
		t.Errorf("%d lines for 20,000 clients", n)
	}
}
