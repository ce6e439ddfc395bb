package flows

import (
	"slices"
	"testing"
)

func TestKey(t *testing.T) {
	l := mustParse(t, "quick.yaml", "../internal/testkit/huddletest/testdata/lessons/quick-quiz.yaml")
	rr, _ := l.StepIndex("rr")
	first, _ := l.StepIndex("first")
	if k, ok := l.Key(rr); !ok || k.Numeric == nil || *k.Numeric != 20 || k.Tolerance != 2 {
		t.Errorf("numeric key = %+v, %v", k, ok)
	}
	if k, ok := l.Key(first); !ok || k.Options != 3 || !slices.Equal(k.Correct, []int{2}) || k.Multi {
		t.Errorf("choice key = %+v, %v", k, ok)
	}
	if _, ok := l.Key(0); ok {
		t.Error("a say step has a key")
	}
	if _, ok := l.Key(99); ok {
		t.Error("a step past the end has a key")
	}
}
