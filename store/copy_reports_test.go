package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// TestCopyDemoReports copies the 5-group demonstration (huddle demo's: 200
// members, 8 weeks) from SQLite into a real PostgreSQL with huddle copy
// and reads every report the dashboard and huddle report show on both
// sides: the same figures, for the whole program, each group, each lesson
// and each member.
func TestCopyDemoReports(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the whole demonstration")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := demo.DefaultSpec()
	if _, err := demo.Generate(ctx, path, spec, nil); err != nil {
		t.Fatal(err)
	}
	url := pgtest.URL(t)
	if _, err := store.Copy(ctx, path, url, nil); err != nil {
		t.Fatal(err)
	}
	lite, err := store.OpenReader(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := store.OpenReader(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()

	// Averages may differ in their last bits between the engines.
	approx := cmpopts.EquateApprox(0, 1e-9)
	whole := report.Range{From: spec.Start, To: spec.Start.AddDate(0, 0, 7*spec.Weeks)}
	ragged := report.Range{From: spec.Start.Add(50 * time.Hour), To: spec.Start.AddDate(0, 0, 20).Add(7 * time.Hour)}
	compared := 0
	same := func(what string, read func(rd *store.Reader) (any, error)) {
		t.Helper()
		a, err := read(lite)
		if err != nil {
			t.Fatalf("%s on SQLite: %v", what, err)
		}
		b, err := read(pg)
		if err != nil {
			t.Fatalf("%s on PostgreSQL: %v", what, err)
		}
		if d := cmp.Diff(a, b, approx); d != "" {
			t.Errorf("%s differs (-SQLite +PostgreSQL):\n%s", what, d)
		}
		compared++
	}
	groups, err := lite.Overview(ctx, whole)
	if err != nil || len(groups) != spec.Groups {
		t.Fatalf("overview: %d groups, %v", len(groups), err)
	}
	lessons, err := lite.LessonCounts(ctx, whole, 0)
	if err != nil || len(lessons) == 0 {
		t.Fatalf("lessons: %v, %v", lessons, err)
	}
	for _, r := range []report.Range{whole, ragged} {
		same("overview", func(rd *store.Reader) (any, error) { return rd.Overview(ctx, r) })
		same("courses", func(rd *store.Reader) (any, error) { return rd.Courses(ctx, r) })
		for _, chat := range append([]int64{0}, groups[0].ChatID, groups[len(groups)-1].ChatID) {
			same("summary", func(rd *store.Reader) (any, error) { return rd.Summary(ctx, r, chat) })
			same("weekly active", func(rd *store.Reader) (any, error) { return rd.WeeklyActive(ctx, r, chat) })
			same("case figures", func(rd *store.Reader) (any, error) { return rd.CaseStats(ctx, r, chat) })
			same("cases week by week", func(rd *store.Reader) (any, error) { return rd.CaseWeeks(ctx, r, chat) })
			same("mentor loads", func(rd *store.Reader) (any, error) { return rd.MentorLoads(ctx, r, chat) })
			same("lesson counts", func(rd *store.Reader) (any, error) { return rd.LessonCounts(ctx, r, chat) })
			for _, l := range lessons {
				same("lesson steps "+l.LessonID, func(rd *store.Reader) (any, error) { return rd.LessonSteps(ctx, r, l.LessonID, chat) })
				same("lesson scores "+l.LessonID, func(rd *store.Reader) (any, error) { return rd.LessonScores(ctx, r, l.LessonID, chat) })
				same("lesson recall "+l.LessonID, func(rd *store.Reader) (any, error) { return rd.LessonRecall(ctx, r, l.LessonID, chat) })
			}
		}
	}
	for _, g := range groups {
		same("group members", func(rd *store.Reader) (any, error) { return rd.GroupMembers(ctx, whole, g.ChatID) })
		same("group assignments", func(rd *store.Reader) (any, error) { return rd.GroupAssignments(ctx, g.ChatID) })
	}
	members, err := lite.GroupMembers(ctx, whole, groups[0].ChatID)
	if err != nil || len(members) == 0 {
		t.Fatalf("members: %v, %v", members, err)
	}
	for _, m := range members[:min(len(members), 10)] {
		same("member", func(rd *store.Reader) (any, error) { return rd.Member(ctx, whole, m.MemberID) })
	}
	same("learning records", func(rd *store.Reader) (any, error) {
		var out []report.LearningEvent
		err := rd.LearningEvents(ctx, whole.From, whole.To, func(e report.LearningEvent) error { out = append(out, e); return nil })
		return out, err
	})
	same("mentors", func(rd *store.Reader) (any, error) { return rd.Mentors(ctx) })
	same("retention's preview", func(rd *store.Reader) (any, error) { return rd.PurgePreview(ctx, spec.Start.AddDate(0, 0, 30)) })
	t.Logf("%d reports compared, the same on both sides", compared)
}
