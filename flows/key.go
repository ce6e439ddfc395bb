package flows

import "strconv"

// QuizKey is what a quiz accepts as right: for tools that play or preview a
// lesson (the demo generator, a lesson preview), not for learners.
type QuizKey struct {
	// Options is the number of options of a choice quiz.
	Options int
	// Correct lists the right options, 1-based.
	Correct []int
	Multi   bool
	// Numeric is the answer of a numeric quiz, and Tolerance its margin.
	Numeric   *float64
	Tolerance float64
	// Accept lists the accepted free-text answers, normalized.
	Accept []string
	// Tags are the question's tags: "pre", "post".
	Tags []string
}

// Key returns the answer key of step i, and false when step i is not a
// quiz.
func (l *Lesson) Key(i int) (QuizKey, bool) {
	if i < 0 || i >= len(l.Steps) {
		return QuizKey{}, false
	}
	q, ok := l.Steps[i].body.(*quizStep)
	if !ok {
		return QuizKey{}, false
	}
	k := QuizKey{Options: len(q.options), Multi: q.multi, Accept: append([]string(nil), q.accept...), Tags: append([]string(nil), q.tags...)}
	for _, c := range q.correct {
		k.Correct = append(k.Correct, c+1)
	}
	if q.numeric != nil {
		a := q.numeric.answer
		k.Numeric, k.Tolerance = &a, q.numeric.tolerance
	}
	return k, true
}

// StepKey names step i in recorded answers: its id, or "#N" by position
// (1-based).
func (l *Lesson) StepKey(i int) string {
	if id := l.Steps[i].ID; id != "" {
		return id
	}
	return "#" + strconv.Itoa(i+1)
}

// StepPreview is how step i reads in lang: its text (the question, prompt
// or message) and, for a choice quiz, its options.
type StepPreview struct {
	Key, Kind string
	Text      string
	Options   []string
	Tags      []string
	// Media is the file shown before the text, nil for none.
	Media *Media
	// OptionMedia are a picture quiz's options' pictures, by option (nil
	// for an option without one); nil for other steps. Labels then lists
	// the options as they are offered: "A", "B. Negative"…
	OptionMedia []*Media
	Labels      []string
	// Multi says a quiz takes several options (choose all that apply).
	Multi bool
}

// Preview returns how step i reads in lang.
func (l *Lesson) Preview(i int, lang string) StepPreview {
	st := l.Steps[i]
	p := StepPreview{Key: l.StepKey(i), Kind: st.Kind, Media: st.Media}
	in := func(t Text) string { return t.In(l.Lang(lang), l.Fallback()) }
	switch b := st.body.(type) {
	case *quizStep:
		p.Text, p.Tags, p.Multi = in(b.question), append([]string(nil), b.tags...), b.multi
		pictured := b.pictured()
		for i, o := range b.options {
			p.Options = append(p.Options, in(o.text))
			if pictured {
				p.OptionMedia = append(p.OptionMedia, o.media)
				p.Labels = append(p.Labels, pictureLabel(i, in(o.text)))
			} else {
				p.Labels = append(p.Labels, OptionLabel(i, in(o.text)))
			}
		}
	case *askStep:
		p.Text = in(b.prompt)
	case registered:
		if pv, ok := b.body.(Previewer); ok {
			p.Text = pv.Preview(in)
		}
	case *endStep:
		p.Text = in(b.text)
	case *discussStep:
		p.Text = in(b.prompt)
	case *escalateStep:
		p.Text = in(b.note)
	case *waitStep:
		p.Text = b.d.String()
	case *gotoStep:
		p.Text = b.target
	}
	return p
}
