package flows

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// step is one input of a transcript script.
type step struct {
	who    int64         // member id; 0 for a timer
	text   string        // a message
	option string        // an option press: choice ("2", "s"), or full data when it starts with "q"
	seq    int           // for a timer: the step visit it was set for; -1 for the newest
	votes  []string      // a poll vote: the choices selected now ("2", "s"); non-nil when a vote
	after  time.Duration // for a timer of the newest visit: when it fires, after the start
}

var members = map[int64]Member{1: {ID: 1, Name: "Amina"}, 2: {ID: 2, Name: "Brigitte", Lang: "fr"}, 3: {ID: 3, Name: "Chinedu"}, 4: {ID: 4, Name: "Dembe"}}

const loopLesson = `
id: loop
title: "Loop"
steps:
  - id: top
    say: "Round and round."
  - goto: top
`

const pollLesson = `
id: multi
title: "Multi"
mode: group
steps:
  - id: m
    quiz:
      question: "Pick the even numbers."
      options: ["1", "2", "3", "4"]
      correct: [2, 4]
      timeout: 1h
  - end: "Bye."
`

const singleLesson = `
id: single
title: "Single"
mode: group
steps:
  - quiz:
      question: "First drug for PPH?"
      options: ["Oxytocin", "Ergometrine"]
      correct: 1
      timeout: 1h
  - end: "Bye."
`

