package dashboard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/store"
)

// TestPagesFitAPhone opens every page of the dashboard on a phone's
// screen, 390 pixels wide, in headless Chromium: none is wider than the
// screen (a wide table scrolls within its section, the page does not).
func TestPagesFitAPhone(t *testing.T) {
	rd := seeded(t)
	lib, err := flows.Load(lessons.FS, ".", "(built-in)")
	if err != nil {
		t.Fatal(err)
	}
	srv, ctx := serveAt(t, dashboard.Config{Reports: rd, Lessons: dashboard.FromLibrary(lib, "en"),
		Courses: dashboard.CoursesFromLibrary(lib, "en"), LessonFiles: lessons.FS, LessonsLabel: "the built-in lessons"}, 390, 800)
	groups, err := rd.Overview(context.Background(), r)
	if err != nil || len(groups) == 0 {
		t.Fatalf("groups: %v %v", groups, err)
	}
	members, err := rd.GroupMembers(context.Background(), r, groups[0].ChatID)
	if err != nil || len(members) == 0 {
		t.Fatalf("members: %v %v", members, err)
	}
	period := "?from=2026-01-05&to=2026-01-25"
	for _, page := range []string{
		"", "cases" + period, "media/" + period, fmt.Sprintf("group/%d%s", groups[0].ChatID, period),
		fmt.Sprintf("member/%d%s", members[0].MemberID, period), "lesson/hand-hygiene" + period, "course/safe-care-basics" + period,
		"preview/", "preview/hand-hygiene.yaml", "preview/safe-care-basics.yaml", "undelivered",
	} {
		var wide []string
		err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+dashboard.Path+page), chromedp.WaitReady(chromedp.CSS("main")))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			wide, _ = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 391 && !e.closest("section")?.parentElement?.closest("section")).slice(0, 8).map(e => e.tagName + (e.id ? "#" + e.id : "") + " " + Math.round(e.getBoundingClientRect().right))`))
			t.Errorf("%s is %d pixels wide on a 390-pixel screen; too wide: %s", page, width, strings.Join(wide, ", "))
		}
	}
}

// TestPreviewOfACourse: the lesson preview shows a course file as a
// course (its lessons, when they open, its hours), not as a lesson with
// problems.
func TestPreviewOfACourse(t *testing.T) {
	lib, err := flows.Load(lessons.FS, ".", "(built-in)")
	if err != nil {
		t.Fatal(err)
	}
	srv, ctx := serveAt(t, dashboard.Config{Reports: seeded(t), Lessons: dashboard.FromLibrary(lib, "en"),
		LessonFiles: lessons.FS, LessonsLabel: "the built-in lessons"}, 390, 800)
	text := func(page, sel string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+dashboard.Path+page)); err != nil {
			t.Fatal(err)
		}
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	list, course := text("preview/", "#files"), text("preview/safe-care-basics.yaml", "main")
	if !strings.Contains(list, "safe-care-basics.yaml\tSafe care basics\tok (a course)") {
		t.Errorf("the list of files says:\n%s", list)
	}
	for _, want := range []string{"Course", "2 lessons; pass 2", "2 CPD hours", "hand-hygiene", "pph-first-hour", "day 7"} {
		if !strings.Contains(course, want) {
			t.Errorf("the course's preview lacks %q:\n%s", want, course)
		}
	}
	if strings.Contains(course, "Not loaded") {
		t.Errorf("the course is shown as not loaded:\n%s", course)
	}
}

// TestWeekLabels draws the weekly charts (the overview's, the cases') over
// twelve weeks on a phone and on a laptop: one label a week at most, none
// twice, each whole inside the chart and clear of the one before.
func TestWeekLabels(t *testing.T) {
	rd := seeded(t)
	for _, width := range []int{390, 1280} {
		srv, ctx := serveAt(t, dashboard.Config{Reports: rd}, width, 900)
		for _, page := range []string{"", "cases"} {
			url := srv.URL + dashboard.Path + page + "?from=2025-11-03&to=2026-01-25"
			if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#chart canvas"))); err != nil {
				t.Fatal(err)
			}
			labels, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("chart").dataset.labels`))
			if err != nil {
				t.Fatal(err)
			}
			spans, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("chart").dataset.spans`))
			if err != nil {
				t.Fatal(err)
			}
			chart, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Math.round(document.querySelector("#chart .uplot").getBoundingClientRect().width)`))
			if err != nil {
				t.Fatal(err)
			}
			where := fmt.Sprintf("%q at %d px", page, width)
			t.Logf("%s: %s", where, labels)
			shown := strings.Split(labels, ",")
			if len(shown) < 3 {
				t.Errorf("%s: labels %q; want at least three of the twelve weeks", where, labels)
			}
			seen := map[string]bool{}
			for _, l := range shown {
				if seen[l] {
					t.Errorf("%s: %q drawn twice in %q", where, l, labels)
				}
				seen[l] = true
			}
			end := -1
			for _, s := range strings.Split(spans, ",") {
				var a, b int
				if _, err := fmt.Sscanf(s, "%d-%d", &a, &b); err != nil {
					t.Fatalf("%s: span %q: %v", where, s, err)
				}
				if a < 0 || b > chart || a <= end {
					t.Errorf("%s: a label spans %d to %d in a chart %d wide, after one ending at %d (%s)", where, a, b, chart, end, spans)
				}
				end = b
			}
			legend, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#chart .u-legend .u-series").innerText`))
			if err != nil || !strings.HasPrefix(strings.TrimSpace(legend), "week") {
				t.Errorf("%s: the legend's first entry reads %q (%v); want the week", where, legend, err)
			}
			if width == 1280 && len(shown) != 12 {
				t.Errorf("%s: %d labels (%q); want all twelve weeks on a laptop", where, len(shown), labels)
			}
		}
	}
}

