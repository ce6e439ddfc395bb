package learning_test

import (
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
)

// harness is Huddle on the simulator.
type harness struct{ *simtest.Bot }

func start(t *testing.T) *harness { return startWith(t, huddletest.Options{}) }

func startWith(t *testing.T, opts huddletest.Options) *harness {
	return &harness{simtest.Start(t, opts)}
}

func TestReplaceAsksFirst(t *testing.T) {
	h := start(t)
	h.Say("ward-2", "brigitte", "hello", 0)
	first := h.Say("ward-2", "amina", "/lesson hand-hygiene", 3)
	if !strings.Contains(first[0].Text, "Hand hygiene") {
		t.Fatalf("lesson did not start: %q", simtest.Texts(first))
	}
	ask := h.Say("ward-2", "brigitte", "/lesson quick-quiz", 1)
	if !strings.Contains(ask[0].Text, "is still running here. Stop it and start Quick triage quiz from the beginning?") || len(ask[0].Options) != 2 {
		t.Fatalf("replace question = %+v", ask[0])
	}
	// The same lesson again: the question says it starts again.
	again := h.Say("ward-2", "brigitte", "/lesson hand-hygiene", 1)
	if !strings.Contains(again[0].Text, "Start it again from the beginning?") || strings.Contains(again[0].Text, "Replace") ||
		len(again[0].Options) != 2 || again[0].Options[0].Label != "Yes, start again" {
		t.Errorf("restart question = %+v", again[0])
	}
	yes, no := ask[0].Options[0].Data, ask[0].Options[1].Data
	kept := h.Choose("ward-2", "amina", ask[0].ID, no, 1)
	if !strings.Contains(kept[0].Text, "continues") {
		t.Errorf("keep = %q", kept[0].Text)
	}
	replaced := h.Choose("ward-2", "brigitte", ask[0].ID, yes, 4) // stopped, title, intro, first question
	if !strings.Contains(replaced[0].Text, "stopped") || !strings.Contains(replaced[1].Text, "Quick triage quiz") {
		t.Errorf("replace = %q", simtest.Texts(replaced))
	}
	// The question is now stale.
	stale := h.Choose("ward-2", "amina", ask[0].ID, yes, 1)
	if !strings.Contains(stale[0].Text, "expired") {
		t.Errorf("stale replace = %q", stale[0].Text)
	}
	// A button of the stopped lesson is closed.
	q := first[len(first)-1]
	if len(q.Options) == 0 {
		t.Fatalf("no options on %q", q.Text)
	}
	old := h.Choose("ward-2", "amina", q.ID, q.Options[0].Data, 1)
	if !strings.Contains(old[0].Text, "closed") {
		t.Errorf("old button = %q", old[0].Text)
	}
}

// TestAssign covers /assign and /unassign: who may, where, what the group
// is told, and the scheduled starts themselves on a fake clock: on time,
// and skipped when the start passed long ago while the bot was down.
func TestAssign(t *testing.T) {
	h := startWith(t, huddletest.Options{Staff: []bot.StaffRef{{Channel: "sim", ID: "lead"}}})
	const g = "g-assign"
	// The clock starts on Monday 2 March 2026, 08:30 UTC.
	steps := []struct {
		chat, who, text string
		want            string
	}{
		{g, "amina", "/assign weekly-check", "Only program staff and the group's admins"},
		{"dm-lead", "lead", "/assign weekly-check", "Send /assign in the group"},
		{g, "lead", "/assign", "No lessons or courses are assigned"},
		{g, "lead", "/assign no-such-lesson", "There is no lesson or course called"},
		{g, "lead", "/assign solo-quiz", "is taken one to one"},
		{g, "lead", "/assign weekly-check", "starts by itself mon, wed, fri at 08:30 (UTC), next on Wed 4 Mar 08:30"},
		{g, "lead", "/assign", "Weekly check-in (weekly-check): Wed 4 Mar 08:30"},
	}
	for _, st := range steps {
		got := h.Say(st.chat, st.who, st.text, 1)
		if !strings.Contains(got[0].Text, st.want) {
			t.Fatalf("%s says %q: got %q; want %q", st.who, st.text, got[0].Text, st.want)
		}
	}
	// Wednesday 08:30: the lesson starts by itself, and runs to its end.
	before := h.Last(g)
	h.App.Clock.Advance(48 * time.Hour)
	got := h.Replies(g, before, 3)
	if !strings.Contains(got[0].Text, "Weekly check-in") || !strings.Contains(got[2].Text, "see you next time") {
		t.Fatalf("Wednesday's start: %q", simtest.Texts(got))
	}
	if reply := h.Say(g, "lead", "/assign", 1); !strings.Contains(reply[0].Text, "Fri 6 Mar 08:30") {
		t.Fatalf("after Wednesday: %q; want the next start on Friday", reply[0].Text)
	}
	// Friday 10:00 after an outage: the 08:30 start is skipped, not posted
	// late, and the next one is Monday's.
	before = h.Last(g)
	h.App.Clock.Advance(49*time.Hour + 30*time.Minute)
	if extra := h.Replies(g, before, 0); len(extra) != 0 {
		t.Fatalf("a start 1h30 late was posted: %q", simtest.Texts(extra))
	}
	if reply := h.Say(g, "lead", "/assign", 1); !strings.Contains(reply[0].Text, "Mon 9 Mar 08:30") {
		t.Fatalf("after the missed start: %q; want Monday's", reply[0].Text)
	}
	for _, st := range []struct{ text, want string }{
		{"/unassign weekly-check", "will no longer start by itself"},
		{"/unassign weekly-check", "is not assigned to this group"},
		{"/unassign", "Which lesson?"},
	} {
		if reply := h.Say(g, "lead", st.text, 1); !strings.Contains(reply[0].Text, st.want) {
			t.Fatalf("%q: got %q; want %q", st.text, reply[0].Text, st.want)
		}
	}
	before = h.Last(g)
	h.App.Clock.Advance(72 * time.Hour)
	for _, m := range h.Replies(g, before, 0) {
		// Monday's weekly summary may come; no lesson may.
		if !strings.HasPrefix(m.Text, "📊") {
			t.Fatalf("an unassigned lesson started: %q", m.Text)
		}
	}
}

