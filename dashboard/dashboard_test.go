package dashboard_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/browsertest"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/websec"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// seeded makes a demonstration database through the real engine and
// returns a report reader on it.
func seeded(t *testing.T) *store.Reader {
	t.Helper()
	seedOnce.Do(func() {
		seedPath = filepath.Join(os.TempDir(), fmt.Sprintf("huddle-dashboard-test-%d.db", os.Getpid()))
		spec := demo.DefaultSpec()
		spec.Groups, spec.Members, spec.Weeks = 3, 60, 3
		_, seedErr = demo.Generate(context.Background(), seedPath, spec, nil)
	})
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	rd, err := store.OpenReader(context.Background(), seedPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	return rd
}

// One seeded database serves every test of the package.
var (
	seedOnce sync.Once
	seedPath string
	seedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if seedPath != "" {
		for _, suffix := range []string{"", "-wal", "-shm", ".lock"} {
			os.Remove(seedPath + suffix)
		}
	}
	os.Exit(code)
}

// TestOverviewInBrowser loads the overview in headless Chromium on a
// phone-sized screen: the figures and the chart are the seeded ones, the
// group filter changes them, and the CSV download matches the table.
func TestOverviewInBrowser(t *testing.T) {
	rd := seeded(t)
	channels := func() []dashboard.ChannelState {
		return []dashboard.ChannelState{{Name: "whatsapp", OK: false, Detail: "paused: the temporary ban, until 2026-01-26 12:00; 3 messages could not be decrypted"}}
	}
	srv, ctx := serve(t, dashboard.Config{Reports: rd, Lessons: lessonsForTest(t), Channels: channels}, 900)
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
	if got := text("#channels li.warn"); !strings.Contains(got, "whatsapp: paused: the temporary ban") || !strings.Contains(got, "3 messages could not be decrypted") {
		t.Errorf("channels section %q", got)
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
		follow("#apply"),
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

// r is the period the browser tests look at: the seeded three weeks.
var r = report.Range{From: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC)}

// serve serves a dashboard for the test and opens a phone-sized browser of
// the given height.
func serve(t *testing.T, cfg dashboard.Config, height int) (*httptest.Server, context.Context) {
	t.Helper()
	return serveAt(t, cfg, 420, height)
}

// serveAt is serve on a screen width pixels wide.
func serveAt(t *testing.T, cfg dashboard.Config, width, height int) (*httptest.Server, context.Context) {
	t.Helper()
	// Behind the server's protections, so the pages run under its CSP.
	srv := httptest.NewServer(websec.Handler(websec.Config{Listen: "127.0.0.1:0"}, dashboard.New(cfg).Handler()))
	t.Cleanup(srv.Close) // after the browser is gone: cleanups run last first
	return srv, browsertest.Start(t, width, height)
}

func lessonsForTest(t *testing.T) []dashboard.Lesson {
	t.Helper()
	lib, err := flows.Load(lessons.FS, ".", "(built-in)")
	if err != nil {
		t.Fatal(err)
	}
	return dashboard.FromLibrary(lib, "en")
}

// TestLessonPageInBrowser opens a lesson's page from the overview: the
// funnel's figures, the scores chart and the pre/post-test gain are the
// store's for the seeded activity, and the CSV matches the table.
func TestLessonPageInBrowser(t *testing.T) {
	rd := seeded(t)
	reviewed(t)
	srv, ctx := serve(t, dashboard.Config{Reports: rd, Lessons: lessonsForTest(t)}, 1200)
	steps, err := rd.LessonSteps(context.Background(), r, "pph-first-hour", 0)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := rd.LessonScores(context.Background(), r, "pph-first-hour", 0)
	if err != nil {
		t.Fatal(err)
	}
	pp, err := rd.LessonPrePost(context.Background(), r, "pph-first-hour", 0, []string{"threshold"}, []string{"check"})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path+"?from=2026-01-05&to=2026-01-25"),
		follow(`#lessons a[href^="lesson/pph-first-hour"]`),
		chromedp.WaitVisible(chromedp.CSS("#scores canvas")),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#steps tbody tr")].map(r => [r.dataset.step, r.cells[2].innerText, r.cells[5].innerText])`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d question rows; want the lesson's 4 quizzes: %v", len(rows), rows)
	}
	for _, row := range rows {
		want := steps[row[0]]
		if want == nil || row[1] != strconv.Itoa(want.Members) || row[2] != strconv.Itoa(want.Missed) {
			t.Errorf("step %s: page %v; store %+v", row[0], row[1:], want)
		}
	}
	values, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("scores").dataset.values`))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range scores {
		want = append(want, strconv.Itoa(n))
	}
	if values != strings.Join(want, ",") {
		t.Errorf("scores chart %q; want %q", values, strings.Join(want, ","))
	}
	gain, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#gain")))
	if err != nil {
		t.Fatal(err)
	}
	if pp.Members == 0 || !strings.HasSuffix(gain, "points") {
		t.Errorf("gain card %q for %+v", gain, pp)
	}
	// Recall in review: the weeks that had reviews, and each cell the
	// week's right answers out of its reviews.
	recall, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#recall th, #recall tr[data-step='first-drug'] td")].map(c => c.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Question", "5 Jan", "12 Jan", "First drug for PPH?", "67% (2/3)", "100% (4/4)"}; !slices.Equal(recall, want) {
		t.Errorf("recall table %q, want %q", recall, want)
	}
	screenshot(t, ctx, "dashboard-lesson.png")
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("csv").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(records) != len(rows)+1 {
		t.Fatalf("CSV: %d records, %v; want %d", len(records), err, len(rows)+1)
	}
	for i, row := range rows {
		if records[i+1][3] != row[1] || records[i+1][6] != row[2] {
			t.Errorf("CSV row %d %v; table %v", i, records[i+1], row)
		}
	}
}

// TestCasesPageInBrowser opens the cases and mentors page from the
// overview: its cards (how the cases were settled: by peers, from the
// archive, by a mentor), its two charts (the cases of each week by how
// they were settled, stacked; the mentors' load each week) and mentors'
// table are the store's figures.
func TestCasesPageInBrowser(t *testing.T) {
	rd := seeded(t)
	srv, ctx := serve(t, dashboard.Config{Reports: rd, Lessons: lessonsForTest(t)}, 1100)
	stats, err := rd.CaseStats(context.Background(), r, 0)
	if err != nil {
		t.Fatal(err)
	}
	weeks, err := rd.CaseWeeks(context.Background(), r, 0)
	if err != nil {
		t.Fatal(err)
	}
	loads, err := rd.MentorLoads(context.Background(), r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Cases == 0 || stats.Escalated == 0 || stats.FromArchive == 0 || stats.ByPeers == 0 || len(loads) == 0 {
		t.Fatalf("the seeded database lacks escalated cases, or cases settled by peers or from the archive: %+v %+v", stats, loads)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path+"?from=2026-01-05&to=2026-01-25"),
		follow(`a[href^="cases?"]`),
		chromedp.WaitVisible(chromedp.CSS("#chart canvas")),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`["#cases", "#escalated", "#by-peers", "#from-archive", "#by-mentor", "#chart", "#load"].map(s =>
		s === "#chart" || s === "#load" ? document.querySelector(s).dataset.values : document.querySelector(s).innerText.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	join := func(n []int) string {
		var s []string
		for _, v := range n {
			s = append(s, strconv.Itoa(v))
		}
		return strings.Join(s, ",")
	}
	want := []string{strconv.Itoa(stats.Cases), strconv.Itoa(stats.Escalated), strconv.Itoa(stats.ByPeers), strconv.Itoa(stats.FromArchive),
		strconv.Itoa(stats.Answered), strings.Join([]string{join(weeks.ByPeers), join(weeks.FromArchive), join(weeks.ByMentor), join(weeks.Open)}, "|"),
		join(weeks.Assigned) + "|" + join(weeks.Answered)}
	if !slices.Equal(got, want) {
		t.Errorf("page %q;\nstore %q", got, want)
	}
	// Each week's parts add up to the week's cases, and the weeks to the
	// period's.
	total := 0
	for i := range weeks.Weeks {
		total += weeks.ByPeers[i] + weeks.FromArchive[i] + weeks.ByMentor[i] + weeks.Open[i]
	}
	if total != stats.Cases {
		t.Errorf("the weeks' cases add up to %d, the period has %d", total, stats.Cases)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#mentors tbody tr")].map(r => [...r.cells].map(c => c.innerText))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(loads) {
		t.Fatalf("%d mentor rows; want %d", len(rows), len(loads))
	}
	for i, l := range loads {
		// Mentors teach: named, with their role, for the staff.
		if rows[i][0] != l.Name+" (mentor)" || rows[i][1] != strconv.Itoa(l.Assigned) || rows[i][2] != strconv.Itoa(l.Answered) {
			t.Errorf("mentor row %v; store %+v", rows[i], l)
		}
	}
	screenshot(t, ctx, "dashboard-cases.png")
}

// TestPreviewInBrowser previews a lessons folder with a valid lesson and a
// broken one: the valid one reads as a learner would see it, in each of its
// languages; the broken one lists every problem as file:line and marks the
// lines.
func TestPreviewInBrowser(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../lessons/pph-first-hour.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := os.ReadFile("../flows/testdata/invalid/every-kind.yaml")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "pph-first-hour.yaml"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "every-kind.yaml"), bad, 0o644)
	srv, ctx := serve(t, dashboard.Config{Reports: seeded(t), LessonFiles: os.DirFS(dir), LessonsLabel: "./lessons"}, 900)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path),
		follow(`a[href="preview/"]`),
		chromedp.WaitVisible(chromedp.CSS("#files")),
		follow(`#files a[href="pph-first-hour.yaml"]`),
		chromedp.WaitVisible(chromedp.CSS("#steps")),
	)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#steps")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"First drug for PPH?", "1. Oxytocin 10 IU IM/IV", "pre", "post", "Share a de-identified PPH case",
		"Step 1 of 11 · say", "Step 11 of 11"} {
		if !strings.Contains(steps, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	// What the lesson costs a member by SMS, in the language shown: the
	// lesson's own figure.
	lesson, err := flows.Parse("pph-first-hour.yaml", good)
	if err != nil {
		t.Fatal(err)
	}
	smsCost := func(lang string) string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#sms-cost")))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := lesson.SMSCost(lang); got != strconv.Itoa(n) || n == 0 {
			t.Errorf("the preview says %s SMS segments in %s, the lesson %d", got, lang, n)
		}
		return got
	}
	en := smsCost("en")
	err = chromedp.Do(ctx, follow(`a[href="?lang=fr"]`), chromedp.WaitVisible(chromedp.CSS("#steps")))
	if err != nil {
		t.Fatal(err)
	}
	if fr, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#steps"))); !strings.Contains(fr, "Premier médicament en cas d'HPP ?") {
		t.Errorf("the French preview lacks the French question")
	}
	if fr := smsCost("fr"); fr == en {
		t.Logf("the same SMS cost in English and French: %s segments", fr)
	}
	// The French goes in UCS-2, and the preview names what does it.
	if wide, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#sms-wide"))); err != nil || wide != "À µ" {
		t.Errorf("the preview names %q as putting the French in UCS-2 (%v); want À µ", wide, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path+"preview/every-kind.yaml"),
		chromedp.WaitVisible(chromedp.CSS("#problems")),
	)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#problems")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"every-kind.yaml:2: bad id", "every-kind.yaml:6: unknown key", "every-kind.yaml:19: goto"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the problems lack %q:\n%s", want, problems)
		}
	}
	marked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("pre.src .bad").length`))
	if err != nil || marked < 8 {
		t.Errorf("%d lines marked (%v); want one per problem line", marked, err)
	}
}

// TestRealNamesOnlyWhereAllowed: without Config.RealNames a group page
// offers no real names, and asking for them in the address shows
// pseudonyms all the same.
func TestRealNamesOnlyWhereAllowed(t *testing.T) {
	rd := seeded(t)
	srv, ctx := serve(t, dashboard.Config{Reports: rd, Lessons: lessonsForTest(t)}, 900)
	groups, err := rd.Overview(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	members, err := rd.GroupMembers(context.Background(), r, groups[0].ChatID)
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s%sgroup/%d?from=2026-01-05&to=2026-01-25&names=1", srv.URL, dashboard.Path, groups[0].ChatID)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#members-table"))); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelectorAll("#show-names").length + "", document.querySelector("#members-table tbody tr td a").innerText]`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "0" || got[1] != members[0].Pseudonym || got[1] == members[0].Name {
		t.Errorf("show-names links %s, first member %q; want none and %q (not %q)", got[0], got[1], members[0].Pseudonym, members[0].Name)
	}
}

