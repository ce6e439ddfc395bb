package flows

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
	k := QuizKey{Options: len(q.options), Multi: q.multi, Accept: append([]string(nil), q.accept...)}
	for _, c := range q.correct {
		k.Correct = append(k.Correct, c+1)
	}
	if q.numeric != nil {
		a := q.numeric.answer
		k.Numeric, k.Tolerance = &a, q.numeric.tolerance
	}
	return k, true
}
