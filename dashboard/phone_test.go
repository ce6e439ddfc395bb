package dashboard_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/lessons"
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
