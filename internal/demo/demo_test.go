package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// TestGenerate plays a small spec and checks that the activity landed:
// members in every group, lessons run to their end, answers scored, cases
// opened and answered by mentors.
func TestGenerate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := DefaultSpec()
	spec.Groups, spec.Members, spec.Weeks = 2, 24, 2
	start := time.Now()
	st, err := Generate(context.Background(), path, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v in %s", st, time.Since(start).Round(time.Millisecond))
	if st.Answers < 50 || st.Cases < 1 || st.Events < 100 {
		t.Errorf("too little activity: %+v", st)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(context.Background(), func(tx bot.Tx) error {
		m, err := tx.MemberByRef(bot.StaffRef{Channel: Channel, ID: "m00001"})
		if err != nil {
			return err
		}
		rows, err := tx.MemberProgress(m.ID)
		if err != nil {
			return err
		}
		done := 0
		for _, r := range rows {
			if r.Status == bot.RunDone {
				done++
			}
		}
		if done < 2 {
			t.Errorf("the facilitator's group finished %d lessons: %+v", done, rows)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Peers reply some minutes after a case is shared, as on a ward, not
	// at the instant it is: the cases page's "time to the first peer
	// reply" shows a real figure.
	cs, err := db.Reports().CaseStats(context.Background(), report.Range{From: spec.Start, To: st.End}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cs.FirstReply.Count == 0 || cs.FirstReply.Median < 15*time.Minute {
		t.Errorf("peers' first replies %+v: want them some minutes after the case", cs.FirstReply)
	}
}

// TestGenerateBulk loads a small spec and checks the reports see it all:
// every member, every answer and event, cases with mentors' answers; and
// that loading refuses a database that has members already.
func TestGenerateBulk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulk.db")
	spec := DefaultSpec()
	spec.Groups, spec.Members, spec.Weeks = 4, 120, 3
	weeks := 0
	st, err := GenerateBulk(ctx, path, spec, func(w, n int) { weeks = w })
	if err != nil {
		t.Fatal(err)
	}
	if weeks != spec.Weeks || st.Answers < 300 || st.Cases < 4 {
		t.Fatalf("too little activity: %+v after %d weeks", st, weeks)
	}
	rd, err := store.OpenReader(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	r := report.Range{From: spec.Start, To: st.End}
	sum, err := rd.Summary(ctx, r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Members != spec.Members || sum.Answers != st.Answers || sum.LessonsStarted != 2*spec.Groups*spec.Weeks || sum.Cases != st.Cases {
		t.Errorf("summary %+v does not match what was loaded: %+v", sum, st)
	}
	cs, err := rd.CaseStats(ctx, r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Escalated == 0 || cs.Answered == 0 || cs.FirstReply.Count == 0 {
		t.Errorf("case figures %+v: want escalations, mentors' answers and peer replies", cs)
	}
	steps, err := rd.LessonSteps(ctx, r, "hand-hygiene", 0)
	if err != nil {
		t.Fatal(err)
	}
	if q1 := steps["q1"]; q1 == nil || q1.FirstTries == 0 || q1.FirstRight == 0 {
		t.Errorf("hand-hygiene's steps: %+v", steps)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Load(ctx, func(*store.Loader) error { return nil }); err == nil {
		t.Error("loading into a database with members: no error")
	}
}
