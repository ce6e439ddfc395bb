package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/report"
)

func testAnswerOncePerVisit(t *testing.T, open Opener) {
	db := open(t)
	update(t, db, func(tx bot.Tx) error {
		chat, _ := tx.EnsureChat("sim", "g", bot.Group, "G", t0)
		m, _ := tx.EnsureMember("sim", "a", "A", t0)
		run := bot.Run{LessonID: "l", ChatID: chat.ID, Mode: "group", Status: bot.RunActive, State: []byte("{}"), Started: t0, Updated: t0}
		if err := tx.CreateRun(&run); err != nil {
			return err
		}
		a := bot.Answer{RunID: run.ID, MemberID: m.ID, StepID: "q1", Seq: 2, Value: "1", Correct: true, Points: 1, MaxPoints: 1, At: t0}
		if err := tx.SaveAnswer(a); err != nil {
			return err
		}
		if err := tx.SaveAnswer(a); !errors.Is(err, bot.ErrDuplicate) {
			t.Errorf("second answer: %v, want ErrDuplicate", err)
		}
		a.Seq = 5 // the same step visited again after a goto
		if err := tx.SaveAnswer(a); err != nil {
			t.Errorf("answer on a later visit: %v", err)
		}
		second := run
		if err := tx.CreateRun(&second); !errors.Is(err, bot.ErrDuplicate) {
			t.Errorf("second active run in a chat: %v, want ErrDuplicate", err)
		}
		rows, err := tx.MemberProgress(m.ID)
		if len(rows) != 1 || rows[0].Answered != 2 || rows[0].Points != 2 {
			t.Errorf("progress = %+v", rows)
		}
		return err
	})
}

