package flows

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// estimate is a program's own question type: members estimate a number,
// right when within a margin of the answer, or press "I don't know". It
// takes and scores answers through the public API alone.
var estimate = StepKind{
	Name: "estimate",
	Parse: func(p *StepParser, n *Node) StepBody {
		f := p.Mapping(n, "estimate", "prompt", "answer", "within", "points")
		if f == nil {
			return nil
		}
		var e estimateStep
		for _, key := range []string{"prompt", "answer"} {
			if f[key] == nil {
				p.Errorf(n, "estimate needs %s", key)
			}
		}
		if f["prompt"] != nil {
			e.prompt = p.Text(f["prompt"], "estimate prompt")
		}
		if f["answer"] != nil {
			e.answer, _ = p.Number(f["answer"], "estimate answer")
		}
		e.within, e.points = 0, 1
		if f["within"] != nil {
			e.within, _ = p.Number(f["within"], "estimate within")
		}
		if f["points"] != nil {
			e.points, _ = p.Number(f["points"], "estimate points")
		}
		return e
	},
}

type estimateStep struct {
	prompt                 Text
	answer, within, points float64
}

func (e estimateStep) Enter(r *StepRun) StepOutcome {
	// The run and the visit name the question, as a program might in its
	// own records.
	r.Post("q", fmt.Sprintf("%s [%d.%d]", r.Text(e.prompt), r.RunID(), r.Seq()), r.Option("I don't know", "skip"))
	return r.Open(time.Hour)
}

func (e estimateStep) Answer(r *StepRun) bool {
	a := r.Answer()
	if r.Answered() {
		return false
	}
	if len(a.Choices) == 1 && a.Choices[0] == "skip" {
		r.Record("skip", false, 0, e.points)
		return true
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(a.Text), " mL"), 64)
	if err != nil {
		return false // chatter, not an estimate
	}
	right := v >= e.answer-e.within && v <= e.answer+e.within
	points := 0.0
	if right {
		points = e.points
	}
	r.Record(strconv.FormatFloat(v, 'f', -1, 64), right, points, e.points)
	r.Reply("est", "noted")
	return true
}

func (e estimateStep) Close(r *StepRun, timedOut bool) {
	n, right := r.Tally()
	r.Post("close", fmt.Sprintf("%d answered, %d within %g mL of %g (timed out: %v).", n, right, e.within, e.answer, timedOut))
}

// TestAnswererKind: a registered step kind takes answers as a quiz does.
// It sees its run id and step counter, opens for answers, takes a text
// and a press of its own option (a press for another visit is not
// offered), records scored answers, ignores chatter and second answers,
// closes when everyone waited for has answered, with its tally, and the
// run's score counts its points.
func TestAnswererKind(t *testing.T) {
	kinds := NewKinds()
	if err := kinds.Register(estimate); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/kinds/estimate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := kinds.Parse("estimate.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{1, 2, 3}
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	in := func(id int64, kind InputKind) Input {
		return Input{Kind: kind, Member: Member{ID: id, Name: fmt.Sprint("M", id)}, MessageID: fmt.Sprint("m", id), Now: now,
			Members: func() []int64 { return ids }}
	}
	e := &Engine{}
	st, res := e.Start(l, 7, "en", Input{Now: now, Members: func() []int64 { return ids }})
	q := res.Messages[len(res.Messages)-1]
	if !strings.Contains(q.Text, "How much blood is on this pad, in mL? [7.") || len(q.Options) != 1 {
		t.Fatalf("the question: %+v", q)
	}
	if st.Open == nil {
		t.Fatal("the step did not open for answers")
	}

	var answers []bot.Answer
	give := func(i Input, wantHandled bool) Result {
		t.Helper()
		r := e.Handle(l, st, 7, i)
		if r.Handled != wantHandled {
			t.Errorf("member %d (%v %q %q): handled %v, want %v", i.Member.ID, i.Kind, i.Text, i.Option, r.Handled, wantHandled)
		}
		answers = append(answers, r.Answers...)
		return r
	}
	text := func(id int64, s string) Input { i := in(id, InputText); i.Text = s; return i }
	give(text(1, "what a mess"), false) // chatter
	give(text(1, "280 mL"), true)
	give(text(1, "300"), false) // a second answer
	stale := in(2, InputOption)
	stale.Option = optionData(7, st.Seq+1, "skip")
	give(stale, false) // another visit's option
	give(text(2, "120"), true)
	press := in(3, InputOption)
	press.Option = q.Options[0].Data
	r := give(press, true)

	var said []string
	for _, m := range r.Messages {
		said = append(said, m.Text)
	}
	if !strings.Contains(strings.Join(said, "|"), "3 answered, 1 within 50 mL of 250 (timed out: false).") ||
		!strings.Contains(strings.Join(said, "|"), "Under-estimating is the commonest mistake.") {
		t.Errorf("after the last answer: %q, want the tally and the next step", said)
	}
	got := map[int64]string{}
	for _, a := range answers {
		got[a.MemberID] = fmt.Sprintf("%s %v %g/%g", a.Value, a.Correct, a.Points, a.MaxPoints)
	}
	want := map[int64]string{1: "280 true 2/2", 2: "120 false 0/2", 3: "skip false 0/2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answers %v, want %v", got, want)
	}
	if m := st.Members[1]; m == nil || m.Points != 2 || m.Max != 2 {
		t.Errorf("member 1's score in the run: %+v", m)
	}
}
