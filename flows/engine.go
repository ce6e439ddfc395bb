package flows

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
)

// Run statuses kept in State.Status.
const (
	statusActive  = "active"
	statusDone    = "done"
	statusStopped = "stopped"
)

// State is a run's state, kept in the store between inputs in two parts:
// the run's own (step, open question, counters) in one document, and each
// member's part in a row of its own. An answer changes its member's part
// and the run's counters, so what is written per answer does not grow
// with the group.
type State struct {
	Lesson string `json:"lesson"`
	Mode   string `json:"mode"`
	// Lang is the language of posts to the whole chat.
	Lang   string `json:"lang"`
	Step   int    `json:"step"`
	Seq    int    `json:"seq"`
	Status string `json:"status"`
	// Rev counts the saves of the state, so that each save's document
	// differs from the last (the host's cache relies on it).
	Rev int `json:"rev,omitempty"`
	// Members holds each member's part of the run, by member id: those
	// who took part and those an open or closed question waited for.
	// Stored apart, one row each; see Touched.
	Members map[int64]*MemberState `json:"-"`
	// Open is the answerable step waiting for answers, if any.
	Open *Open `json:"open,omitempty"`
	// Vars holds ask answers in direct mode, by step id.
	Vars map[string]string `json:"vars,omitempty"`
	// Asked lists the group-mode questions closed so far: a member who
	// takes part later scores zero on those posted while they were in the
	// group (their part's Missed), and only on those.
	Asked []Asked `json:"asked,omitempty"`

	// touched lists the members whose part changed since the state was
	// loaded or last saved.
	touched map[int64]struct{}
}

// Asked is a closed group question: its step key, visit and points.
type Asked struct {
	Key    string  `json:"key"`
	Seq    int     `json:"seq"`
	Points float64 `json:"points"`
}

// MemberState is one member's part of a run.
type MemberState struct {
	Lang    string  `json:"lang,omitempty"`
	Points  float64 `json:"points"`
	Max     float64 `json:"max"`
	Correct int     `json:"correct"`
	// Answers holds the member's answers by step id, for branch
	// conditions; kept in direct mode only (the answers table has all).
	Answers map[string]string `json:"answers,omitempty"`
	// Joined says the member has taken part (answered); a member only
	// waited for is not counted in the run's results.
	Joined bool `json:"joined,omitempty"`
	// Waited is the step visit (Seq) of the latest question that waited
	// for the member, Answered that of the latest they answered.
	Waited   int `json:"waited,omitempty"`
	Answered int `json:"answered,omitempty"`
	// Picks are the options chosen so far in the multiple-choice question
	// of visit PickSeq, before Done.
	Picks   []int `json:"picks,omitempty"`
	PickSeq int   `json:"pick_seq,omitempty"`
	// Missed lists closed questions (indexes into State.Asked) posted
	// while the member was in the group, before they took part: each
	// scores zero once they do.
	Missed []int `json:"missed,omitempty"`
}

// Open is the state of a step that takes answers. Who answered and who is
// waited for are in the members' parts; Open counts them.
type Open struct {
	Seq int `json:"seq"`
	// Waiting is how many members the step waits for in group mode: those
	// active when it opened. Left is how many of them have not answered.
	Waiting int `json:"waiting,omitempty"`
	Left    int `json:"left,omitempty"`
	// Size is the group's size when the step opened, as the platform
	// said: the step also waits for that many answers.
	Size int `json:"size,omitempty"`
	// Count is how many answered.
	Count   int `json:"count,omitempty"`
	Correct int `json:"correct"`
	// Wrong counts the wrong answers given, by value ("2", "1,3"), for
	// the summary's most common wrong answer.
	Wrong map[string]int `json:"wrong,omitempty"`
	// Due is when the step times out; Last when it last took an answer
	// (for the lesson's close_when rule).
	Due  time.Time `json:"due,omitzero"`
	Last time.Time `json:"last,omitzero"`
	// Reminded says the group was reminded before Due.
	Reminded bool `json:"reminded,omitempty"`
}

