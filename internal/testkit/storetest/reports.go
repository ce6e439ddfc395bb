package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// rawFigures is the overview computed straight from the raw rows, as it was
// before the rollups: the definition the rollups must keep.
const rawFigures = `
	SELECT c.id,
		(SELECT COUNT(DISTINCT e.member_id) FROM engagement e WHERE e.chat_id = c.id AND e.at >= ?1 AND e.at < ?2
			AND e.kind IN ('message', 'command', 'answer', 'option', 'case_reply')),
		(SELECT COUNT(*) FROM engagement e WHERE e.chat_id = c.id AND e.at >= ?1 AND e.at < ?2
			AND e.kind IN ('message', 'command', 'case_reply')),
		(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id = c.id AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> ''),
		(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id = c.id AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> '' AND a.correct)
	FROM chats c WHERE c.type = 'group' AND c.created_at < ?2 ORDER BY c.title, c.id`

// testRollupsMatchRawRows checks the overview, the summary and the weekly
// active members, read from the rollups and the raw rows at the edges,
// against the raw rows alone (read from the demonstration's SQLite file
// the store under test was loaded from), for periods that start and end
// at any time of day, in UTC and in Nairobi, spanning weeks or within
// one day.
func testRollupsMatchRawRows(t *testing.T, load Loader) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := demo.Spec{Groups: 3, Members: 60, Weeks: 3, Seed: 7, Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
	if _, err := demo.Generate(ctx, path, spec, nil); err != nil {
		t.Fatal(err)
	}
	rd := load(t, path).Reports()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	saoPaulo, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(d, h, m int) time.Time { return time.Date(2026, 1, d, h, m, 0, 0, time.UTC) }
	for _, r := range []report.Range{
		{From: utc(5, 0, 0), To: utc(26, 0, 0)},                                                             // whole weeks
		{From: utc(6, 13, 17), To: utc(21, 5, 0)},                                                           // ragged ends
		{From: time.Date(2026, 1, 7, 0, 0, 0, 0, nairobi), To: time.Date(2026, 1, 20, 0, 0, 0, 0, nairobi)}, // local days
		{From: utc(7, 8, 0), To: utc(7, 20, 0)},                                                             // within a day
		{From: utc(8, 0, 0), To: utc(14, 0, 0)},                                                             // Thursday to Wednesday
		{From: utc(1, 0, 0), To: utc(31, 0, 0)},                                                             // beyond the activity
		// Mondays in Nairobi start three hours before Monday in UTC, and
		// in São Paulo end three hours after: those hours join their week.
		{From: time.Date(2026, 1, 5, 0, 0, 0, 0, nairobi), To: time.Date(2026, 1, 26, 0, 0, 0, 0, nairobi)},
		{From: time.Date(2026, 1, 5, 0, 0, 0, 0, saoPaulo), To: time.Date(2026, 1, 19, 0, 0, 0, 0, saoPaulo)},
		{From: time.Date(2026, 1, 12, 0, 0, 0, 0, nairobi), To: time.Date(2026, 1, 19, 0, 0, 0, 0, nairobi)}, // one week
	} {
		t.Run(r.From.Format(time.RFC3339)+"/"+r.To.Format(time.RFC3339), func(t *testing.T) {
			groups, err := rd.Overview(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := raw.Query(rawFigures, r.From.UnixMilli(), r.To.UnixMilli())
			if err != nil {
				t.Fatal(err)
			}
			var total report.GroupFigures
			i, nonzero := 0, false
			for rows.Next() {
				var want report.GroupFigures
				if err := rows.Scan(&want.ChatID, &want.Active, &want.Messages, &want.Answers, &want.Correct); err != nil {
					t.Fatal(err)
				}
				if i >= len(groups) {
					t.Fatalf("overview has %d groups, the raw rows more", len(groups))
				}
				g := groups[i]
				got := report.GroupFigures{ChatID: g.ChatID, Active: g.Active, Messages: g.Messages, Answers: g.Answers, Correct: g.Correct}
				if got != want {
					t.Errorf("group %d: overview %+v, raw rows %+v", g.ChatID, got, want)
				}
				nonzero = nonzero || want.Messages > 0 || want.Answers > 0
				total.Messages += want.Messages
				total.Answers += want.Answers
				total.Correct += want.Correct
				i++
			}
			rows.Close()
			if i != len(groups) {
				t.Errorf("overview has %d groups, raw rows %d", len(groups), i)
			}
			if !nonzero && r.To.Sub(r.From) > 24*time.Hour {
				t.Error("no activity in the period: the test checks nothing")
			}
			sum, err := rd.Summary(ctx, r, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := raw.QueryRow(`SELECT COUNT(DISTINCT e.member_id) FROM engagement e JOIN chats c ON c.id = e.chat_id AND c.type = 'group'
				WHERE e.at >= ?1 AND e.at < ?2 AND e.kind IN ('message', 'command', 'answer', 'option', 'case_reply')`,
				r.From.UnixMilli(), r.To.UnixMilli()).Scan(&total.Active); err != nil {
				t.Fatal(err)
			}
			got := report.GroupFigures{Active: sum.Active, Messages: sum.Messages, Answers: sum.Answers, Correct: sum.Correct}
			if got != total {
				t.Errorf("summary %+v, raw rows %+v", got, total)
			}
			for _, chat := range []int64{0, groups[0].ChatID} {
				weeks, err := rd.WeeklyActive(ctx, r, chat)
				if err != nil {
					t.Fatal(err)
				}
				starts := store.Weeks(r)
				if len(weeks) != len(starts) {
					t.Fatalf("%d weekly figures for %d weeks", len(weeks), len(starts))
				}
				for i := 1; i < len(starts); i++ {
					if starts[i].Sub(starts[i-1]) < 24*time.Hour || r.To.Sub(starts[i]) < 24*time.Hour {
						t.Errorf("week %d (%s) is cut to less than a day: %s", i, starts[i], starts)
					}
				}
				for i, w := range weeks {
					end := r.To
					if i+1 < len(starts) {
						end = starts[i+1]
					}
					var want int
					if err := raw.QueryRow(`SELECT COUNT(DISTINCT e.member_id) FROM engagement e JOIN chats c ON c.id = e.chat_id AND c.type = 'group'
						WHERE e.at >= ?1 AND e.at < ?2 AND (?3 = 0 OR e.chat_id = ?3) AND e.kind IN ('message', 'command', 'answer', 'option', 'case_reply')`,
						w.Week.UnixMilli(), end.UnixMilli(), chat).Scan(&want); err != nil {
						t.Fatal(err)
					}
					if !w.Week.Equal(starts[i]) || w.Count != want {
						t.Errorf("chat %d, week %d: %s %d, want %s %d", chat, i, w.Week, w.Count, starts[i], want)
					}
				}
			}
		})
	}
}

// testPurgedAnswersAreNoWrongAnswer: the placeholder that replaces purged
// answer text is not reported as the lesson's most common wrong answer.
func testPurgedAnswersAreNoWrongAnswer(t *testing.T, open Opener) {
	db := open(t)
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
