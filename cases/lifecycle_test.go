package cases

import (
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// TestDue walks due, the decision of a case's timers, through a case's
// life at a 24-hour target: each row is a case as stored and the time its
// check comes; the row says what is done and how the case's timers move.
func TestDue(t *testing.T) {
	const target = 24 * time.Hour
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }
	for _, tc := range []struct {
		name      string
		c         bot.Case
		now       time.Time
		act       action
		overdue   bool
		next      time.Time // the case's NextCheck after
		reminded  bool
		overdueAt time.Time
	}{
		{"no peer replied in time", bot.Case{Status: bot.CaseOpen, EscalateAt: h(2)}, h(2), autoEscalate, false, time.Time{}, false, time.Time{}},
		{"a peer replied", bot.Case{Status: bot.CaseOpen, EscalateAt: h(2), FirstReply: h(1), NextCheck: h(2)}, h(2), wait, false, time.Time{}, false, time.Time{}},
		{"waiting for a mentor", bot.Case{Status: bot.CaseOpen, Escalated: h(0)}, h(1), offer, false, time.Time{}, false, time.Time{}},
		{"waiting a day for a mentor", bot.Case{Status: bot.CaseOpen, Escalated: h(0)}, h(24), offer, true, time.Time{}, false, time.Time{}},
		{"waiting, staff told already", bot.Case{Status: bot.CaseOpen, Escalated: h(0), Overdue: h(24)}, h(30), offer, false, time.Time{}, false, h(24)},
		{"assigned, checked early", bot.Case{Status: bot.CaseAssigned, Assigned: h(1)}, h(10), wait, false, h(25), false, time.Time{}},
		{"assigned a day ago", bot.Case{Status: bot.CaseAssigned, Assigned: h(1)}, h(25), remind, true, h(37), true, h(25)},
		{"assigned a day ago, staff told already", bot.Case{Status: bot.CaseAssigned, Assigned: h(1), Overdue: h(20)}, h(25), remind, false, h(37), true, h(20)},
		{"reminded, still no answer", bot.Case{Status: bot.CaseAssigned, Assigned: h(1), Reminded: true, Overdue: h(25)}, h(37), reassign, false, time.Time{}, true, h(25)},
		{"answered", bot.Case{Status: bot.CaseAnswered, NextCheck: h(5)}, h(5), wait, false, time.Time{}, false, time.Time{}},
		{"closed", bot.Case{Status: bot.CaseClosed, NextCheck: h(5)}, h(5), wait, false, time.Time{}, false, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, v := due(tc.c, tc.now, target)
			if v.act != tc.act || v.overdue != tc.overdue {
				t.Errorf("verdict %+v, want act %d, overdue %v", v, tc.act, tc.overdue)
			}
			if tc.act != reassign && tc.act != autoEscalate && tc.act != offer && !c.NextCheck.Equal(tc.next) {
				t.Errorf("next check %s, want %s", c.NextCheck, tc.next)
			}
			if c.Reminded != tc.reminded || !c.Overdue.Equal(tc.overdueAt) {
				t.Errorf("reminded %v, overdue %s; want %v, %s", c.Reminded, c.Overdue, tc.reminded, tc.overdueAt)
			}
		})
	}
}

// TestKept: a case no other mentor can take stays with its mentor, who is
// reminded again in half the target.
func TestKept(t *testing.T) {
	now := time.Date(2026, 3, 3, 20, 0, 0, 0, time.UTC)
	c := kept(bot.Case{Status: bot.CaseOpen, AssignedTo: 0, Reminded: true}, 7, now, 24*time.Hour)
	if c.Status != bot.CaseAssigned || c.AssignedTo != 7 || c.Reminded || !c.NextCheck.Equal(now.Add(12*time.Hour)) {
		t.Errorf("kept: %+v", c)
	}
	if next, v := due(c, c.NextCheck, 24*time.Hour); v.act != remind || !next.Reminded {
		t.Errorf("at its next check: %+v, reminded %v; want a reminder", v, next.Reminded)
	}
}

// TestLife walks one case through its moves, each a pure function: the
// fields each sets, and its timer.
func TestLife(t *testing.T) {
	const target = 24 * time.Hour
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }
	check := func(step string, c bot.Case, status bot.CaseStatus, mentor int64, next time.Time) {
		t.Helper()
		if c.Status != status || c.AssignedTo != mentor || !c.NextCheck.Equal(next) {
			t.Errorf("%s: %s with %d, next check %s; want %s with %d, %s", step, c.Status, c.AssignedTo, c.NextCheck, status, mentor, next)
		}
	}
	c := opened(bot.Case{}, h(0), 2*time.Hour)
	check("opened", c, bot.CaseOpen, 0, h(2))
	if quiet := replied(c, h(1)); !quiet.EscalateAt.IsZero() || !quiet.FirstReply.Equal(h(1)) {
		t.Errorf("replied: %+v, want no escalation of its own and a first reply", quiet)
	}
	c, v := due(c, h(2), target)
	if v.act != autoEscalate {
		t.Fatalf("no peer replied: %+v", v)
	}
	c = escalated(c, h(2))
	c = waiting(c, h(2), retryAssign)
	check("waiting", c, bot.CaseOpen, 0, h(2).Add(retryAssign))
	c = assigned(c, 7, h(3), target)
	check("assigned", c, bot.CaseAssigned, 7, h(27))
	c, v = due(c, h(27), target)
	if v.act != remind || !v.overdue {
		t.Fatalf("a day later: %+v", v)
	}
	c, v = due(c, h(39), target)
	if v.act != reassign {
		t.Fatalf("after the reminder: %+v", v)
	}
	c = kept(c, 7, h(39), target)
	check("kept", c, bot.CaseAssigned, 7, h(51))
	c = taken(c, 9, h(40), target)
	check("taken", c, bot.CaseAssigned, 9, h(64))
	c = answered(c, 9, h(41))
	check("answered", c, bot.CaseAnswered, 9, time.Time{})
	if !c.FirstAnswer.Equal(h(41)) || !c.Escalated.Equal(h(2)) || !c.Overdue.Equal(h(27)) {
		t.Errorf("milestones: first answer %s, escalated %s, overdue %s", c.FirstAnswer, c.Escalated, c.Overdue)
	}
	c = closed(c, h(50))
	check("closed", c, bot.CaseClosed, 9, time.Time{})
	if again := closed(c, h(60)); !again.Closed.Equal(h(50)) {
		t.Errorf("closed twice: closed at %s, want the first time", again.Closed)
	}
}