// touch returns member id's part, creating it, and notes that it changed.
func (st *State) touch(id int64) *MemberState {
	m := st.Members[id]
	if m == nil {
		m = &MemberState{}
		st.Members[id] = m
	}
	if st.touched == nil {
		st.touched = map[int64]struct{}{}
	}
	st.touched[id] = struct{}{}
	return m
}

// Touched returns the ids of the members whose part changed since the
// state was loaded or since the last call, and forgets them: the host
// writes those parts and no others.
func (st *State) Touched() []int64 {
	ids := slices.Collect(maps.Keys(st.touched))
	slices.Sort(ids)
	clear(st.touched)
	return ids
}

// joined returns the parts of the members who took part in the run.
func (st *State) joined() []*MemberState {
	var out []*MemberState
	for _, m := range st.Members {
		if m.Joined {
			out = append(out, m)
		}
	}
	return out
}

// InputKind says what an Input is.
type InputKind int

// Input kinds.
const (
	// InputText is a member's message.
	InputText InputKind = iota + 1
	// InputOption is a member's press of an option.
	InputOption
	// InputTimer is a timer firing.
	InputTimer
	// InputVote is a member's current selection in a poll (Choices): it
	// replaces the member's earlier selection in that poll.
	InputVote
	// InputLeft says the member left the group (or was removed): the open
	// step stops waiting for them.
	InputLeft
)

// Member is who an input comes from.
type Member struct {
	ID   int64
	Name string
	Lang string
}

// Input is one thing that happens to a run.
type Input struct {
	Kind   InputKind
	Member Member
	Text   string
	Option string
	// Choices holds the option data of an InputVote.
	Choices   []string
	MessageID string
	// Voice is a voice note the member sent, Text its caption: an answer
	// to an ask step.
	Voice *bot.File
	// PressID is the platform's id of an InputOption press, answered by a
	// toast.
	PressID string
	// Seq is a timer's step sequence number.
	Seq int
	// Size returns how many people the group has as the platform says
	// (0 when it does not): a group-mode step waits for that many answers
	// too. Called when a step opens.
	Size func() int
	// Members lists the members a group-mode step waits for. The engine
	// calls it only when a step opens, and keeps the list in the state.
	Members func() []int64
	// Typed says the chat's members type their answers to options (an
	// SMS cohort, bot.Typed): a question asks for the number typed, and
	// a multi-select has no Done to press.
	Typed bool
	Now   time.Time
}

// Msg is one message a run posts to its chat.
type Msg struct {
	// Seq and Tag make the message's idempotency key: unique within a run.
	Seq     int
	Tag     string
	Text    string
	Options []bot.Option
	// Multi says the options may be chosen together.
	Multi   bool
	ReplyTo string
	// React makes the message a reaction to ReplyTo (✅ or ❌).
	React string
	// PressID makes the message the answer to a press, for the presser
	// alone (a toast).
	PressID string
	// File is an attachment: a step's picture, sound, video or
	// document; Media is what it was made from.
	File  *bot.File
	Media *Media
}

// TimerReq asks for the run to be woken at At, for step visit Seq.
type TimerReq struct {
	Seq int
	At  time.Time
}

// Result is what one input caused.
type Result struct {
	// Handled says the run took the input (an answer, a live timer).
	Handled  bool
	Messages []Msg
	Timers   []TimerReq
	// Answers are scored answers to record; RunID is left to the host.
	Answers []bot.Answer
	// Cases are case discussions the run opens (discuss steps), each
	// presented by one of Messages.
	Cases []CaseReq
	// Escalations send the run's latest case to a mentor queue (escalate
	// steps).
	Escalations []EscalateReq
}

// CaseReq asks the host to open a case discussion presented by the message
// with the same Seq and Tag.
type CaseReq struct {
	Seq           int
	Tag           string
	Text          string
	Queue         string
	EscalateAfter time.Duration
}

// EscalateReq asks the host to send the run's latest case to a queue.
type EscalateReq struct {
	Queue string
	Note  string
}