func mustParse(t *testing.T, name, src string) *Lesson {
	t.Helper()
	if !strings.Contains(src, "\n") {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		src = string(data)
	}
	l, err := Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestTranscripts runs scripted inputs through the pure engine and
// compares what it returns with golden transcripts (go test -update).
func TestTranscripts(t *testing.T) {
	quick := "../internal/testkit/huddletest/testdata/lessons/quick-quiz.yaml"
	// The same lesson with the default feedback: verdicts to each member
	// alone, one summary per question in the group.
	data, err := os.ReadFile(quick)
	if err != nil {
		t.Fatal(err)
	}
	quiet := strings.Replace(string(data), "feedback: each\n", "", 1)
	solo := "../internal/testkit/huddletest/testdata/lessons/solo-quiz.yaml"
	tests := []struct {
		name   string
		lesson string
		active []int64
		script []step
	}{
		{"group-quiz", quick, []int64{1, 2, 3}, []step{
			{who: 1, text: "hello, is this the quiz?"}, // not a number: conversation
			{who: 1, text: "20"},
			{who: 2, text: "19,5"},
			{who: 1, text: "25"}, // answering twice
			{who: 3, text: "30 I think"},
			{who: 1, option: "2"},
			{who: 2, option: "q99.3.1"}, // another run's button
			{who: 2, option: "q1.2.1"},  // an old question's button
			{who: 2, option: "1"},
			{who: 0, seq: -1}, // the question times out
			{who: 3, text: "2"},
			{who: 0, seq: -1}, // the wait
		}},
		{"group-quiet", quiet, []int64{1, 2, 3}, []step{
			{who: 1, text: "hello, is this the quiz?"}, // not a number: conversation
			{who: 1, text: "20"},
			{who: 2, text: "19,5"},
			{who: 1, text: "25"}, // talk after answering: left alone
			{who: 3, text: "30 I think"},
			{who: 1, option: "2"},
			{who: 1, option: "1"}, // pressing again: answered already, to her alone
			{who: 2, option: "1"},
			{who: 3, option: "1"}, // the same wrong answer twice: in the summary
			{who: 0, seq: -1},     // the wait
		}},
		{"close-early", strings.Replace(quiet, "mode: group\n", "mode: group\nclose_when: {answered: 60%, quiet: 5m}\n", 1), []int64{1, 2, 3, 4, 5}, []step{
			{who: 1, text: "20"},
			{who: 2, text: "18"}, // 2 of 5: not enough yet
			{who: 3, text: "30"}, // 3 of 5: a check is asked for, 5m on
			{who: 4, text: "19"}, // another answer meanwhile
			{who: 0, seq: -1},    // the check: not quiet for 5m yet, so a later one
			{who: 0, seq: -1},    // quiet for 5m: the question closes early
		}},
		{"group-timeout", quick, []int64{1, 2, 3}, []step{
			{who: 1, text: "20"},
			{who: 0, seq: -1}, // only Amina answered in time
			{who: 2, option: "2"},
			{who: 0, seq: -1},
			{who: 0, seq: -1},
		}},
		{"direct", solo, nil, []step{
			{who: 1, text: "Maternity, ward 3"},
			{who: 1, text: "  SYNTOCINON "},
			{who: 1, text: "more chat after the end"},
		}},
		{"direct-wrong", solo, nil, []step{
			{who: 1, text: "Paediatrics"},
			{who: 1, text: "misoprostol"},
		}},
		{"multi-select", pollLesson, []int64{1, 2}, []step{
			{who: 1, option: "2"},
			{who: 1, option: "3"},
			{who: 1, option: "3"}, // toggled off again
			{who: 1, option: "4"},
			{who: 1, option: "s"},
			{who: 2, text: "B, C"},
		}},
		{"poll-multi", pollLesson, []int64{1, 2}, []step{
			{who: 1, votes: []string{"2"}},
			{who: 1, votes: []string{"2", "4"}},
			{who: 1, votes: []string{"4"}}, // changed: 2 deselected
			{who: 1, votes: []string{"2", "4", "s"}},
			{who: 1, votes: []string{"2", "4"}}, // after scoring: already answered
			{who: 2, votes: []string{}},         // withdrawn before anything: nothing
			{who: 2, votes: []string{"3", "s"}},
		}},
		{"poll-single", singleLesson, []int64{1, 2, 3}, []step{
			{who: 1, votes: []string{"2"}},
			{who: 1, votes: []string{"1"}}, // a changed vote does not rescore
			{who: 2, votes: []string{}},
			{who: 2, votes: []string{"1"}},
			{who: 3, votes: []string{"1", "2"}}, // two picks in a single-choice poll: refused
			{who: 3, votes: []string{"q1.9.1"}}, // another question's poll
		}},
		// Typed (SMS): the hints ask for numbers typed, a multi-select
		// has no Done, and one reply of numbers is the whole answer.
		{"multi-typed", pollLesson, []int64{1, 2}, []step{
			{who: 1, text: "2"},
			{who: 2, text: "2 4"},
		}},
		{"single-typed", singleLesson, []int64{1, 2}, []step{
			{who: 1, text: "1"},
			{who: 2, option: "2"},
		}},
		{"runaway", loopLesson, nil, nil},
		{"reminder", singleLesson, []int64{1, 2, 3}, []step{
			{who: 1, option: "1"},
			{who: 0, after: 40 * time.Minute}, // 20 minutes before it closes: 1 of 3 answered
			{who: 0, after: 41 * time.Minute}, // once only
			{who: 2, option: "2"},
			{who: 0, after: time.Hour}, // closes
		}},
		{"reminder-all-answered", singleLesson, []int64{1, 2}, []step{
			{who: 1, option: "1"},
			{who: 2, option: "1"}, // every one answered: it closes, nothing to remind
			{who: 0, after: 40 * time.Minute},
		}},
		{"reminder-quiet", singleLesson, []int64{1, 2, 3}, []step{
			{who: 1, option: "1"},
			{who: 0, after: 40 * time.Minute}, // in quiet hours: no reminder
			{who: 0, after: time.Hour},
		}},
	}
	// The reminder's transcripts remind 20 minutes before a question
	// closes; the last in quiet hours.
	remind := map[string]bool{"reminder": false, "reminder-all-answered": false, "reminder-quiet": true}
	// The typed transcripts' members type options (SMS).
	typed := map[string]bool{"multi-typed": true, "single-typed": true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustParse(t, tt.name+".yaml", tt.lesson)
			e := &Engine{MaxSteps: 20}
			if quiet, ok := remind[tt.name]; ok {
				e.Remind = 20 * time.Minute
				e.Quiet = func(time.Time) bool { return quiet }
			}
			now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
			var b strings.Builder
			const runID = 1
			list := func() []int64 { return tt.active }
			st, res := e.Start(l, runID, "", Input{Now: now, Member: members[1], Members: list, Typed: typed[tt.name]})
			var timers []TimerReq
			write := func(res Result) {
				for _, m := range res.Messages {
					fmt.Fprintf(&b, "< [%d/%s]", m.Seq, m.Tag)
					switch {
					case m.React != "":
						fmt.Fprintf(&b, " (reaction on %s) %s\n", m.ReplyTo, m.React)
						continue
					case m.PressID != "":
						fmt.Fprintf(&b, " (to the presser alone)")
					case m.ReplyTo != "":
						fmt.Fprintf(&b, " (reply to %s)", m.ReplyTo)
					}
					fmt.Fprintf(&b, " %s\n", strings.ReplaceAll(m.Text, "\n", "\n    "))
					for _, o := range m.Options {
						fmt.Fprintf(&b, "    [%s] %s\n", o.Data, o.Label)
					}
				}
				for _, tm := range res.Timers {
					fmt.Fprintf(&b, "~ timer for step visit %d at +%s\n", tm.Seq, tm.At.Sub(now))
				}
				for _, a := range res.Answers {
					fmt.Fprintf(&b, "= member %d %s %q correct=%v %g/%g\n", a.MemberID, a.StepID, a.Value, a.Correct, a.Points, a.MaxPoints)
				}
				if !res.Handled {
					fmt.Fprintf(&b, "  (not handled)\n")
				}
				timers = append(timers, res.Timers...)
			}
			write(res)
			for i, s := range tt.script {
				in := Input{Now: now.Add(time.Duration(i+1) * time.Minute), Members: list, Typed: typed[tt.name]}
				switch {
				case s.who == 0:
					in.Kind, in.Seq = InputTimer, s.seq
					if s.seq == -1 && len(timers) > 0 {
						in.Seq = timers[len(timers)-1].Seq
						in.Now = timers[len(timers)-1].At
					}
					if s.after > 0 {
						in.Seq, in.Now = st.Seq, now.Add(s.after)
					}
					fmt.Fprintf(&b, "\n> timer for step visit %d\n", in.Seq)
				case s.votes != nil:
					in.Kind, in.Member, in.MessageID = InputVote, members[s.who], fmt.Sprintf("m%d", i)
					in.Choices = []string{}
					for _, v := range s.votes {
						if !strings.HasPrefix(v, "q") {
							v = optionData(runID, st.Seq, v)
						}
						in.Choices = append(in.Choices, v)
					}
					fmt.Fprintf(&b, "\n> %s votes %v\n", members[s.who].Name, in.Choices)
				case s.option != "":
					data := s.option
					if !strings.HasPrefix(data, "q") {
						data = optionData(runID, st.Seq, data)
					}
					in.Kind, in.Member, in.Option, in.MessageID = InputOption, members[s.who], data, fmt.Sprintf("m%d", i)
					in.PressID = fmt.Sprintf("cb%d", i)
					fmt.Fprintf(&b, "\n> %s presses %s\n", members[s.who].Name, data)
				default:
					in.Kind, in.Member, in.Text, in.MessageID = InputText, members[s.who], s.text, fmt.Sprintf("m%d", i)
					fmt.Fprintf(&b, "\n> %s: %s\n", members[s.who].Name, s.text)
				}
				write(e.Handle(l, st, runID, in))
			}
			fmt.Fprintf(&b, "\nstatus %s at step %d (visit %d)\n", st.Status, st.Step, st.Seq)
			golden(t, filepath.Join("testdata", "transcripts", tt.name+".txt"), b.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s:\n%s", path, got)
	}
}

// TestAnswerTouchesOneMember: in a group of 200 a question's opening
// touches every member's part it waits for, each answer its member's
// alone, and the close those who did not answer: what an answer writes
// does not grow with the group.
func TestAnswerTouchesOneMember(t *testing.T) {
	l := mustParse(t, "two.yaml", `
id: two
title: Two
mode: group
steps:
  - quiz: {question: "Rate?", numeric: {answer: 20}, timeout: 1h}
  - quiz: {question: "Pulse?", numeric: {answer: 80}, timeout: 1h}
`)
	const size = 200
	ids := make([]int64, size)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	in := func(who int64, text string) Input {
		return Input{Now: now, Kind: InputText, Member: Member{ID: who}, Text: text, MessageID: fmt.Sprint("m", who),
			Members: func() []int64 { return ids }}
	}
	e := &Engine{}
	st, _ := e.Start(l, 1, "", Input{Now: now, Members: func() []int64 { return ids }})
	if got := st.Touched(); len(got) != size {
		t.Fatalf("opening the question touched %d parts; want %d", len(got), size)
	}
	for _, who := range []int64{7, 8, 7} {
		e.Handle(l, st, 1, in(who, "20"))
		if got := st.Touched(); !slices.Equal(got, []int64{who}) && !(who == 7 && len(got) == 0) {
			t.Errorf("member %d's answer touched %v", who, got)
		}
	}
	if st.Open.Count != 2 || st.Open.Left != size-2 || st.Open.Waiting != size {
		t.Errorf("open %+v; want 2 answered, %d left of %d", st.Open, size-2, size)
	}
	// The timeout closes it: the 198 silent members' parts note it as
	// missed, and the next question's opening waits for everyone.
	res := e.Handle(l, st, 1, Input{Now: now.Add(time.Hour), Kind: InputTimer, Seq: st.Seq, Members: func() []int64 { return ids }})
	if len(res.Answers) != 0 {
		t.Errorf("closing scored %d answers; the silent have not taken part", len(res.Answers))
	}
	if got := st.Touched(); len(got) != size {
		t.Errorf("closing and opening touched %d parts; want %d", len(got), size)
	}
	if m := st.Members[9]; m.Joined || !slices.Equal(m.Missed, []int{0}) {
		t.Errorf("a silent member's part %+v; want the first question missed", m)
	}
	// Member 9 takes part now: scored zero on the missed question.
	res = e.Handle(l, st, 1, in(9, "80"))
	if len(res.Answers) != 2 || res.Answers[0].Value != "" || res.Answers[0].MaxPoints != 1 || !res.Answers[1].Correct {
		t.Errorf("a late first answer recorded %+v; want the missed question at zero, then the answer", res.Answers)
	}
	if m := st.Members[9]; m.Max != 2 || m.Points != 1 || len(m.Missed) != 0 {
		t.Errorf("part %+v; want 1 of 2", m)
	}
}

// TestLegacyState: a run begun before members' parts had rows of their
// own has them in its document (testdata/legacy-state.json): decoded, each
// member's part holds what the document said about them, and every part
// is touched so that the next save moves it to its row.
func TestLegacyState(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "legacy-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := decodeState(1, raw)
	if err != nil {
		t.Fatal(err)
	}
	if o := st.Open; o == nil || o.Seq != 3 || o.Waiting != 3 || o.Left != 2 || o.Count != 1 || o.Correct != 1 {
		t.Errorf("open %+v; want 3 waited for, 1 answered, 2 left", st.Open)
	}
	for _, tc := range []struct {
		id   int64
		want MemberState
	}{
		{1, MemberState{Points: 2, Max: 2, Correct: 2, Joined: true, Waited: 3, Answered: 3}},
		{2, MemberState{Points: 0, Max: 1, Joined: true, Waited: 3, Picks: []int{0, 2}, PickSeq: 3}},
		{3, MemberState{Waited: 3, Missed: []int{0}}},
	} {
		m := st.Members[tc.id]
		if m == nil || fmt.Sprintf("%+v", *m) != fmt.Sprintf("%+v", tc.want) {
			t.Errorf("member %d: %+v; want %+v", tc.id, m, tc.want)
		}
	}
	if got := st.Touched(); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("touched %v; want every member", got)
	}
	// Saved again, the document no longer holds members.
	head, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(head), "members") || strings.Contains(string(head), "expect") {
		t.Errorf("saved document %s still holds members", head)
	}
}

