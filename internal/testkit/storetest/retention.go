package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/report"
)

func testPurgeExactlyOlder(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	cutoff := t0.Add(30 * 24 * time.Hour)
	for i, at := range []time.Time{cutoff.Add(-time.Millisecond), cutoff, cutoff.Add(time.Millisecond)} {
		update(t, db, func(tx bot.Tx) error {
			chat, err := tx.EnsureChat("sim", fmt.Sprint("ward-", i), bot.Group, "Ward", at)
			if err != nil {
				return err
			}
			m, err := tx.EnsureMember("sim", fmt.Sprint("amina-", i), "Amina", at)
			if err != nil {
				return err
			}
			if err := tx.LogEngagement(bot.Engagement{MemberID: m.ID, ChatID: chat.ID, Kind: bot.EngageMessage, At: at}); err != nil {
				return err
			}
			run := &bot.Run{LessonID: "quick-quiz", ChatID: chat.ID, StartedBy: m.ID, Mode: "group", Status: bot.RunActive,
				State:   []byte(fmt.Sprintf(`{"lesson":"quick-quiz","members":{"%d":{"points":1,"answers":{"ward":"Maternity"}}},"vars":{"ward":"Maternity"}}`, m.ID)),
				Started: at, Updated: at}
			if err := tx.CreateRun(run); err != nil {
				return err
			}
			run.Status, run.Finished = bot.RunDone, at
			if err := tx.SaveRun(run); err != nil {
				return err
			}
			part := bot.RunMember{RunID: run.ID, MemberID: m.ID, State: []byte(`{"points":1,"joined":true,"answers":{"ward":"Maternity"}}`)}
			if err := tx.SaveRunMembers([]bot.RunMember{part}); err != nil {
				return err
			}
			if err := tx.SaveAnswer(bot.Answer{RunID: run.ID, MemberID: m.ID, StepID: "rate", Seq: 1, Value: "20", Correct: true, Points: 1, MaxPoints: 1, At: at}); err != nil {
				return err
			}
			c := &bot.Case{ChatID: chat.ID, AuthorID: m.ID, Text: "Woman of 30, PPH", Status: bot.CaseOpen, Created: at}
			if err := tx.CreateCase(c); err != nil {
				return err
			}
			for _, kind := range []string{bot.PostReply, bot.PostAnswer} {
				if err := tx.AddCasePost(bot.CasePost{CaseID: c.ID, MemberID: m.ID, Kind: kind, Text: "Bimanual compression", At: at}); err != nil {
					return err
				}
			}
			if err := tx.SavePendingCase(&bot.PendingCase{ChatID: chat.ID, AuthorID: m.ID, Text: "[name] bleeding", Created: at}); err != nil {
				return err
			}
			photo := &bot.Attachment{Kind: bot.AttachPhoto, MIMEType: "image/jpeg", MemberID: m.ID, ChatID: chat.ID, CaseID: c.ID,
				Status: bot.AttachShown, Created: at, Data: []byte(fmt.Sprint("a photo, number ", i))}
			if err := tx.SaveAttachment(photo); err != nil {
				return err
			}
			key := fmt.Sprint("msg-", i)
			if err := tx.Enqueue(bot.Outbound{Channel: "sim", ChatID: chat.PlatformID, Text: "Amina: correct!", Key: key}, at); err != nil {
				return err
			}
			if err := tx.LinkCaseMessage(key, c.ID); err != nil {
				return err
			}
			_, err = tx.SeeEvent(fmt.Sprint("sim:ward:amina:", i), at)
			return err
		})
		pending, err := db.PendingOutbox(ctx, "sim", at.Add(time.Hour), 10, nil)
		if err != nil || len(pending) != 1 {
			t.Fatalf("pending = %v, %v", pending, err)
		}
		if err := db.MarkSent(ctx, pending[0], "p1", at); err != nil {
			t.Fatal(err)
		}
	}

	counts := func(before time.Time, dry bool) map[string]int64 {
		t.Helper()
		got, err := db.Purge(ctx, before, dry, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := make(map[string]int64)
		for _, p := range got {
			out[p.What] = p.Rows
		}
		return out
	}
	check := func(label string, got map[string]int64, want int64) {
		t.Helper()
		if len(got) < 10 {
			t.Errorf("%s: %d kinds of data, want 10: %v", label, len(got), got)
		}
		for what, n := range got {
			if n != want {
				t.Errorf("%s: %s: %d, want %d", label, what, n, want)
			}
		}
	}
	check("dry run", counts(cutoff, true), 1)
	check("dry run again", counts(cutoff, true), 1) // a dry run changes nothing
	if got := huddletest.Files(t, db.MediaDir()); len(got) != 3 {
		t.Fatalf("media files before the purge: %v, want 3", got)
	}
	check("purge", counts(cutoff, false), 1)
	if got := huddletest.Files(t, db.MediaDir()); len(got) != 2 {
		t.Errorf("media files after the purge: %v, want the 2 at or after the cutoff", got)
	}
	check("after the purge", counts(cutoff, true), 0)
	check("what is at or after the cutoff", counts(cutoff.Add(2*time.Millisecond), true), 2)

	// Scores and the rollups stay.
	update(t, db, func(tx bot.Tx) error {
		m, err := tx.EnsureMember("sim", "amina-0", "", cutoff)
		if err != nil {
			return err
		}
		parts, err := tx.RunMembers(1)
		if err != nil {
			return err
		}
		if len(parts) != 1 || !sameJSON(parts[0].State, `{"points":1,"joined":true}`) {
			t.Errorf("the first run's member part after the purge = %+v; want the score without the answers", parts)
		}
		p, err := tx.MemberProgress(m.ID)
		if len(p) != 1 || p[0].Correct != 1 || p[0].Points != 1 {
			t.Errorf("progress after the purge = %+v, want the score kept", p)
		}
		return err
	})
	sum, err := db.Reports().Summary(ctx, report.Range{From: t0, To: cutoff.Add(48 * time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Answers != 3 {
		t.Errorf("answers counted after the purge = %d, want 3", sum.Answers)
	}
}