// Engine runs lessons. It holds settings only; all state is passed in.
type Engine struct {
	// MaxSteps is how many steps a run may take in a row without waiting
	// before it is stopped as a runaway loop; 200 by default.
	MaxSteps int
	// GroupTimeout is how long a group-mode quiz or ask stays open when the
	// lesson sets no timeout; 24h by default.
	GroupTimeout time.Duration
	// Remind, when set, reminds a group that long before a question
	// closes, when some have not answered: for questions open at least
	// twice as long.
	Remind time.Duration
	// Quiet reports the program's quiet hours, when no reminder is posted;
	// none when nil.
	Quiet func(time.Time) bool
	// Texts are the engine's own words (Messages, or a program's laid
	// over them); the built-in ones when nil.
	Texts *catalog.Catalog
	// builtin holds the built-in words once loaded, for an Engine made
	// without Texts.
	builtin atomic.Pointer[catalog.Catalog]
}

func (e *Engine) maxSteps() int {
	if e.MaxSteps > 0 {
		return e.MaxSteps
	}
	return 200
}

func (e *Engine) groupTimeout() time.Duration {
	if e.GroupTimeout > 0 {
		return e.GroupTimeout
	}
	return 24 * time.Hour
}

// Start begins lesson l and runs it up to its first wait. lang is the
// chat's language.
func (e *Engine) Start(l *Lesson, runID int64, lang string, in Input) (*State, Result) {
	st := &State{Lesson: l.ID, Mode: l.Mode, Lang: l.Lang(lang), Status: statusActive, Step: 0,
		Members: map[int64]*MemberState{}}
	c := e.ctx(l, st, runID, in)
	c.res.Handled = true
	c.post(0, "title", "📘 "+c.t(l.Title))
	e.advance(c, false)
	return st, *c.res
}

// Handle gives an input to a run; st is updated in place.
func (e *Engine) Handle(l *Lesson, st *State, runID int64, in Input) Result {
	c := e.ctx(l, st, runID, in)
	if st.Status != statusActive || st.Step >= len(l.Steps) {
		return *c.res
	}
	step := l.Steps[st.Step]
	switch in.Kind {
	case InputTimer:
		if in.Seq != st.Seq {
			return *c.res // stale: the run moved on
		}
		if a, ok := step.body.(answerable); ok && st.Open != nil && !st.Open.Due.IsZero() && in.Now.Before(st.Open.Due) {
			// Before the timeout: the reminder, and the close_when rule's
			// check.
			if c.remind() {
				c.res.Handled = true
			}
			if !c.early() {
				if c.l.CloseWhen != nil && st.Open.Last.Add(c.l.CloseWhen.Quiet).After(in.Now) {
					c.armEarly() // answers came meanwhile: look again later
					c.res.Handled = c.res.Handled || len(c.res.Timers) > 0
				}
				return *c.res
			}
			c.res.Handled = true
			e.closeAndGo(c, a, false)
			return *c.res
		}
		c.res.Handled = true
		if a, ok := step.body.(answerable); ok {
			a.close(c, true)
			st.Open = nil
		}
		e.advance(c, true)
	case InputLeft:
		a, ok := step.body.(answerable)
		if !ok || st.Mode != ModeGroup || st.Open == nil || st.Open.Seq != st.Seq || !c.drop(in.Member.ID) {
			return *c.res
		}
		c.res.Handled = true
		if c.allAnswered() {
			e.closeAndGo(c, a, false) // the one who left was the last one waited for
		} else {
			c.armEarly()
		}
	case InputOption, InputText, InputVote:
		a, ok := step.body.(answerable)
		if !ok || st.Open == nil || st.Open.Seq != st.Seq {
			return *c.res
		}
		data := []string{in.Option}
		if in.Kind == InputVote {
			data = in.Choices
		}
		for _, d := range data {
			if in.Kind == InputText {
				break
			}
			run, seq, _, ok := parseOptionData(d)
			if !ok || run != runID || seq != st.Seq {
				return *c.res
			}
		}
		if !a.answer(c, in) {
			return *c.res
		}
		c.res.Handled = true
		if c.allAnswered() {
			e.closeAndGo(c, a, false)
		} else if st.Open != nil && st.Open.Seq == st.Seq {
			prev := st.Open.Last
			st.Open.Last = in.Now
			if prev.IsZero() || !c.earlyArmed(prev) {
				c.armEarly()
			}
		}
	}
	return *c.res
}

