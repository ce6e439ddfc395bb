package flows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// runCtx is what a step sees while it runs.
type runCtx struct {
	e     *Engine
	l     *Lesson
	st    *State
	in    Input
	runID int64
	res   *Result
}

func (e *Engine) ctx(l *Lesson, st *State, runID int64, in Input) *runCtx {
	if st.Members == nil {
		st.Members = map[int64]*MemberState{}
	}
	return &runCtx{e: e, l: l, st: st, in: in, runID: runID, res: &Result{}}
}

// t renders a text in the chat's language.
func (c *runCtx) t(t Text) string { return t.In(c.st.Lang, c.l.Fallback()) }

func (c *runCtx) memberLang(id int64) string {
	if id == c.in.Member.ID && c.in.Member.Lang != "" {
		return c.l.Lang(c.in.Member.Lang)
	}
	if m := c.st.Members[id]; m != nil && m.Lang != "" {
		return c.l.Lang(m.Lang)
	}
	return c.st.Lang
}

// tr renders one of the engine's own texts in the chat's language.
func (c *runCtx) tr(key string, args ...any) string { return c.e.text(c.st.Lang, key, args...) }

// post queues a message to the chat.
func (c *runCtx) post(seq int, tag, text string, opts ...bot.Option) {
	c.res.Messages = append(c.res.Messages, Msg{Seq: seq, Tag: tag, Text: text, Options: opts})
}

// reply queues a message replying to the input's message.
func (c *runCtx) reply(tag, text string) {
	c.res.Messages = append(c.res.Messages, Msg{Seq: c.st.Seq, Tag: tag, Text: text, ReplyTo: c.in.MessageID})
}

// toast answers the input's press, for the presser alone.
func (c *runCtx) toast(text string) {
	c.res.Messages = append(c.res.Messages, Msg{Seq: c.st.Seq, Tag: "press-" + c.in.PressID, Text: text, PressID: c.in.PressID})
}

// react puts an emoji reaction on the input's message; words are what it
// stands for, sent instead where reactions cannot be had.
func (c *runCtx) react(tag, emoji, words string) {
	c.res.Messages = append(c.res.Messages, Msg{Seq: c.st.Seq, Tag: tag, React: emoji, Text: words, ReplyTo: c.in.MessageID})
}

// quiet says per-member feedback goes to the member alone (a toast, a
// reaction) rather than to the group: group lessons unless they ask for
// feedback: each.
func (c *runCtx) quiet() bool { return c.st.Mode == ModeGroup && c.l.Feedback != FeedbackEach }

// wake asks for a timer after d, for the current step visit.
func (c *runCtx) wake(d time.Duration) {
	c.res.Timers = append(c.res.Timers, TimerReq{Seq: c.st.Seq, At: c.in.Now.Add(d)})
}

// member returns the input's member's part, creating it, and counts them
// as taking part.
func (c *runCtx) member() *MemberState {
	id := c.in.Member.ID
	m := c.st.touch(id)
	if !m.Joined {
		m.Joined = true
		// Taking part only now: zero on the questions already closed that
		// were posted while they were in the group (missed, not skipped).
		for _, i := range m.Missed {
			a := c.st.Asked[i]
			m.Max += a.Points
			c.res.Answers = append(c.res.Answers, bot.Answer{MemberID: id, StepID: a.Key, Seq: a.Seq,
				Value: "", MaxPoints: a.Points, At: c.in.Now})
		}
		m.Missed = nil
	}
	if c.in.Member.Lang != "" {
		m.Lang = c.in.Member.Lang
	}
	return m
}

// took notes that the input's member answered the open step.
func (c *runCtx) took(m *MemberState) {
	o := c.st.Open
	if m.Answered == o.Seq {
		return
	}
	m.Answered = o.Seq
	o.Count++
	if m.Waited == o.Seq && o.Left > 0 {
		o.Left--
	}
}

// drop stops the open step waiting for member id, who left the group, and
// for more than the group's size now: one who answered still counts (the
// answer stands); one who did not is no longer waited for. It reports
// whether anything changed; told twice, nothing does.
func (c *runCtx) drop(id int64) bool {
	o := c.st.Open
	if m := c.st.Members[id]; m != nil && m.Answered == o.Seq {
		return false
	}
	changed := false
	if m := c.st.Members[id]; m != nil && m.Waited == o.Seq {
		c.st.touch(id).Waited = 0
		o.Waiting--
		o.Left = max(o.Left-1, 0)
		changed = true
	}
	if c.in.Size != nil {
		if n := c.in.Size(); n > 0 && n < o.Size {
			o.Size, changed = n, true
		}
	}
	return changed
}

// remember keeps a member's answer for branch conditions (direct mode).
func (c *runCtx) remember(m *MemberState, step, value string) {
	if c.st.Mode != ModeDirect {
		return
	}
	if m.Answers == nil {
		m.Answers = map[string]string{}
	}
	m.Answers[step] = value
}

