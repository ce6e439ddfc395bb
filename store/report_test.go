package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// TestWeeks lists the weeks of a period as the weekly figures count them.
func TestWeeks(t *testing.T) {
	// Wednesday 7 January to Tuesday 20 January 2026: the rest of the week
	// of the 5th, the week of the 12th, and two days of the week of the 19th.
	r := report.Range{From: time.Date(2026, 1, 7, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 21, 0, 0, 0, 0, time.UTC)}
	got := fmt.Sprint(store.Weeks(r))
	want := "[2026-01-07 00:00:00 +0000 UTC 2026-01-12 00:00:00 +0000 UTC 2026-01-19 00:00:00 +0000 UTC]"
	if got != want {
		t.Errorf("weeks = %s, want %s", got, want)
	}
}