// closeAndGo closes the open step (timedOut when its time ran out) and
// moves the run on.
func (e *Engine) closeAndGo(c *runCtx, a answerable, timedOut bool) {
	a.close(c, timedOut)
	c.st.Open = nil
	e.advance(c, true)
}

// Stop ends a run early, saying so in the chat.
func (e *Engine) Stop(l *Lesson, st *State, runID int64, now time.Time) Result {
	c := e.ctx(l, st, runID, Input{Now: now})
	if st.Status == statusActive {
		st.Status = statusStopped
		st.Open = nil
		c.post(st.Seq, "stopped", c.tr("stopped", c.t(l.Title)))
		c.res.Handled = true
	}
	return *c.res
}

// advance moves the run forward from the current step (the next one when
// next is set) until a step waits or the lesson ends.
func (e *Engine) advance(c *runCtx, next bool) {
	st, l := c.st, c.l
	for taken := 0; ; taken++ {
		if next {
			st.Step++
		}
		next = true
		if taken >= e.maxSteps() {
			st.Status = statusStopped
			st.Open = nil
			c.post(st.Seq, "runaway", c.tr("runaway", c.t(l.Title)))
			return
		}
		if st.Step >= len(l.Steps) {
			finish(c)
			return
		}
		st.Seq++
		st.Open = nil
		if m := l.Steps[st.Step].Media; m != nil {
			c.res.Messages = append(c.res.Messages, Msg{Seq: st.Seq, Tag: "media", File: m.File(), Media: m})
		}
		out := l.Steps[st.Step].body.enter(c)
		switch {
		case out.end:
			finish(c)
			return
		case out.jump != "":
			i, _ := l.StepIndex(out.jump) // validated at parse time
			st.Step = i
			next = false
		case out.wait:
			return
		}
	}
}

// finish ends the run, posting each member's or the group's result.
func finish(c *runCtx) {
	st := c.st
	if st.Status != statusActive {
		return
	}
	st.Status = statusDone
	st.Open = nil
	var b strings.Builder
	switch {
	case st.Mode == ModeDirect:
		for _, m := range st.joined() {
			if m.Max > 0 {
				b.WriteString(c.tr("score", fmtPoints(m.Points), fmtPoints(m.Max), percent(m.Points, m.Max)))
				if c.l.PassMark > 0 {
					b.WriteString(" ")
					b.WriteString(c.tr(passKey(m.Points/m.Max >= c.l.PassMark)))
				}
			}
		}
	case len(st.joined()) > 0:
		joined := st.joined()
		passed := 0
		for _, m := range joined {
			if m.Max > 0 && m.Points/m.Max >= c.l.PassMark {
				passed++
			}
		}
		if c.l.PassMark > 0 {
			b.WriteString(c.tr("group_done_pass", len(joined), passed))
		} else {
			b.WriteString(c.tr("group_done", len(joined)))
		}
	}
	if b.Len() > 0 {
		c.post(st.Seq, "result", "🏁 "+b.String())
	}
}

func passKey(passed bool) string {
	if passed {
		return "passed"
	}
	return "not_passed"
}

func fmtPoints(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func percent(points, max float64) int {
	if max <= 0 {
		return 0
	}
	return int(points/max*100 + 0.5)
}

// Describe says where a run stands: "Hand hygiene, step 3 of 9".
func (e *Engine) Describe(l *Lesson, st *State, lang string) string {
	return e.text(l.Lang(lang), "describe", l.Title.In(l.Lang(lang), l.Fallback()), st.Step+1, len(l.Steps))
}

// score returns the run's score for branch conditions: the member's in
// direct mode, the mean of members' in group mode.
func (c *runCtx) score() (score, points, max float64) {
	n := 0
	for _, m := range c.st.joined() {
		if m.Max <= 0 {
			continue
		}
		score += m.Points / m.Max
		points += m.Points
		max += m.Max
		n++
	}
	if n == 0 {
		return 0, 0, 0
	}
	return score / float64(n), points / float64(n), max / float64(n)
}
