package dashboard

import "testing"

// TestCount: a count is singular for one, in lessons and CPD hours.
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    any
		want string
	}{
		{1, "1 lesson"}, {2, "2 lessons"}, {0, "0 lessons"}, {1.0, "1 lesson"}, {1.5, "1.5 lessons"},
	} {
		if got := count(tc.n, "lesson", "lessons"); got != tc.want {
			t.Errorf("count(%v) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestAnswerText: the most given wrong answer reads as staff would say
// it: an option's text, a multi-select's options joined, one option alone
// of a multi-select marked so (it is wrong for what it leaves out), a
// typed answer as given.
func TestAnswerText(t *testing.T) {
	single := Step{Options: []string{"Before touching a patient", "After body fluid exposure risk"}}
	multi := Step{Options: []string{"Before touching a patient", "After writing notes", "Before a clean procedure"}, Multi: true}
	for _, tc := range []struct {
		step        Step
		value, want string
	}{
		{single, "2", "After body fluid exposure risk"},
		{multi, "1,3", "Before touching a patient + Before a clean procedure"},
		{multi, "3", "Before a clean procedure (alone)"},
		{single, "36", "36"},             // a number typed, not an option
		{multi, "1,9", "1,9"},            // out of range: as recorded
		{single, "hand rub", "hand rub"}, // typed text
		{single, "", ""},
	} {
		if got := answerText(tc.step, tc.value); got != tc.want {
			t.Errorf("answerText(%q) = %q, want %q", tc.value, got, tc.want)
		}
	}
}
