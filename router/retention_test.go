package router_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/report"
)

// TestRetentionThroughTheSimulator: with a seven-day limit, a lesson and a
// chat eight days old are purged by the daily run, on the fake clock,
// while one of today stays whole; scores and the group's counts stay.
func TestRetentionThroughTheSimulator(t *testing.T) {
	h := startWith(t, huddletest.Options{Retention: 7 * 24 * time.Hour})
	ctx := context.Background()
	seq := h.Last("ward")
	h.Post("ward", "amina", "Amina", "Morning all", "")
	h.Post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	h.Wait("ward", seq, "Upper limit")
	h.Post("ward", "amina", "Amina", "20", "")
	h.Wait("ward", seq, "Amina: correct")
	h.Settled()

	h.App.Clock.Advance(8 * 24 * time.Hour)
	seq = h.Last("night")
	h.Post("night", "brigitte", "Brigitte", "/lesson quick-quiz", "")
	h.Wait("night", seq, "Upper limit")
	h.Post("night", "brigitte", "Brigitte", "18", "")
	h.Wait("night", seq, "Brigitte: correct")
	h.Settled()

	reader := h.App.DB.Reports()
	preview := func(before time.Time) map[string]int64 {
		t.Helper()
		got, err := reader.PurgePreview(ctx, before)
		if err != nil {
			t.Fatal(err)
		}
		out := make(map[string]int64)
		for _, p := range got {
			out[p.What] = p.Rows
		}
		return out
	}
	limit := h.App.Clock.Now().Add(-7 * 24 * time.Hour)
	var left map[string]int64
	testkit.Until(5*time.Second, func() bool {
		// A purge goes step by step: wait for its last one too.
		left = preview(limit)
		return !slices.ContainsFunc(slices.Collect(maps.Values(left)), func(n int64) bool { return n != 0 })
	})
	for what, n := range left {
		if n != 0 {
			t.Errorf("older than the limit, still %d %s", n, what)
		}
	}
	kept := preview(h.App.Clock.Now().Add(time.Hour))
	for _, what := range []string{"activity log rows", "typed quiz answers (the scores stay)", "messages the bot sent"} {
		if kept[what] == 0 {
			t.Errorf("today's %s were purged too", what)
		}
	}
	if rows := h.App.Progress(t, "sim", "amina"); len(rows) != 1 || rows[0].Correct != 1 {
		t.Errorf("Amina's progress after the purge = %+v, want her score kept", rows)
	}
	sum, err := reader.Summary(ctx, report.Range{From: time.Unix(0, 0), To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Answers != 2 {
		t.Errorf("answers counted after the purge = %d, want 2", sum.Answers)
	}
}
