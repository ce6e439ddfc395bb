package dashboard_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/internal/browsertest"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/store"
)

// seeded makes a demonstration database through the real engine and
// returns a report reader on it.
func seeded(t *testing.T) *store.Reader {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := demo.DefaultSpec()
	spec.Groups, spec.Members, spec.Weeks = 3, 60, 3
	if _, err := demo.Generate(context.Background(), path, spec, nil); err != nil {
		t.Fatal(err)
	}
	rd, err := store.OpenReader(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	return rd
}

// TestOverviewInBrowser loads the overview in headless Chromium on a
// phone-sized screen: the figures and the chart are the seeded ones, the
// group filter changes them, and the CSV download matches the table.
func TestOverviewInBrowser(t *testing.T) {
	rd := seeded(t)
	d := dashboard.New(dashboard.Config{Reports: rd})
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	ctx := browsertest.Start(t, 420, 900)
	r := store.Range{From: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC)}
	url := srv.URL + dashboard.Path + "?from=2026-01-05&to=2026-01-25"

	total, err := rd.Summary(context.Background(), r, 0)
	if err != nil {
		t.Fatal(err)
	}
	weeks, err := rd.WeeklyActive(context.Background(), r, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, w := range weeks {
		want = append(want, strconv.Itoa(w.Count))
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#chart canvas"))); err != nil {
		t.Fatal(err)
	}
	if got := text("#members"); got != strconv.Itoa(total.Members) {
		t.Errorf("members card %q; want %d", got, total.Members)
	}
	if got := text("#answers"); got != strconv.Itoa(total.Answers) {
		t.Errorf("answers card %q; want %d", got, total.Answers)
	}
	values, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("chart").dataset.values`))
	if err != nil || values != strings.Join(want, ",") || len(want) != 3 {
		t.Errorf("chart values %q, %v; want %q", values, err, strings.Join(want, ","))
	}
	if total.Members == 0 || total.Answers == 0 {
		t.Fatalf("the seeded database shows nothing: %+v", total)
	}
	screenshot(t, ctx, "dashboard-overview.png")

	// The CSV download matches the table.
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#groups tbody tr")].map(r => [...r.cells].map(c => c.innerText))`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("csv").href).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != len(rows)+1 || len(rows) != 3 {
		t.Fatalf("CSV has %d records, the table %d rows", len(records), len(rows))
	}
	for i, row := range rows {
		rec := records[i+1]
		if row[0] != rec[0] || row[1] != rec[1] || row[4] != rec[4] || row[8] != rec[8] {
			t.Errorf("row %d: table %v, CSV %v", i, row, rec)
		}
	}

	// Filtering on one group changes the figures to that group's.
	groups, err := rd.Overview(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	g := groups[1]
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#group"), strconv.FormatInt(g.ChatID, 10)),
		chromedp.Click(chromedp.CSS("#apply")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#groups tbody tr[data-group="%d"]`, g.ChatID))),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text("#members"); got != strconv.Itoa(g.Members) {
		t.Errorf("after filtering on %s: members %q; want %d", g.Title, got, g.Members)
	}
	if got := text("#answers"); got != strconv.Itoa(g.Answers) || g.Answers == total.Answers {
		t.Errorf("after filtering on %s: answers %q; want %d (of %d in all)", g.Title, got, g.Answers, total.Answers)
	}
}

// screenshot saves the page for the README when HUDDLE_SCREENSHOTS names a
// folder.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("HUDDLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Error(err)
	}
}
