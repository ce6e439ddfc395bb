package flows

import (
	"fmt"
	"testing"
	"time"
)

// TestNumbersTyped: in a group, a typed number answers a numeric question
// when it stands alone or with a short unit; a message that merely starts
// with a number is talk, left to the group (before, "2 patients waiting"
// was taken for the answer 2, and its sender could not answer again). In
// private, any reply starting with a number is the answer.
func TestNumbersTyped(t *testing.T) {
	tests := []struct {
		text  string
		group bool    // taken as the answer in a group
		value float64 // the number read
	}{
		{"20", true, 20},
		{" 20.5 ", true, 20.5},
		{"20,5", true, 20.5},
		{"20/min", true, 20},
		{"20 per minute", true, 20},
		{"37.5 °C", true, 37.5},
		{"-2", true, -2},
		{"2 patients waiting, back soon", false, 2},
		{"5 minutes late sorry", false, 5},
		{"3 of us today!", false, 3},
		{"about 20", false, 0},
		{"", false, 0},
	}
	for _, tc := range tests {
		v, ok := groupNumber(tc.text)
		if ok != tc.group || (ok && v != tc.value) {
			t.Errorf("in a group %q: %v, %v; want %v, %v", tc.text, v, ok, tc.value, tc.group)
		}
		v, ok = parseNumber(tc.text)
		if want := tc.value != 0 || tc.text == "0"; ok != want || (ok && v != tc.value) {
			t.Errorf("in private %q: %v, %v; want %v, %v", tc.text, v, ok, tc.value, want)
		}
	}

	// Through the engine: the talk is left alone, and its sender answers
	// after it.
	l := mustParse(t, "rate.yaml", `
id: rate
title: Rate
mode: group
steps:
  - quiz: {question: "Normal adult respiratory rate, per minute?", numeric: {answer: 16, tolerance: 4}, timeout: 1h}
`)
	ids := []int64{1, 2}
	now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	in := func(who int64, text string) Input {
		return Input{Now: now, Kind: InputText, Member: Member{ID: who}, Text: text, MessageID: fmt.Sprint("m", who, text),
			Members: func() []int64 { return ids }}
	}
	e := &Engine{}
	st, _ := e.Start(l, 1, "", Input{Now: now, Members: func() []int64 { return ids }})
	if res := e.Handle(l, st, 1, in(1, "2 patients waiting, back soon")); len(res.Answers) != 0 || st.Open.Count != 0 {
		t.Errorf("talk in the group taken for an answer: %+v, %d answered", res.Answers, st.Open.Count)
	}
	res := e.Handle(l, st, 1, in(1, "18 per minute"))
	if len(res.Answers) != 1 || !res.Answers[0].Correct || res.Answers[0].Value != "18" {
		t.Errorf("the answer after the talk: %+v; want 18, right", res.Answers)
	}
}
