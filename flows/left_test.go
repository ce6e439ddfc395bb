package flows

import (
	"testing"
	"time"
)

// TestLeftNotWaitedFor: a group question stops waiting for a member who
// left. Each case opens "Rate?" for the members the store lists, in a
// group of the size the platform says, plays the script (a number answers;
// "left" is the member leaving, the platform's size then being the one
// given), and checks whether the question closed and what it counts.
func TestLeftNotWaitedFor(t *testing.T) {
	l := mustParse(t, "two.yaml", `
id: two
title: Two
mode: group
steps:
  - quiz: {question: "Rate?", numeric: {answer: 20}, timeout: 1h}
  - quiz: {question: "Pulse?", numeric: {answer: 80}, timeout: 1h}
`)
	type act struct {
		who  int64
		left bool
		size int // the group's size after a leave
	}
	tests := []struct {
		name    string
		seen    []int64
		size    int
		script  []act
		closed  bool
		waiting int // when still open
	}{
		{"the last one waited for leaves", []int64{1, 2, 3}, 3,
			[]act{{who: 1}, {who: 2}, {who: 3, left: true, size: 2}}, true, 0},
		{"told twice, counted once", []int64{1, 2, 3, 4}, 4,
			[]act{{who: 1}, {who: 4, left: true, size: 3}, {who: 4, left: true, size: 3}}, false, 3},
		{"an answer stands after its member leaves", []int64{1, 2, 3}, 3,
			[]act{{who: 1}, {who: 1, left: true, size: 2}, {who: 2}}, false, 3},
		{"one never seen leaves: the size alone", []int64{1}, 3,
			[]act{{who: 1}, {who: 9, left: true, size: 2}, {who: 8, left: true, size: 1}}, true, 0},
		{"a leave before anyone answered", []int64{1, 2}, 2,
			[]act{{who: 2, left: true, size: 1}}, false, 1},
		{"then the one left answers", []int64{1, 2}, 2,
			[]act{{who: 2, left: true, size: 1}, {who: 1}}, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
			size := tc.size
			in := Input{Now: now, Members: func() []int64 { return tc.seen }, Size: func() int { return size }}
			e := &Engine{}
			st, _ := e.Start(l, 1, "", in)
			first := st.Seq
			for _, a := range tc.script {
				in := in
				in.Member = Member{ID: a.who}
				if a.left {
					size = a.size
					in.Kind = InputLeft
				} else {
					in.Kind, in.Text, in.MessageID = InputText, "20", "m"
				}
				e.Handle(l, st, 1, in)
			}
			if closed := st.Seq != first; closed != tc.closed {
				t.Fatalf("closed = %v, want %v (open %+v)", closed, tc.closed, st.Open)
			}
			if !tc.closed && st.Open.Waiting != tc.waiting {
				t.Errorf("waiting for %d, want %d (open %+v)", st.Open.Waiting, tc.waiting, st.Open)
			}
		})
	}
}