// TestAcceptedAnswerInLanguage: a free-text question's accepted answers
// may be given per language; every one is accepted, and a wrong answer is
// told the first in the member's language.
func TestAcceptedAnswerInLanguage(t *testing.T) {
	l := mustParse(t, "txa.yaml", `
id: txa
title: {en: "TXA", fr: "ATX"}
languages: [en, fr]
mode: direct
steps:
  - quiz:
      question: {en: "Drug given with oxytocin?", fr: "Médicament donné avec l'ocytocine ?"}
      accept: {en: [tranexamic acid, txa], fr: [acide tranexamique, atx]}
  - end: "."
`)
	now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	for _, tc := range []struct{ lang, wrong, right string }{
		{"fr", "La réponse : acide tranexamique.", "ATX"},
		{"en", "The answer: tranexamic acid.", "Acide  Tranexamique"},
	} {
		e := &Engine{}
		m := Member{ID: 1, Name: "Amina", Lang: tc.lang}
		for _, answer := range []string{"misoprostol", tc.right} {
			st, _ := e.Start(l, 1, tc.lang, Input{Now: now, Member: m})
			res := e.Handle(l, st, 1, Input{Now: now, Kind: InputText, Member: m, Text: answer, MessageID: "m1"})
			if len(res.Answers) != 1 {
				t.Fatalf("%s %q: answers %+v", tc.lang, answer, res.Answers)
			}
			correct := answer == tc.right
			if res.Answers[0].Correct != correct {
				t.Errorf("%s %q: correct %v, want %v", tc.lang, answer, res.Answers[0].Correct, correct)
			}
			if !correct && !strings.Contains(res.Messages[0].Text, tc.wrong) {
				t.Errorf("%s: feedback %q, want %q", tc.lang, res.Messages[0].Text, tc.wrong)
			}
		}
	}
}