// open marks the current step as waiting for answers, with a timeout.
func (c *runCtx) open(timeout time.Duration) outcome {
	c.st.Open = &Open{Seq: c.st.Seq}
	if c.st.Mode == ModeGroup && c.in.Members != nil {
		// Written once per question, not per answer.
		for _, id := range c.in.Members() {
			c.st.touch(id).Waited = c.st.Seq
			c.st.Open.Waiting++
		}
		c.st.Open.Left = c.st.Open.Waiting
	}
	if c.st.Mode == ModeGroup && c.in.Size != nil {
		c.st.Open.Size = c.in.Size()
	}
	if timeout == 0 && c.st.Mode == ModeGroup {
		timeout = c.e.groupTimeout()
	}
	if timeout > 0 {
		c.wake(timeout)
		c.st.Open.Due = c.in.Now.Add(timeout)
		if r := c.e.Remind; r > 0 && c.st.Mode == ModeGroup && timeout >= 2*r {
			c.wake(timeout - r)
		}
	}
	return outcome{wait: true}
}

// early reports whether the lesson's close_when rule closes the open step
// now: enough of the group answered, and none for the rule's quiet time.
// A step closed this way is not "timed out".
func (c *runCtx) early() bool {
	r, o := c.l.CloseWhen, c.st.Open
	if r == nil || o == nil || c.st.Mode != ModeGroup {
		return false
	}
	need := max(o.Waiting, o.Size)
	return need > 0 && float64(o.Count) >= r.Answered*float64(need) && c.in.Now.Sub(o.Last) >= r.Quiet
}

// earlyArmed reports whether a close_when check was already asked for
// after the answer at prev (it will look again if answers came since).
func (c *runCtx) earlyArmed(prev time.Time) bool {
	r, o := c.l.CloseWhen, c.st.Open
	if r == nil || o == nil {
		return false
	}
	need := max(o.Waiting, o.Size)
	// The threshold was reached before this answer: a check is pending.
	return need > 0 && float64(o.Count-1) >= r.Answered*float64(need)
}

// armEarly asks to be woken when the close_when rule could close the open
// step: quiet after the last answer, once enough have answered.
func (c *runCtx) armEarly() {
	r, o := c.l.CloseWhen, c.st.Open
	if r == nil || o == nil || c.st.Mode != ModeGroup {
		return
	}
	need := max(o.Waiting, o.Size)
	if need == 0 || float64(o.Count) < r.Answered*float64(need) {
		return
	}
	if at := o.Last.Add(r.Quiet); o.Due.IsZero() || at.Before(o.Due) {
		c.res.Timers = append(c.res.Timers, TimerReq{Seq: c.st.Seq, At: at})
	}
}

// answered reports whether the input's member has answered the open step.
func (c *runCtx) answered() bool {
	m := c.st.Members[c.in.Member.ID]
	return m != nil && m.Answered == c.st.Open.Seq
}

// allAnswered reports whether every expected member answered the open step.
// In direct mode one answer is all.
func (c *runCtx) allAnswered() bool {
	o := c.st.Open
	if o == nil {
		return false
	}
	if c.st.Mode == ModeDirect {
		return o.Count > 0
	}
	// Where the platform says how many the group has, the members the
	// bot has not seen yet are waited for too (a group it just joined).
	return o.Left == 0 && o.Count > 0 && o.Count >= o.Size
}

// who names the input's member in group posts; empty in direct mode.
func (c *runCtx) who() string {
	if c.st.Mode == ModeDirect || c.in.Member.Name == "" {
		return ""
	}
	return c.in.Member.Name + ": "
}

// optionData encodes an option press: run, step visit and choice.
func optionData(run int64, seq int, choice string) string {
	return "q" + strconv.FormatInt(run, 10) + "." + strconv.Itoa(seq) + "." + choice
}

// parseOptionData decodes optionData.
func parseOptionData(s string) (run int64, seq int, choice string, ok bool) {
	rest, found := strings.CutPrefix(s, "q")
	if !found {
		return 0, 0, "", false
	}
	parts := strings.SplitN(rest, ".", 3)
	if len(parts) != 3 {
		return 0, 0, "", false
	}
	run, err1 := strconv.ParseInt(parts[0], 10, 64)
	seq, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return 0, 0, "", false
	}
	return run, seq, parts[2], true
}

// remind posts the group's reminder when its time has come before the
// open step closes: once, only when some have not answered, and not in
// the program's quiet hours (then the step closes without one). It
// reports whether it changed the state.
func (c *runCtx) remind() bool {
	o, r := c.st.Open, c.e.Remind
	if r <= 0 || o.Reminded || c.st.Mode != ModeGroup || c.in.Now.Before(o.Due.Add(-r)) {
		return false
	}
	o.Reminded = true
	need := max(o.Waiting, o.Size)
	if c.e.Quiet != nil && c.e.Quiet(c.in.Now) || (need > 0 && o.Count >= need) {
		return true
	}
	question := c.l.Preview(c.st.Step, c.st.Lang).Text
	if q, _, ok := strings.Cut(question, "\n"); ok {
		question = q
	}
	left := o.Due.Sub(c.in.Now).Round(time.Minute)
	c.post(c.st.Seq, "remind", c.tr("reminder", shortDuration(left), bot.Clip(question, 120), o.Count, need))
	return true
}

// shortDuration writes a duration as "1h", "45m" or "1h30m".
func shortDuration(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}
