package flows

import (
	"fmt"
	"slices"

	"github.com/huddlebot/huddle/bot"
)

// Question is a choice quiz as a member reviews it on their own: its
// text, options and right answers in a language, and why.
type Question struct {
	Text    string
	Options []string
	// Correct lists the right options, 0-based.
	Correct []int
	Multi   bool
	// Explain says why, when the lesson says; Answer is the right
	// options' text.
	Explain, Answer string
}

// Question returns the choice quiz named key (see StepKey) in lang, and
// false when key names no choice quiz of the lesson (a numeric or
// free-text one is not reviewed on its own).
func (l *Lesson) Question(key, lang string) (Question, bool) {
	for i := range l.Steps {
		if l.StepKey(i) != key {
			continue
		}
		q, ok := l.Steps[i].body.(*quizStep)
		if !ok || len(q.options) == 0 {
			return Question{}, false
		}
		lang = l.Lang(lang)
		in := func(t Text) string { return t.In(lang, l.Fallback()) }
		out := Question{Text: in(q.question), Correct: append([]int(nil), q.correct...), Multi: q.multi, Explain: in(q.explain)}
		for _, o := range q.options {
			out.Options = append(out.Options, in(o.text))
		}
		for n, c := range q.correct {
			if n > 0 {
				out.Answer += "; "
			}
			out.Answer += out.Options[c]
		}
		return out, true
	}
	return Question{}, false
}

// Right reports whether picks (0-based) are exactly the right options,
// as a lesson's quiz judges them.
func (q Question) Right(picks ...int) bool {
	return slices.Equal(sortedPicks(slices.Clone(picks)), q.Correct)
}

// sortedPicks is picks sorted, each once.
func sortedPicks(picks []int) []int {
	slices.Sort(picks)
	return slices.Compact(picks)
}

// OptionLabel is the label of option i (0-based) of a choice question, as
// a button or a poll's option shows it: numbered, and short enough for
// every platform.
func OptionLabel(i int, text string) string {
	return bot.Clip(fmt.Sprintf("%d. %s", i+1, text), 60)
}