// TestTeachersNamed: on the pages only staff see, mentors appear under
// their names with their role, not under a pseudonym, on the cases page
// and among a group's members, and the group's member count leaves them
// out.
func TestTeachersNamed(t *testing.T) {
	rd := seeded(t)
	srv, ctx := serveAt(t, dashboard.Config{Reports: rd}, 1280, 900)
	period := "?from=2026-01-05&to=2026-01-25"
	roles, err := rd.Teachers(context.Background())
	if err != nil || len(roles) == 0 {
		t.Fatalf("the seeded database's mentors: %v %v", roles, err)
	}
	rows := func(page, sel string) []string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+dashboard.Path+page), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("`+sel+`")].map(e => e.innerText)`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	mentors := rows("cases"+period, "#mentors tbody tr td:first-child")
	if len(mentors) == 0 {
		t.Fatal("the cases page lists no mentor")
	}
	for _, m := range mentors {
		if !strings.HasPrefix(m, "Dr ") || !strings.HasSuffix(m, " (mentor)") {
			t.Errorf("the cases page names a mentor %q; want their name and role", m)
		}
	}
	// A nurse of the first group made a mentor, in a copy of the
	// database: named with her role among its members, and no longer
	// counted as one.
	groups, err := rd.Overview(context.Background(), r)
	if err != nil || len(groups) == 0 {
		t.Fatalf("groups: %v %v", groups, err)
	}
	g := groups[0]
	people, err := rd.GroupMembers(context.Background(), r, g.ChatID)
	if err != nil || len(people) == 0 {
		t.Fatalf("members: %v %v", people, err)
	}
	nurse := people[0]
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	data, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(context.Background(), func(tx bot.Tx) error {
		_, err := tx.AddMentor("obstetrics", nurse.MemberID, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	srv2, ctx2 := serveAt(t, dashboard.Config{Reports: db.Reports()}, 1280, 900)
	srv, ctx = srv2, ctx2
	// The configuration no longer names the demonstration's mentors (a
	// new one, as huddle run writes it): the cases they took still name
	// them as mentors.
	if err := db.SetStaff(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	if again := rows("cases"+period, "#mentors tbody tr td:first-child"); !slices.Equal(again, mentors) {
		t.Errorf("with the mentors no longer configured, the cases page names them %q; want %q", again, mentors)
	}
	page := fmt.Sprintf("group/%d%s", g.ChatID, period)
	want := nurse.Name + " (mentor)"
	names := rows(page, "#members-table tbody tr td:first-child")
	if !slices.Contains(names, want) {
		t.Errorf("%s names its members %q; want %q among them", page, names, want)
	}
	for _, n := range names {
		if n != want && strings.Contains(n, nurse.Name) {
			t.Errorf("%s also shows %q", page, n)
		}
	}
	if card := rows(page, "#members"); len(card) != 1 || card[0] != fmt.Sprint(g.Members-1) {
		t.Errorf("%s: members card %q; want %d, the group's learners without its new mentor", page, card, g.Members-1)
	}
}
