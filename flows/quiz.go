package flows

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// quizStep asks a question and scores each member's answer, with instant
// feedback and the explanation. Four kinds, by key:
//
//	steps:
//	  - id: q1                    # single choice
//	    quiz:
//	      question: {en: "First drug for PPH?", fr: "Premier médicament ?"}
//	      options:
//	        - "Oxytocin 10 IU IM/IV"
//	        - text: "Ergometrine"
//	          feedback: "Not in hypertension."
//	      correct: 1              # 1-based; a list such as [1, 3] for multi-select
//	      explain: "WHO recommends oxytocin first."
//	      points: 1               # default 1
//	      timeout: 24h            # move on if unanswered
//	  - quiz:                     # numeric, within a tolerance
//	      question: "Upper limit of a normal adult respiratory rate, per minute?"
//	      numeric: {answer: 20, tolerance: 2}
//	  - quiz:                     # free text, case-, space- and accent-insensitive
//	      question: "Name the uterotonic given first."
//	      accept: [oxytocin, syntocinon]
//
// Members answer by pressing an option or by replying with its number, its
// letter (A, B, ...) or its text; several numbers for multi-select. In a
// group, a message that is not an answer is left for the discussion.
type quizStep struct {
	question Text
	options  []quizOption
	correct  []int // 0-based
	multi    bool
	numeric  *numericAnswer
	accept   []string // normalized
	shown    Text     // the first accepted answer as written, by language, for feedback
	explain  Text
	points   float64
	timeout  time.Duration
	tags     []string // "pre", "post"
}

type quizOption struct {
	text     Text
	feedback Text
	// media is the option's picture: the quiz shows the pictures first,
	// labelled A, B, C…, and its options by those letters.
	media *Media
}

// pictured reports whether the quiz's options are pictures.
func (q *quizStep) pictured() bool {
	return slices.ContainsFunc(q.options, func(o quizOption) bool { return o.media != nil })
}

// optionName names option i (0-based) in feedback: "2. Positive", or in
// a picture quiz "B. Positive" (or "B").
func (q *quizStep) optionName(i int, text string) string {
	if q.pictured() {
		return pictureLabel(i, text)
	}
	return fmt.Sprintf("%d. %s", i+1, text)
}

// optionLetter is the label of option i of a picture quiz: A, B, C…
func optionLetter(i int) string { return string(rune('A' + i)) }

// pictureLabel is a picture quiz's option i as listed and on its button:
// its letter, and its text when it has one.
func pictureLabel(i int, text string) string {
	if text == "" {
		return optionLetter(i)
	}
	return bot.Clip(optionLetter(i)+". "+text, 60)
}

type numericAnswer struct {
	answer, tolerance float64
}

// right reports whether v is the answer, within the tolerance.
func (n *numericAnswer) right(v float64) bool { return math.Abs(v-n.answer) <= n.tolerance+1e-9 }

// accepts reports whether a free-text answer is one the quiz accepts.
func (q *quizStep) accepts(text string) bool { return slices.Contains(q.accept, normalizeAnswer(text)) }

func (q *quizStep) enter(c *runCtx) outcome {
	var b strings.Builder
	b.WriteString("❓ ")
	b.WriteString(c.t(q.question))
	var opts []bot.Option
	switch {
	case len(q.options) > 0:
		pictured := q.pictured()
		for i, o := range q.options {
			label := c.t(o.text)
			if !pictured {
				fmt.Fprintf(&b, "\n%d. %s", i+1, label)
				opts = append(opts, bot.Option{Label: OptionLabel(i, label), Data: optionData(c.runID, c.st.Seq, strconv.Itoa(i+1))})
				continue
			}
			// A picture quiz: the pictures first, one by one (each may
			// carry a "Full size" button in a light group, which an
			// album could not), labelled A, B, C…; then the question
			// with the options by those letters.
			if o.media != nil {
				c.res.Messages = append(c.res.Messages, Msg{Seq: c.st.Seq, Tag: fmt.Sprintf("opt%d", i+1),
					Text: optionLetter(i), File: o.media.File(), Media: o.media})
			}
			b.WriteString("\n" + pictureLabel(i, label))
			opts = append(opts, bot.Option{Label: pictureLabel(i, label), Data: optionData(c.runID, c.st.Seq, strconv.Itoa(i+1))})
		}
		b.WriteString("\n\n")
		switch {
		case c.in.Typed:
			// Typed options (SMS): a number, or a multi-select's
			// numbers in one reply, which parseChoice reads as the
			// whole selection; there is no Done to press.
			b.WriteString(c.tr(q.typedHint()))
		case q.multi:
			b.WriteString(c.tr("multi_hint"))
			opts = append(opts, bot.Option{Label: c.tr("done_button"), Data: optionData(c.runID, c.st.Seq, "s")})
		default:
			b.WriteString(c.tr("pick_hint"))
		}
	default:
		b.WriteString("\n\n" + c.tr(q.typedHint()))
	}
	c.post(c.st.Seq, "q", b.String(), opts...)
	if q.multi {
		c.res.Messages[len(c.res.Messages)-1].Multi = true
	}
	return c.open(q.timeout)
}