func testCaseStats(t *testing.T, open Opener) {
	db := open(t)
	update(t, db, func(tx bot.Tx) error {
		chat, m, err := tx.Arrive(bot.Event{Channel: "sim", ChatID: "ward", ChatType: bot.Group, SenderID: "amina"}, t0)
		if err != nil {
			return err
		}
		mentor, err := tx.EnsureMember("sim", "mentor", "Dr Kamau", t0)
		if err != nil {
			return err
		}
		for i := 1; i <= 10; i++ {
			c := bot.Case{ChatID: chat.ID, AuthorID: m.ID, Text: "case", Status: bot.CaseOpen, Created: t0}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
			c.FirstReply = t0.Add(time.Duration(i) * time.Minute)
			if i <= 4 { // four escalated: assigned after i hours, answered after 2i hours
				c.Escalated, c.Assigned, c.FirstAnswer = t0, t0.Add(time.Duration(i)*time.Hour), t0.Add(time.Duration(2*i)*time.Hour)
				c.AssignedTo, c.Status = mentor.ID, bot.CaseAnswered
			}
			if err := tx.SaveCase(&c); err != nil {
				return err
			}
		}
		return nil
	})
	rd := db.Reports()
	f, err := rd.CaseStats(context.Background(), report.Range{From: t0, To: t0.Add(24 * time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := report.CaseFigures{Cases: 10, Escalated: 4, Answered: 4,
		FirstReply: report.Durations{Count: 10, Median: 5 * time.Minute, P90: 9 * time.Minute},
		ToMentor:   report.Durations{Count: 4, Median: 2 * time.Hour, P90: 4 * time.Hour},
		ToAnswer:   report.Durations{Count: 4, Median: 4 * time.Hour, P90: 8 * time.Hour}}
	if f != want {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
	loads, err := rd.MentorLoads(context.Background(), report.Range{From: t0, To: t0.Add(24 * time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(loads) != 1 || loads[0].Name != "Dr Kamau" || loads[0].Assigned != 4 || loads[0].Answered != 4 || loads[0].MedianAnswer != 2*time.Hour {
		t.Errorf("mentor loads %+v", loads)
	}
}

func testWakeWaitingCases(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	later := t0.Add(15 * time.Minute)
	ids := map[string]int64{}
	err := db.Update(ctx, func(tx bot.Tx) error {
		chat, err := tx.EnsureChat("sim", "ward", bot.Group, "Ward", t0)
		if err != nil {
			return err
		}
		for _, name := range []string{"waiting", "assigned", "fresh"} {
			c := bot.Case{ChatID: chat.ID, Queue: "obstetrics", Text: name, Status: bot.CaseOpen, Created: t0}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
			c.NextCheck = later
			switch name {
			case "waiting":
				c.Escalated = t0
			case "assigned":
				c.Escalated, c.Status, c.Assigned = t0, bot.CaseAssigned, t0
				m, err := tx.EnsureMember("sim", "mentor", "Mentor", t0)
				if err != nil {
					return err
				}
				c.AssignedTo = m.ID
			}
			if err := tx.SaveCase(&c); err != nil {
				return err
			}
			ids[name] = c.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.WakeWaitingCases(ctx, t0); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueCases(ctx, t0, 10)
	if err != nil || len(due) != 1 || due[0].ID != ids["waiting"] {
		t.Errorf("due at once: %+v (%v); want only the waiting case %d", due, err, ids["waiting"])
	}
}

// testCaseSearch: the archive's search (SQLite's FTS5, PostgreSQL's own
// full-text search) finds answered and closed cases by every word given,
// each a prefix, among the groups the searcher belongs to, with a snippet
// of the text; an open case, another group's case and words that are
// search syntax find nothing, and break nothing.
func testCaseSearch(t *testing.T, open Opener) {
	db := open(t)
	texts := []struct {
		chat, text string
		status     bot.CaseStatus
	}{
		{"ward", "Woman of 30, postpartum haemorrhage after delivery, 1 L loss despite oxytocin: what next?", bot.CaseAnswered},
		{"ward", "Newborn of 2 hours, 1.9 kg, temperature 35.4: kangaroo care before referral?", bot.CaseClosed},
		{"ward", "Haemorrhage again, still open", bot.CaseOpen},
		{"clinic", "Postpartum haemorrhage in the clinic", bot.CaseAnswered},
	}
	var searcher int64
	ids := map[string]int64{}
	update(t, db, func(tx bot.Tx) error {
		for i, c := range texts {
			chat, m, err := tx.Arrive(bot.Event{Channel: "sim", ChatID: c.chat, ChatType: bot.Group, SenderID: "author-" + c.chat}, t0)
			if err != nil {
				return err
			}
			k := bot.Case{ChatID: chat.ID, AuthorID: m.ID, Text: c.text, Status: c.status, Created: t0}
			if err := tx.CreateCase(&k); err != nil {
				return err
			}
			if err := tx.IndexCase(k.ID, c.text+" Mentor: give tranexamic acid"); err != nil {
				return err
			}
			ids[fmt.Sprint(i)] = k.ID
		}
		_, m, err := tx.Arrive(bot.Event{Channel: "sim", ChatID: "ward", ChatType: bot.Group, SenderID: "searcher"}, t0)
		searcher = m.ID
		return err
	})
	for _, c := range []struct {
		words string
		want  []string // indexes into texts
	}{
		{"haemorrhage", []string{"0"}}, // not the open one, not the clinic's
		{"haem oxyto", []string{"0"}},  // prefixes, all required
		{"KANGAROO", []string{"1"}},    // any case
		{"tranexamic", []string{"0", "1"}},
		{"haemorrhage kangaroo", nil},    // no case has both
		{`"; DROP TABLE cases; --`, nil}, // search syntax is words
		{"*:) & | !", nil},
	} {
		var hits []bot.CaseHit
		update(t, db, func(tx bot.Tx) error {
			var err error
			hits, err = tx.SearchCases(searcher, c.words, 10)
			return err
		})
		var got []string
		for _, h := range hits {
			for k, id := range ids {
				if h.ID == id {
					got = append(got, k)
				}
			}
			if h.ChatTitle == "" && h.Snippet == "" {
				t.Errorf("%q: hit %d has neither group nor snippet", c.words, h.ID)
			}
			if h.Snippet == "" {
				t.Errorf("%q: hit %d has no snippet", c.words, h.ID)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("search %q found cases %v, want %v", c.words, got, c.want)
		}
	}
}