// TestProgressSaysPassed: /progress says of each finished lesson with a
// pass mark whether the member passed it.
func TestProgressSaysPassed(t *testing.T) {
	h := start(t)
	for _, tc := range []struct{ who, answer, want string }{
		{"amina", "oxytocin", "— passed ✅"},
		{"brigitte", "misoprostol", "— not passed (the pass mark is 100%)"},
	} {
		dm := "dm-" + tc.who
		seq := h.Last(dm)
		h.Post(dm, tc.who, tc.who, "/lesson solo-quiz", "")
		h.Wait(dm, seq, "Which ward")
		h.Post(dm, tc.who, tc.who, "Maternity", "")
		h.Wait(dm, seq, "uterotonic")
		h.Post(dm, tc.who, tc.who, tc.answer, "")
		h.Wait(dm, seq, "that's all")
		seq = h.Last(dm)
		h.Post(dm, tc.who, tc.who, "/progress", "")
		h.Wait(dm, seq, "Solo check: finished, "+map[bool]string{true: "1/1", false: "0/1"}[tc.answer == "oxytocin"]+" correct")
		h.Wait(dm, seq, tc.want)
	}
}

// TestMissedQuestions: a member who was in the group when a question was
// posted and did not answer it scores zero on it once they take part,
// and /progress shows it as missed; a member first seen after it closed
// is scored on what they saw only.
func TestMissedQuestions(t *testing.T) {
	h := start(t)
	seq := h.QuizInWard()
	h.Post("ward", "amina", "Amina", "20", "")
	h.Wait("ward", seq, "Amina: correct")
	h.App.Clock.Advance(time.Hour + time.Minute) // the first question times out: Brigitte missed it
	q := h.Wait("ward", seq, "Who is seen first?")
	h.PressAs("ward", "brigitte", "Brigitte", q.ID, q.Options[1].Data)
	h.PressAs("ward", "chinedu", "Chinedu", q.ID, q.Options[1].Data) // first seen now
	h.PressAs("ward", "amina", "Amina", q.ID, q.Options[1].Data)
	h.Wait("ward", q.Seq, "Everyone has answered")
	for _, tc := range []struct{ who, want string }{
		{"brigitte", "1/2 correct, 1/2 (50%) points (1 missed, scored zero)"},
		{"chinedu", "1/1 correct, 1/1 (100%) points"},
	} {
		dm := "dm-" + tc.who
		seq := h.Last(dm)
		h.Post(dm, tc.who, tc.who, "/progress", "")
		got := h.Wait(dm, seq, "Quick triage quiz")
		if !strings.Contains(got.Text, tc.want) || (tc.who == "chinedu" && strings.Contains(got.Text, "missed")) {
			t.Errorf("%s's progress %q; want %q", tc.who, got.Text, tc.want)
		}
	}
}

// TestTeachersNotWaitedFor: the programme's staff and the mentors teach:
// a group's question does not wait for them. With a learner, a mentor and
// a member of staff all seen in the group, the question moves on once the
// learner alone has answered.
func TestTeachersNotWaitedFor(t *testing.T) {
	h := startWith(t, huddletest.Options{
		Staff: []bot.StaffRef{{Channel: "sim", ID: "grace"}},
		Cases: &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {{Channel: "sim", ID: "otieno"}}}},
	})
	for _, who := range []string{"grace", "otieno", "amina"} {
		h.Post("ward", who, who, "morning", "")
	}
	seq := h.Last("ward")
	h.Post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	h.Wait("ward", seq, "Upper limit")
	h.Post("ward", "amina", "Amina", "20", "")
	// The next question comes at once: nobody else is waited for.
	h.Wait("ward", seq, "Who is seen first?")
}
