package flows

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// checklist is a program's own step kind: it posts a list of items, one
// message each, waits a pause and goes on.
var checklist = StepKind{
	Name: "checklist",
	Parse: func(p *StepParser, n *Node) StepBody {
		f := p.Mapping(n, "checklist", "items", "pause")
		if f == nil {
			return nil
		}
		var c checklistStep
		if f["items"] == nil {
			p.Errorf(n, "checklist: items are required")
			return nil
		}
		c.items = p.Text(f["items"], "checklist items")
		for lang, s := range c.items {
			if strings.TrimSpace(s) == "" {
				p.Errorf(f["items"], "checklist items (%s) are empty", lang)
			}
		}
		if f["pause"] != nil {
			c.pause, _ = p.Duration(f["pause"], "checklist pause")
		}
		return c
	},
}

type checklistStep struct {
	items Text
	pause time.Duration
}

func (c checklistStep) Enter(r *StepRun) StepOutcome {
	for i, item := range strings.Split(r.Text(c.items), ";") {
		r.Post("item-"+string(rune('a'+i)), "☐ "+strings.TrimSpace(item))
	}
	if c.pause > 0 {
		r.WakeAfter(c.pause)
		return StepOutcome{Wait: true}
	}
	return StepOutcome{}
}

// TestRegisteredKind: a kind a program registers is read from lesson
// files with its problems at their lines, refused by the built-in kinds
// alone, and run by the engine like a built-in one, in the run's
// language, its pause kept as a timer.
func TestRegisteredKind(t *testing.T) {
	kinds := NewKinds()
	if err := kinds.Register(checklist); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/kinds/handover.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("handover.yaml", data); err == nil || !strings.Contains(err.Error(), `handover.yaml:5: unknown key "checklist"`) {
		t.Errorf("the built-in kinds alone: %v, want the checklist refused at line 5", err)
	}
	l, err := kinds.Parse("handover.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{}
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	st, res := e.Start(l, 1, "fr", Input{Now: now})
	var got []string
	for _, m := range res.Messages {
		got = append(got, m.Text)
	}
	want := []string{"📘 Relève", "☐ Signes vitaux", "☐ Perfusions", "☐ Bilans en attente"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("started: %q, want %q", got, want)
	}
	if len(res.Timers) != 1 || !res.Timers[0].At.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("timers %+v, want one at +10m", res.Timers)
	}
	res = e.Handle(l, st, 1, Input{Kind: InputTimer, Seq: res.Timers[0].Seq, Now: now.Add(10 * time.Minute)})
	if len(res.Messages) == 0 || res.Messages[0].Text != "Bravo." {
		t.Errorf("after the pause: %+v, want the say step", res.Messages)
	}
	if p := l.Preview(1, "en"); p.Kind != "say" || p.Text != "Well done." {
		t.Errorf("preview of the say step: %+v", p)
	}

	lib, err := kinds.Load(fstest.MapFS{
		"handover.yaml": {Data: data},
		"broken.yaml":   {Data: must(os.ReadFile("testdata/kinds/broken.yaml"))},
	}, ".", "lessons")
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("load: %v, want problems", err)
	}
	wantPs := []string{
		"lessons/broken.yaml:5: checklist items is empty",
		"lessons/broken.yaml:6: checklist pause: bad duration",
		"lessons/broken.yaml:7: checklist must be a mapping",
	}
	for _, w := range wantPs {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("problems lack %q:\n%v", w, err)
		}
	}
	if _, ok := lib.Get("handover"); !ok || lib.Len() != 1 {
		t.Errorf("the valid lesson was not kept beside the broken one")
	}
}

// TestRegisterRefuses: a name taken or malformed, or a kind that cannot
// parse, is refused.
func TestRegisterRefuses(t *testing.T) {
	parse := func(*StepParser, *Node) StepBody { return nil }
	for _, k := range []StepKind{{Name: "say", Parse: parse}, {Name: "id", Parse: parse}, {Name: "Check-list", Parse: parse}, {Name: "checklist"}} {
		if err := NewKinds().Register(k); err == nil {
			t.Errorf("Register(%q) succeeded", k.Name)
		}
	}
	kinds := NewKinds()
	if err := kinds.Register(checklist); err != nil {
		t.Fatal(err)
	}
	if err := kinds.Register(checklist); err == nil {
		t.Error("a kind registered twice")
	}
	if names := NewKinds().Names(); strings.Join(names, ",") != "say,quiz,ask,wait,branch,goto,end,discuss,escalate" {
		t.Errorf("built-in kinds %v", names)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
