package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// TestPurgedAnswersAreNoWrongAnswer: the placeholder that replaces purged
// answer text is not reported as the lesson's most common wrong answer.
func TestPurgedAnswersAreNoWrongAnswer(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	cutoff := t0.Add(30 * 24 * time.Hour)
	update(t, db, func(tx bot.Tx) error {
		chat, err := tx.EnsureChat("sim", "ward", bot.Group, "Ward", t0)
		if err != nil {
			return err
		}
		run := &bot.Run{LessonID: "quick-quiz", ChatID: chat.ID, Mode: "group", Status: bot.RunActive, State: []byte("{}"), Started: t0, Updated: t0}
		if err := tx.CreateRun(run); err != nil {
			return err
		}
		// Two old wrong answers, purged; one recent.
		for i, a := range []struct {
			value string
			at    time.Time
		}{{"30", t0}, {"40", t0}, {"25", cutoff.Add(time.Hour)}} {
			m, err := tx.EnsureMember("sim", fmt.Sprint("m", i), "M", t0)
			if err != nil {
				return err
			}
			if err := tx.SaveAnswer(bot.Answer{RunID: run.ID, MemberID: m.ID, StepID: "rate", Seq: 1, Value: a.value, MaxPoints: 1, At: a.at}); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := db.Purge(ctx, cutoff, false, nil); err != nil {
		t.Fatal(err)
	}
	steps, err := db.Reports().LessonSteps(ctx, report.Range{From: t0, To: cutoff.Add(48 * time.Hour)}, "quick-quiz", 0)
	if err != nil {
		t.Fatal(err)
	}
	if s := steps["rate"]; s == nil || s.TopWrong != "25" || s.TopWrongCount != 1 {
		t.Errorf("step figures %+v; want the recent wrong answer 25 on top, not %q", s, store.PurgedText)
	}
}
