// Package flows is Huddle's lesson engine. It reads and validates lesson
// YAML (every problem reported as file:line: message, a broken file refused
// whole), and runs lessons step by step.
//
// The engine is pure: Engine.Start and Engine.Handle take a run's State and
// an Input and return the new State with the messages, timers and answers
// it causes; Host is the glue that loads state from a bot.Tx, calls the
// engine, and writes everything back in the caller's transaction.
//
// Each step kind lives in a file of its own (say.go, quiz.go, ask.go,
// wait.go, branch.go, goto.go, end.go, discuss.go, escalate.go). A program
// adds its own kinds through the extension point, StepKind: registered
// with Kinds.Register (or given to huddle.Options.StepKinds), read with a
// StepParser, run with a StepRun. The built-in say is made that way.
package flows

import (
	"fmt"
	"strings"
	"time"
)

// Modes a lesson runs in.
const (
	// ModeGroup posts the lesson in the group; every member answers and is
	// scored on their own.
	ModeGroup = "group"
	// ModeDirect runs the lesson one to one.
	ModeDirect = "direct"
)

// Feedback styles of group lessons.
const (
	// FeedbackSummary (the default) tells each member their verdict alone
	// (a toast for a press, a reaction on a typed answer, the poll's own
	// tally) and the group one summary when a question closes.
	FeedbackSummary = "summary"
	// FeedbackEach posts each member's verdict in the group too, for
	// small groups.
	FeedbackEach = "each"
)

// Lesson is a parsed, valid lesson.
type Lesson struct {
	ID    string
	Title Text
	// Languages lists the lesson's languages; the first is the fallback.
	Languages []string
	Mode      string
	// Feedback is FeedbackSummary or FeedbackEach, for group lessons.
	Feedback string
	// CloseWhen closes a group question before its timeout; nil for
	// never.
	CloseWhen *CloseRule
	// PassMark is the fraction of quiz points needed to pass; 0 for none.
	PassMark float64
	// Certificate says a member who passes the lesson earns a
	// certificate, worth CPDHours.
	Certificate bool
	CPDHours    float64
	Schedule    *Schedule
	Steps       []*Step
	// File is where the lesson was read from.
	File string

	index map[string]int // step id -> position
}

// CloseRule closes a group question early: once Answered of the group
// has answered and no new answer came for Quiet. A group rarely answers
// to the last member; the rule keeps a question from waiting a day for
// the few who never will.
type CloseRule struct {
	// Answered is the fraction of the group, 0 to 1.
	Answered float64
	Quiet    time.Duration
}

// Schedule says when a lesson starts by itself.
type Schedule struct {
	At   string   // "08:30", in the group's timezone
	Days []string // mon..sun; empty for every day
}

// Step is one step of a lesson: exactly one of its kinds.
type Step struct {
	ID   string
	Line int
	Kind string
	// Media is shown before the step's text; nil for none.
	Media *Media
	body  stepKind
}

// stepKind is what every step kind implements.
type stepKind interface {
	// enter runs when a run reaches the step.
	enter(c *runCtx) outcome
}

// answerable step kinds take members' answers while they are open.
type answerable interface {
	stepKind
	// answer handles one member's input; false when the input is not an
	// answer to this step.
	answer(c *runCtx, in Input) bool
	// close runs when every member answered or the step timed out.
	close(c *runCtx, timedOut bool)
}

// outcome tells the engine what to do after a step is entered.
type outcome struct {
	wait bool   // stay on this step until input or a timer
	jump string // go to this step id
	end  bool   // the lesson is over
}

// Text is a text in one or more languages: a plain string is stored under
// the empty key, a translated one under each language code.
type Text map[string]string

// In returns the text in lang, else in fallback, else any version.
func (t Text) In(lang, fallback string) string {
	if s, ok := t[lang]; ok && lang != "" {
		return s
	}
	if s, ok := t[""]; ok {
		return s
	}
	if s, ok := t[fallback]; ok {
		return s
	}
	for _, s := range t {
		return s
	}
	return ""
}

// Fallback is the lesson's fallback language, "" when it declares none.
func (l *Lesson) Fallback() string {
	if len(l.Languages) == 0 {
		return ""
	}
	return l.Languages[0]
}

// Lang picks the language to use for a member or chat that asked for want.
func (l *Lesson) Lang(want string) string {
	for _, code := range l.Languages {
		if code == want {
			return code
		}
	}
	return l.Fallback()
}

// StepIndex returns the position of a step id.
func (l *Lesson) StepIndex(id string) (int, bool) {
	i, ok := l.index[id]
	return i, ok
}

// Problem is one thing wrong with a lesson file.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String formats the problem as file:line: message.
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Problems is every problem found in a lesson file; it is the error a
// broken lesson is refused with.
type Problems []Problem

// Error lists every problem, one a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// parseDuration reads "90s", "30m", "4h", "2d" or "1h30m".
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		d, err := time.ParseDuration(days + "h")
		if err != nil {
			return 0, fmt.Errorf("bad duration %q (use 90s, 30m, 4h or 2d)", s)
		}
		return d * 24, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (use 90s, 30m, 4h or 2d)", s)
	}
	return d, nil
}
