package flows

import (
	"testing"

	"github.com/huddlebot/huddle/lessons"
)

// TestQuestionCheck: a review question judges typed answers as the
// lesson's quiz does, for each kind, and says when a reply is no answer
// of its kind.
func TestQuestionCheck(t *testing.T) {
	lib, err := Load(lessons.FS, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lesson, key, lang, text string
		kind                    string
		right, ok               bool
	}{
		{"hand-hygiene", "q1", "en", "2", QuestionChoice, true, true},
		{"hand-hygiene", "q1", "en", "b", QuestionChoice, true, true},
		{"hand-hygiene", "q1", "en", "Before touching a patient", QuestionChoice, false, true},
		{"hand-hygiene", "q1", "en", "1 2", QuestionChoice, false, false}, // one option only
		{"hand-hygiene", "q2", "en", "4, 3 1", QuestionChoice, true, true},
		{"hand-hygiene", "q2", "en", "1 3", QuestionChoice, false, true},
		{"hand-hygiene", "q2", "en", "all of them", QuestionChoice, false, false},
		{"hand-hygiene", "q3", "en", "28 seconds", QuestionNumber, true, true},
		{"hand-hygiene", "q3", "en", "19,5", QuestionNumber, false, true},
		{"hand-hygiene", "q3", "en", "half a minute", QuestionNumber, false, false},
		{"pph-first-hour", "name-it", "en", "  TXA ", QuestionText, true, true},
		{"pph-first-hour", "name-it", "fr", "Acide tranexamique", QuestionText, true, true},
		{"pph-first-hour", "name-it", "en", "oxytocin", QuestionText, false, true},
		{"pph-first-hour", "name-it", "en", " ", QuestionText, false, false},
	}
	for _, tt := range tests {
		l, _ := lib.Get(tt.lesson)
		q, found := l.Question(tt.key, tt.lang)
		if !found || q.Kind != tt.kind {
			t.Fatalf("%s %s: found %v, kind %q", tt.lesson, tt.key, found, q.Kind)
		}
		if right, ok := q.Check(tt.text); right != tt.right || ok != tt.ok {
			t.Errorf("%s %s %q: right %v ok %v; want %v %v", tt.lesson, tt.key, tt.text, right, ok, tt.right, tt.ok)
		}
	}
	if q, _ := lib.byID["hand-hygiene"].Question("q3", "en"); q.Answer != "25 ± 5" {
		t.Errorf("numeric answer shown %q", q.Answer)
	}
}