func (q *quizStep) answer(c *runCtx, in Input) bool {
	direct := c.st.Mode == ModeDirect
	if c.answered() {
		switch {
		case in.Kind == InputVote:
			return true // a changed or withdrawn poll vote changes nothing
		case c.quiet() && in.Kind == InputText:
			return false // talk about the question: left to the discussion
		case in.Kind == InputText && c.st.Mode == ModeGroup && !q.answerLike(c, in):
			return false // talk, not a second answer: left alone
		case c.quiet():
			c.toast(capitalize(c.e.text(c.memberLang(in.Member.ID), "already", "")))
			return true
		}
		c.reply(fmt.Sprintf("dup-%d", in.Member.ID), capitalize(c.e.text(c.memberLang(in.Member.ID), "already", c.who())))
		return true
	}
	var (
		value   string
		correct bool
	)
	switch {
	case len(q.options) > 0:
		picks, submit, ok := q.parseChoice(c, in)
		if !ok {
			if direct && in.Kind == InputText {
				key := "bad_choice"
				if q.multi {
					key = "bad_choices"
				}
				c.reply("hint-"+in.MessageID, c.e.text(c.memberLang(in.Member.ID), key, len(q.options)))
				return true
			}
			return false
		}
		if in.Kind == InputVote && (len(picks) == 0 || (q.multi && !submit)) {
			// A poll vote is the member's whole selection so far: it
			// replaces the last one, and counts once it includes Done
			// (multi-select) or names an option (single choice).
			m := c.st.touch(in.Member.ID)
			m.Picks, m.PickSeq = picks, c.st.Seq
			return true
		}
		if q.multi && in.Kind == InputOption && !submit {
			// A press toggles an option; Done scores the selection.
			m := c.st.touch(in.Member.ID)
			cur := c.picks(m)
			if i := slices.Index(cur, picks[0]); i >= 0 {
				cur = slices.Delete(cur, i, i+1)
			} else {
				cur = append(cur, picks[0])
			}
			m.Picks, m.PickSeq = cur, c.st.Seq
			return true
		}
		if submit && in.Kind != InputVote {
			picks = slices.Clone(c.picks(c.st.Members[in.Member.ID]))
			if len(picks) == 0 {
				return true // Done with nothing chosen: nothing to score
			}
		}
		picks = sortedPicks(picks)
		correct = slices.Equal(picks, q.correct)
		value = joinPicks(picks)
		q.feedback(c, in, correct, picks)
	case q.numeric != nil:
		v, ok := parseNumber(in.Text)
		if !direct {
			v, ok = groupNumber(in.Text)
		}
		if in.Kind != InputText || !ok {
			if direct && in.Kind == InputText {
				c.reply("hint-"+in.MessageID, c.e.text(c.memberLang(in.Member.ID), "bad_number"))
				return true
			}
			return false
		}
		correct = q.numeric.right(v)
		value = strconv.FormatFloat(v, 'f', -1, 64)
		q.feedback(c, in, correct, nil)
	default:
		if in.Kind != InputText || in.Text == "" {
			return false
		}
		value = bot.Clip(in.Text, 200)
		correct = q.accepts(in.Text)
		q.feedback(c, in, correct, nil)
	}
	q.record(c, in, value, correct)
	return true
}

