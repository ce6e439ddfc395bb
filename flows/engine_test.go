package flows

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// step is one input of a transcript script.
type step struct {
	who    int64    // member id; 0 for a timer
	text   string   // a message
	option string   // an option press: choice ("2", "s"), or full data when it starts with "q"
	seq    int      // for a timer: the step visit it was set for; -1 for the newest
	votes  []string // a poll vote: the choices selected now ("2", "s"); non-nil when a vote
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
	quick := "../internal/huddletest/testdata/lessons/quick-quiz.yaml"
	// The same lesson with the default feedback: verdicts to each member
	// alone, one summary per question in the group.
	data, err := os.ReadFile(quick)
	if err != nil {
		t.Fatal(err)
	}
	quiet := strings.Replace(string(data), "feedback: each\n", "", 1)
	solo := "../internal/huddletest/testdata/lessons/solo-quiz.yaml"
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
		{"runaway", loopLesson, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustParse(t, tt.name+".yaml", tt.lesson)
			e := &Engine{MaxSteps: 20}
			now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
			var b strings.Builder
			const runID = 1
			list := func() []int64 { return tt.active }
			st, res := e.Start(l, runID, "", Input{Now: now, Member: members[1], Members: list})
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
				in := Input{Now: now.Add(time.Duration(i+1) * time.Minute), Members: list}
				switch {
				case s.who == 0:
					in.Kind, in.Seq = InputTimer, s.seq
					if s.seq == -1 && len(timers) > 0 {
						in.Seq = timers[len(timers)-1].Seq
						in.Now = timers[len(timers)-1].At
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

// TestCloneIsDeep: the engine changes a clone of a cached state; the cached
// one must not change with it.
func TestCloneIsDeep(t *testing.T) {
	st := &State{Lesson: "l", Step: 2, Members: map[int64]*MemberState{1: {Points: 1, Answers: map[string]string{"q": "1"}}},
		Open: &Open{Seq: 3, Expect: []int64{1, 2}, Answered: map[int64]bool{1: true}, Picks: map[int64][]int{1: {0, 2}}}, Vars: map[string]string{"v": "x"}}
	c := st.clone()
	c.Step = 5
	c.Members[1].Points = 9
	c.Members[1].Answers["q"] = "2"
	c.Members[2] = &MemberState{}
	c.Open.Answered[2] = true
	c.Open.Picks[1][0] = 7
	c.Open.Expect[0] = 9
	c.Vars["v"] = "y"
	if st.Step != 2 || st.Members[1].Points != 1 || st.Members[1].Answers["q"] != "1" || len(st.Members) != 1 ||
		len(st.Open.Answered) != 1 || st.Open.Picks[1][0] != 0 || st.Open.Expect[0] != 1 || st.Vars["v"] != "x" {
		t.Errorf("changing the clone changed the original: %+v %+v %+v", st, st.Members[1], st.Open)
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