// follow clicks the link or button at sel and waits until the page it
// leads to has loaded in place of this one: a selector waited for next
// may be on both pages, and asking the old one races its unloading.
func follow(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var none chromedp.Void
		if _, err := chromedp.Evaluate[bool](`window.huddleLeaving = true`)(ctx, tg); err != nil {
			return none, err
		}
		if _, err := chromedp.Click(chromedp.CSS(sel))(ctx, tg); err != nil {
			return none, err
		}
		for {
			loaded, err := chromedp.Evaluate[bool](`!window.huddleLeaving && document.readyState === "complete"`)(ctx, tg)
			if err == nil && loaded {
				return none, nil
			}
			select {
			case <-ctx.Done():
				return none, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// TestGroupAndMemberPagesInBrowser opens a group from the overview: its
// members appear by pseudonym until staff ask for names, where the config
// lets them, with the store's figures; then one member's page lists their
// lessons.
func TestGroupAndMemberPagesInBrowser(t *testing.T) {
	rd := seeded(t)
	srv, ctx := serve(t, dashboard.Config{Reports: rd, Lessons: lessonsForTest(t), RealNames: true}, 900)
	groups, err := rd.Overview(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	g := groups[0]
	members, err := rd.GroupMembers(context.Background(), r, g.ChatID)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path+"?from=2026-01-05&to=2026-01-25"),
		follow(fmt.Sprintf(`#groups a[href^="group/%d?"]`, g.ChatID)),
		chromedp.WaitVisible(chromedp.CSS("#members-table")),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#members-table tbody tr")].map(r => [r.dataset.member, r.cells[0].innerText, r.cells[2].innerText])`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(members) || len(rows) != g.Members {
		t.Fatalf("%d member rows; the store lists %d (overview %d)", len(rows), len(members), g.Members)
	}
	for i, m := range members {
		if rows[i][0] != strconv.FormatInt(m.MemberID, 10) || m.Pseudonym == "" || rows[i][1] != m.Pseudonym || rows[i][2] != strconv.Itoa(m.Answers) {
			t.Errorf("row %v; store %+v", rows[i], m)
		}
	}
	err = chromedp.Do(ctx, follow("#show-names"), chromedp.WaitVisible(chromedp.CSS("#members-table")))
	if err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#members-table tbody tr td a")))
	if err != nil || first != members[0].Name {
		t.Errorf("with names: first member %q (%v); want %q", first, err, members[0].Name)
	}
	m, err := rd.Member(context.Background(), r, members[0].MemberID)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, follow("#members-table tbody tr td a"), chromedp.WaitVisible(chromedp.CSS("#member-runs")))
	if err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#member-runs tbody tr").length`))
	if err != nil || n != len(m.Runs) || n == 0 {
		t.Errorf("member page: %d lesson rows (%v); the store has %d", n, err, len(m.Runs))
	}
	// Each run names its lesson by title, a link to the lesson's page.
	titles := map[string]string{}
	for _, l := range lessonsForTest(t) {
		titles[l.ID] = l.Title
	}
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#member-runs tbody tr td:first-child a")].map(a => a.innerText + " -> " + a.getAttribute("href").split("?")[0])`))
	if err != nil || len(cells) != len(m.Runs) {
		t.Fatalf("member page: lesson links %q (%v)", cells, err)
	}
	for i, run := range m.Runs {
		if want := titles[run.LessonID] + " -> ../lesson/" + run.LessonID; cells[i] != want {
			t.Errorf("member page, run %d: %q, want %q", i, cells[i], want)
		}
	}
}

// reviewed adds, once, members' reviews of pph-first-hour's first-drug
// question to the seeded database: three in the week of 5 January (two
// right), four in the next (all right).
func reviewed(t *testing.T) {
	t.Helper()
	reviewOnce.Do(func() {
		ctx := context.Background()
		db, err := store.Open(ctx, seedPath)
		if err != nil {
			reviewErr = err
			return
		}
		defer db.Close()
		reviewErr = db.Update(ctx, func(tx bot.Tx) error {
			for i, r := range []struct {
				day   int
				right bool
			}{{6, true}, {7, false}, {8, true}, {13, true}, {14, true}, {15, true}, {16, true}} {
				c := bot.ReviewCard{MemberID: int64(i + 1), LessonID: "pph-first-hour", StepKey: "first-drug"}
				if err := tx.LogReview(c, r.right, time.Date(2026, 1, r.day, 19, 0, 0, 0, time.UTC)); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if reviewErr != nil {
		t.Fatal(reviewErr)
	}
}

var (
	reviewOnce sync.Once
	reviewErr  error
)

// TestPicturePreviewInBrowser: the lesson preview shows a step's picture
// as members get it: the JPEG made at load, 1280 pixels wide.
func TestPicturePreviewInBrowser(t *testing.T) {
	dir := huddletest.PictureLessons(t)
	srv, ctx := serve(t, dashboard.Config{Reports: seeded(t), LessonFiles: os.DirFS(dir), LessonsLabel: "./lessons"}, 900)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path+"preview/picture.yaml"),
		chromedp.WaitVisible(chromedp.CSS("#steps")),
	)
	if err != nil {
		t.Fatal(err)
	}
	var width int
	testkit.Until(5*time.Second, func() bool {
		if width, err = chromedp.Run(ctx, chromedp.Evaluate[int](`(document.querySelector("#steps img.picture") || {}).naturalWidth || 0`)); err != nil {
			t.Fatal(err)
		}
		return width != 0
	})
	if width != 1280 {
		t.Errorf("the preview's picture is %d pixels wide, want 1280", width)
	}
}

// TestPictureQuizPreviewInBrowser: the built-in malaria lesson's preview
// shows its two illustrations and its picture quiz's four cassettes,
// each labelled by its letter, as a learner gets them.
func TestPictureQuizPreviewInBrowser(t *testing.T) {
	srv, ctx := serve(t, dashboard.Config{Reports: seeded(t), LessonFiles: lessons.FS, LessonsLabel: "(built-in)"}, 900)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path+"preview/malaria-rdt.yaml"),
		chromedp.WaitVisible(chromedp.CSS("#steps")),
	)
	if err != nil {
		t.Fatal(err)
	}
	type shown struct {
		Pictures, Loaded int
		Letters          string
	}
	var got shown
	testkit.Until(5*time.Second, func() bool {
		if got, err = chromedp.Run(ctx, chromedp.Evaluate[shown](`({
			Pictures: document.querySelectorAll("#steps img.picture").length,
			Loaded: [...document.querySelectorAll("#steps img.picture")].filter(i => i.naturalWidth > 0).length,
			Letters: [...document.querySelectorAll("#steps figure.option figcaption")].map(f => f.innerText).join("")})`)); err != nil {
			t.Fatal(err)
		}
		if got.Loaded == got.Pictures && got.Pictures > 0 {
			return true
		}
		return false
	})
	if got.Pictures != 6 || got.Loaded != 6 || got.Letters != "ABCD" {
		t.Errorf("the preview shows %+v; want 6 pictures loaded (2 illustrations, 4 options lettered ABCD)", got)
	}
}

// TestSoundPreviewInBrowser: the built-in pulse lesson's preview plays
// its sound, the ten-second WAV, as a learner hears it; a step without a
// file, or past the last, has none to serve.
func TestSoundPreviewInBrowser(t *testing.T) {
	srv, ctx := serve(t, dashboard.Config{Reports: seeded(t), LessonFiles: lessons.FS, LessonsLabel: "(built-in)"}, 900)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+dashboard.Path+"preview/pulse-check.yaml"),
		chromedp.WaitVisible(chromedp.CSS("#steps")),
	)
	if err != nil {
		t.Fatal(err)
	}
	var seconds float64
	testkit.Until(5*time.Second, func() bool {
		if seconds, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`(document.querySelector("#steps audio.sound") || {}).duration || 0`)); err != nil {
			t.Fatal(err)
		}
		return seconds != 0
	})
	if seconds < 9.9 || seconds > 10.1 {
		t.Errorf("the preview's sound lasts %.2f s, want the 10 s clip", seconds)
	}
	for _, step := range []string{"2", "9", "x"} {
		resp, err := http.Get(srv.URL + dashboard.Path + "preview/pulse-check.yaml/media/" + step)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("step %s's file: %s, want 404", step, resp.Status)
		}
	}
}