// typedHint is the key of the text that says how to answer the question
// by typing: where options cannot be pressed, and for a number or words.
func (q *quizStep) typedHint() string {
	switch {
	case len(q.options) > 0 && q.multi:
		return "multi_hint_typed"
	case len(q.options) > 0:
		return "pick_hint_typed"
	case q.numeric != nil:
		return "numeric_hint"
	}
	return "text_hint"
}

// rightAnswer describes the right answer in lang.
func (q *quizStep) rightAnswer(c *runCtx, lang string) string {
	switch {
	case len(q.options) > 0:
		parts := make([]string, len(q.correct))
		for i, ci := range q.correct {
			parts[i] = q.optionName(ci, q.options[ci].text.In(lang, c.l.Fallback()))
		}
		return strings.Join(parts, "; ")
	case q.numeric != nil:
		s := fmtPoints(q.numeric.answer)
		if q.numeric.tolerance > 0 {
			s += " ± " + fmtPoints(q.numeric.tolerance)
		}
		return s
	default:
		return q.shown.In(lang, c.l.Fallback())
	}
}

// feedback tells the member: right or wrong, the chosen option's
// feedback, and the explanation. In a group lesson (unless it asks for
// feedback: each) it goes to the member alone: as the answer to their
// press, or as a reaction on their typed answer; a poll vote needs nothing
// (the poll shows it); the group hears the answer in the summary when
// the question closes.
func (q *quizStep) feedback(c *runCtx, in Input, correct bool, picks []int) {
	if c.quiet() {
		switch {
		case in.Kind == InputOption && in.PressID != "":
			c.toast(q.verdict(c, in, correct, picks, ""))
		case in.Kind == InputText:
			// The words, where reactions cannot be had, tell right from
			// wrong and no more: the group hears the answer when the
			// question closes.
			lang := c.memberLang(in.Member.ID)
			emoji, words := "❌", capitalize(c.e.text(lang, "wrong_short", c.who()))
			if correct {
				emoji, words = "✅", capitalize(c.e.text(lang, "correct", c.who()))
			}
			c.react(fmt.Sprintf("fb-%d", in.Member.ID), emoji, words)
		}
		return
	}
	c.reply(fmt.Sprintf("fb-%d", in.Member.ID), q.verdict(c, in, correct, picks, c.who()))
}

// verdict is a member's feedback, naming them with who ("Amina: ") or not.
func (q *quizStep) verdict(c *runCtx, in Input, correct bool, picks []int, who string) string {
	lang := c.memberLang(in.Member.ID)
	var b strings.Builder
	if correct {
		b.WriteString(capitalize(c.e.text(lang, "correct", who)))
	} else {
		b.WriteString(capitalize(c.e.text(lang, "wrong", who, q.rightAnswer(c, lang))))
	}
	for _, p := range picks {
		if fb := q.options[p].feedback; len(fb) > 0 {
			b.WriteString("\n" + fb.In(lang, c.l.Fallback()))
		}
	}
	if len(q.explain) > 0 {
		b.WriteString("\n💡 " + q.explain.In(lang, c.l.Fallback()))
	}
	return b.String()
}

// record scores the answer into the run and the answers to store.
func (q *quizStep) record(c *runCtx, in Input, value string, correct bool) {
	m := c.member()
	points := 0.0
	if correct {
		points = q.points
		m.Correct++
		c.st.Open.Correct++
	}
	m.Points += points
	m.Max += q.points
	key := c.stepKey()
	c.remember(m, key, value)
	c.took(m)
	m.Picks, m.PickSeq = nil, 0
	if !correct {
		if c.st.Open.Wrong == nil {
			c.st.Open.Wrong = map[string]int{}
		}
		c.st.Open.Wrong[value]++
	}
	c.res.Answers = append(c.res.Answers, bot.Answer{MemberID: in.Member.ID, StepID: key, Seq: c.st.Seq,
		Value: value, Correct: correct, Points: points, MaxPoints: q.points, At: in.Now})
}

