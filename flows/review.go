package flows

import (
	"fmt"
	"slices"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

// Question kinds.
const (
	// QuestionChoice is answered by choosing options (Multi: several).
	QuestionChoice = "choice"
	// QuestionNumber is answered with a number, within a tolerance.
	QuestionNumber = "number"
	// QuestionText is answered in words, matched against the accepted
	// answers.
	QuestionText = "text"
)

// Question is a quiz as a member reviews it on their own: its text,
// options and right answers in a language, and why.
type Question struct {
	Kind    string
	Text    string
	Options []string
	// Correct lists the right options, 0-based.
	Correct []int
	Multi   bool
	// Explain says why, when the lesson says; Answer is the right answer
	// as the lesson shows it (the right options' text, the number and
	// its tolerance, the first accepted answer).
	Explain, Answer string
	// Pictures are a picture quiz's options' pictures, by option (nil for
	// an option without one), to show before the question, each labelled
	// by its letter; nil for other quizzes. Labels are then the options
	// as offered: "A", "B. Negative"…
	Pictures []*bot.File
	Labels   []string

	step *quizStep
}

// Question returns the quiz named key (see StepKey) in lang, and false
// when key names no quiz of the lesson.
func (l *Lesson) Question(key, lang string) (Question, bool) {
	for i := range l.Steps {
		if l.StepKey(i) != key {
			continue
		}
		q, ok := l.Steps[i].body.(*quizStep)
		if !ok {
			return Question{}, false
		}
		lang = l.Lang(lang)
		in := func(t Text) string { return t.In(lang, l.Fallback()) }
		out := Question{Kind: QuestionChoice, Text: in(q.question), Correct: append([]int(nil), q.correct...), Multi: q.multi,
			Explain: in(q.explain), step: q}
		switch {
		case q.numeric != nil:
			out.Kind, out.Answer = QuestionNumber, fmtPoints(q.numeric.answer)
			if q.numeric.tolerance > 0 {
				out.Answer += " ± " + fmtPoints(q.numeric.tolerance)
			}
		case len(q.options) == 0:
			out.Kind, out.Answer = QuestionText, in(q.shown)
		}
		pictured := q.pictured()
		for i, o := range q.options {
			out.Options = append(out.Options, in(o.text))
			if pictured {
				var f *bot.File
				if o.media != nil {
					f = o.media.File()
				}
				out.Pictures = append(out.Pictures, f)
				out.Labels = append(out.Labels, pictureLabel(i, in(o.text)))
			}
		}
		for n, c := range q.correct {
			if n > 0 {
				out.Answer += "; "
			}
			if pictured {
				out.Answer += out.Labels[c]
				continue
			}
			out.Answer += out.Options[c]
		}
		return out, true
	}
	return Question{}, false
}

// Check judges a typed answer as the lesson's quiz does: an option's
// number, letter or text (several for multi-select), a number within the
// tolerance, or one of the accepted answers. ok is false when text is no
// answer of the question's kind (words to a number question).
func (q Question) Check(text string) (right, ok bool) {
	if q.step == nil {
		return false, false
	}
	switch q.Kind {
	case QuestionChoice:
		picks, ok := q.step.typedChoice(text)
		return ok && q.Right(picks...), ok
	case QuestionNumber:
		v, ok := parseNumber(text)
		return ok && q.step.numeric.right(v), ok
	}
	if strings.TrimSpace(text) == "" {
		return false, false
	}
	return q.step.accepts(text), true
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
