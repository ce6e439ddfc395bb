package flows

import (
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// StepRun is what a registered kind's step is given as a run reaches it,
// takes an answer or closes: the run and the step visit it is in, its
// language and time, ways to post to its chat and to wake it later, and,
// for an Answerer, the answer at hand and ways to record and count it.
type StepRun struct{ c *runCtx }

// RunID is the run's id: it tells one run of a lesson from another (and
// goes into the data of the step's options, see Option).
func (r *StepRun) RunID() int64 { return r.c.runID }

// Seq is the step counter: it grows each time the run enters a step, so
// it tells one visit of a step from another (a lesson may go back).
func (r *StepRun) Seq() int { return r.c.st.Seq }

// Step is the step's place in the lesson, from 0.
func (r *StepRun) Step() int { return r.c.st.Step }

// Group reports whether the run is a group's (group mode), not one
// member's in a private chat.
func (r *StepRun) Group() bool { return r.c.st.Mode == ModeGroup }

// Post queues a message to the run's chat. tag tells the step's messages
// apart (a step that posts twice uses two tags), so a replayed input
// posts nothing twice.
func (r *StepRun) Post(tag, text string, opts ...bot.Option) {
	r.c.post(r.c.st.Seq, tag, text, opts...)
}

// Text renders t in the chat's language.
func (r *StepRun) Text(t Text) string { return r.c.t(t) }

// Lang is the chat's language.
func (r *StepRun) Lang() string { return r.c.st.Lang }

// Now is the time of the input that moved the run.
func (r *StepRun) Now() time.Time { return r.c.in.Now }

// WakeAfter has the run go on after d, when the step's outcome is Wait.
// The wake-up is kept in the store, so it survives a restart.
func (r *StepRun) WakeAfter(d time.Duration) { r.c.wake(d) }

// Open opens the step for answers, as a quiz question is, and returns
// the outcome that waits for them: the run offers the step each answer
// (Answerer.Answer) until all it waits for have answered or timeout has
// passed (0: none privately; in a group, the engine's GroupTimeout), and
// the lesson's close_when rule and the reminder before the timeout apply.
func (r *StepRun) Open(timeout time.Duration) StepOutcome {
	o := r.c.open(timeout)
	return StepOutcome{Wait: o.wait}
}

// Option is an option whose press (or poll vote) comes back to this
// visit of the step as an answer with Choice value; a press on an older
// visit's or another run's is not offered.
func (r *StepRun) Option(label, value string) bot.Option {
	return bot.Option{Label: label, Data: optionData(r.c.runID, r.c.st.Seq, value)}
}

// StepAnswer is a member's input to an open step: their text, or the
// option they chose.
type StepAnswer struct {
	// MemberID, Name and Lang are the member's: Name as shown to the
	// group, Lang their language ("" when they chose none).
	MemberID int64
	Name     string
	Lang     string
	// Text is what they wrote; "" for a press.
	Text string
	// Choices are the values (see Option) of the options they chose:
	// one for a press, one or more for a poll vote; none for a text.
	Choices []string
	// MessageID is their message's, to reply to.
	MessageID string
}

// Answer is the input at hand, in an Answerer's Answer.
func (r *StepRun) Answer() StepAnswer {
	in := r.c.in
	a := StepAnswer{MemberID: in.Member.ID, Name: in.Member.Name, Lang: in.Member.Lang, MessageID: in.MessageID}
	switch in.Kind {
	case InputText:
		a.Text = in.Text
	case InputOption:
		if _, _, v, ok := parseOptionData(in.Option); ok {
			a.Choices = []string{v}
		}
	case InputVote:
		for _, d := range in.Choices {
			if _, _, v, ok := parseOptionData(d); ok {
				a.Choices = append(a.Choices, v)
			}
		}
	}
	return a
}

// Answered reports whether the member at hand has answered this visit of
// the step already.
func (r *StepRun) Answered() bool { return r.c.st.Open != nil && r.c.answered() }

// Record records the answer at hand as value (at most 1,000 characters
// kept), scored points out of max (0 and 0 for an answer that is not
// scored), and counts the member as having answered: the score the run
// keeps, the member's /progress and the program's reports all take it.
// correct is what the group's tally counts as right.
func (r *StepRun) Record(value string, correct bool, points, max float64) {
	c := r.c
	if c.st.Open == nil {
		return
	}
	value = bot.Clip(value, 1000)
	m := c.member()
	if correct {
		m.Correct++
		c.st.Open.Correct++
	}
	m.Points += points
	m.Max += max
	key := c.stepKey()
	c.remember(m, key, value)
	c.took(m)
	c.res.Answers = append(c.res.Answers, bot.Answer{MemberID: c.in.Member.ID, StepID: key, Seq: c.st.Seq,
		Value: value, Correct: correct, Points: points, MaxPoints: max, At: c.in.Now})
}

// Reply answers the member at hand: a reply to their message, tagged so
// that a replayed input replies once.
func (r *StepRun) Reply(tag, text string) {
	r.c.reply(fmt.Sprintf("%s-%d", tag, r.c.in.Member.ID), text)
}

// Tally is how many have answered this visit of the step, and how many
// of them were right: for a Close's summary.
func (r *StepRun) Tally() (answered, correct int) {
	if o := r.c.st.Open; o != nil {
		return o.Count, o.Correct
	}
	return 0, 0
}