func (q *quizStep) close(c *runCtx, timedOut bool) {
	open := c.st.Open
	asked := -1
	if c.st.Mode == ModeGroup {
		c.st.Asked = append(c.st.Asked, Asked{Key: c.stepKey(), Seq: c.st.Seq, Points: q.points})
		asked = len(c.st.Asked) - 1
	}
	// Members who took part in the run but not in this question score zero
	// for it, so their score counts every question they were asked; one it
	// waited for who has not taken part yet will, if they do.
	for id, m := range c.st.Members {
		switch {
		case m.Answered == open.Seq:
		case m.Joined:
			m = c.st.touch(id)
			m.Max += q.points
			c.res.Answers = append(c.res.Answers, bot.Answer{MemberID: id, StepID: c.stepKey(), Seq: c.st.Seq,
				Value: "", MaxPoints: q.points, At: c.in.Now})
		case m.Waited == open.Seq && asked >= 0:
			c.st.touch(id).Missed = append(m.Missed, asked)
		}
	}
	switch {
	case c.st.Mode == ModeDirect && timedOut:
		c.post(c.st.Seq, "close", c.tr("time_up_direct", q.rightAnswer(c, c.st.Lang)))
	case c.st.Mode == ModeDirect:
	case timedOut:
		c.post(c.st.Seq, "close", q.summary(c, c.tr("time_up", open.Count, open.Correct)))
	case !c.allAnswered():
		// The lesson's close_when rule: most have answered, the rest quiet.
		c.post(c.st.Seq, "close", q.summary(c, c.tr("closed_early", open.Count, max(open.Waiting, open.Size), open.Correct)))
	default:
		c.post(c.st.Seq, "close", q.summary(c, c.tr("all_answered", open.Correct, open.Count)))
	}
}

// summary is what the group hears when a question closes: head (how many
// answered and were right), then, where the members heard their verdicts
// alone, the answer, the explanation, and the wrong answer given most
// with its feedback.
func (q *quizStep) summary(c *runCtx, head string) string {
	if !c.quiet() {
		return head
	}
	lang := c.st.Lang
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("\n" + c.tr("the_answer", q.rightAnswer(c, lang)))
	if len(q.explain) > 0 {
		b.WriteString("\n💡 " + q.explain.In(lang, c.l.Fallback()))
	}
	if wrong, n := mostWrong(c.st.Open.Wrong); n > 1 && len(q.options) > 0 {
		var picks []int
		var names []string
		for _, f := range strings.Split(wrong, ",") {
			if i, err := strconv.Atoi(f); err == nil && i >= 1 && i <= len(q.options) {
				picks = append(picks, i-1)
				names = append(names, q.optionName(i-1, q.options[i-1].text.In(lang, c.l.Fallback())))
			}
		}
		b.WriteString("\n" + c.e.texts().Count(c.st.Lang, "most_wrong", n, n, strings.Join(names, "; ")))
		for _, p := range picks {
			if fb := q.options[p].feedback; len(fb) > 0 {
				b.WriteString(" " + fb.In(lang, c.l.Fallback()))
			}
		}
	}
	return b.String()
}

// mostWrong is the wrong answer given most (the first in order on a tie)
// and how often.
func mostWrong(wrong map[string]int) (string, int) {
	best, n := "", 0
	for _, v := range slices.Sorted(maps.Keys(wrong)) {
		if wrong[v] > n {
			best, n = v, wrong[v]
		}
	}
	return best, n
}

// stepKey names the current step in answers: its id, or #N by position.
func (c *runCtx) stepKey() string { return c.l.StepKey(c.st.Step) }

// picks returns a member's options chosen so far in the open question.
func (c *runCtx) picks(m *MemberState) []int {
	if m == nil || m.PickSeq != c.st.Seq {
		return nil
	}
	return m.Picks
}

// answerLike reports whether a typed message has the form of an answer to
// the question (a number to a numeric one, an option's number), so that a
// second one is told it is too late; free-text questions take any text,
// so nothing typed after an answer to one is taken for another.
func (q *quizStep) answerLike(c *runCtx, in Input) bool {
	switch {
	case len(q.options) > 0:
		_, _, ok := q.parseChoice(c, in)
		return ok
	case q.numeric != nil:
		_, ok := groupNumber(in.Text)
		return ok
	}
	return false
}
