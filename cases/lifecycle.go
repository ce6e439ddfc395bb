package cases

import (
	"time"

	"github.com/huddlebot/huddle/bot"
)

// A case's life: shared in a group (open); escalated, by someone or by
// itself when no peer replied in time, to its queue's mentors, where it
// waits for one with room; assigned to a mentor, reminded when the
// response target passes, reassigned when half as long again passes;
// answered; closed. Each move is a pure function of the case and what
// happened, here; the service around them (open.go, assign.go,
// answer.go, check.go) reads and writes the store and says what is to be
// said. The timers' moves are due's decisions, which Check carries out.

// action is what a due check of a case calls for.
type action int

const (
	// wait: nothing to do now; the case's timers are set anew.
	wait action = iota
	// autoEscalate: no peer replied in time; the case goes to a mentor,
	// and the group is told.
	autoEscalate
	// offer: an escalated case waits for a mentor; it is offered again.
	offer
	// remind: the mentor has not answered within the target.
	remind
	// reassign: the mentor has not answered after the reminder; the case
	// goes to another, or stays when there is none.
	reassign
)

// verdict is due's decision.
type verdict struct {
	act action
	// overdue: the case has now waited the target for the first time, and
	// the staff are told (for an offered case, when it is still waiting
	// after the offer).
	overdue bool
}

// due decides what a due check of c at now calls for, given the response
// target, and returns c with its milestones and timers moved accordingly.
// It reads and writes nothing else.
func due(c bot.Case, now time.Time, target time.Duration) (bot.Case, verdict) {
	switch {
	case c.Status == bot.CaseOpen && c.Escalated.IsZero() && !c.EscalateAt.IsZero():
		if !c.FirstReply.IsZero() {
			// A peer replied: it escalates only if someone asks.
			c.EscalateAt, c.NextCheck = time.Time{}, time.Time{}
			return c, verdict{}
		}
		return c, verdict{act: autoEscalate}
	case c.Status == bot.CaseOpen && !c.Escalated.IsZero():
		v := verdict{act: offer, overdue: c.Overdue.IsZero() && now.Sub(c.Escalated) >= target}
		return c, v
	case c.Status == bot.CaseAssigned:
		deadline := c.Assigned.Add(target)
		switch {
		case now.Before(deadline):
			c.NextCheck = deadline
			return c, verdict{}
		case !c.Reminded:
			v := verdict{act: remind, overdue: c.Overdue.IsZero()}
			c.Reminded, c.NextCheck = true, deadline.Add(target/2)
			if v.overdue {
				c.Overdue = now
			}
			return c, v
		default:
			return c, verdict{act: reassign}
		}
	}
	c.NextCheck = time.Time{}
	return c, verdict{}
}

// kept is c back with its mentor, prev, when a reassignment found no one
// else: they are reminded again in half the target.
func kept(c bot.Case, prev int64, now time.Time, target time.Duration) bot.Case {
	c.Status, c.AssignedTo, c.Reminded = bot.CaseAssigned, prev, false
	c.Assigned, c.NextCheck = now.Add(-target/2), now.Add(target/2)
	return c
}

// opened is a case shared at now that escalates by itself after
// escalateAfter unless a peer replies (never when it is zero).
func opened(c bot.Case, now time.Time, escalateAfter time.Duration) bot.Case {
	c.Status, c.Created = bot.CaseOpen, now
	if escalateAfter > 0 {
		c.EscalateAt = now.Add(escalateAfter)
		c.NextCheck = c.EscalateAt
	}
	return c
}

// replied is c after a peer's first reply at now: it no longer escalates
// by itself.
func replied(c bot.Case, now time.Time) bot.Case {
	if !c.FirstReply.IsZero() {
		return c
	}
	c.FirstReply = now
	if c.Escalated.IsZero() && !c.EscalateAt.IsZero() {
		c.EscalateAt, c.NextCheck = time.Time{}, time.Time{}
	}
	return c
}

// escalated is c sent to its queue's mentors at now.
func escalated(c bot.Case, now time.Time) bot.Case {
	c.Escalated, c.EscalateAt = now, time.Time{}
	return c
}

// assigned is c given to mentor at now: reminded after target.
func assigned(c bot.Case, mentor int64, now time.Time, target time.Duration) bot.Case {
	c.Status, c.AssignedTo, c.Assigned, c.Reminded = bot.CaseAssigned, mentor, now, false
	c.NextCheck = now.Add(target)
	return c
}

// waiting is c with no mentor free at now: offered again after retry.
func waiting(c bot.Case, now time.Time, retry time.Duration) bot.Case {
	c.Status, c.AssignedTo, c.Assigned = bot.CaseOpen, 0, time.Time{}
	c.NextCheck = now.Add(retry)
	return c
}

// taken is c taken by mentor at now (/take): escalated then if it was
// not, and assigned to them.
func taken(c bot.Case, mentor int64, now time.Time, target time.Duration) bot.Case {
	if c.Escalated.IsZero() {
		c.Escalated = now
	}
	c.EscalateAt = time.Time{}
	return assigned(c, mentor, now, target)
}

// answered is c answered by mentor at now: its timers stop.
func answered(c bot.Case, mentor int64, now time.Time) bot.Case {
	if c.FirstAnswer.IsZero() {
		c.FirstAnswer = now
	}
	if c.AssignedTo == 0 {
		c.AssignedTo, c.Assigned = mentor, now
	}
	c.Status, c.NextCheck = bot.CaseAnswered, time.Time{}
	return c
}

// closed is c closed at now.
func closed(c bot.Case, now time.Time) bot.Case {
	if c.Status == bot.CaseClosed {
		return c
	}
	c.Status, c.Closed, c.NextCheck = bot.CaseClosed, now, time.Time{}
	return c
}
