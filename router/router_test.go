package router_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// harness is Huddle on the simulator.
type harness struct {
	t   *testing.T
	sim *sim.Sim
	app *huddletest.App
}

func start(t *testing.T) *harness {
	t.Helper()
	return startWith(t, huddletest.Options{})
}

// onBothStores runs test on a SQLite file and on a real PostgreSQL (which
// skips where none is installed, and fails in CI).
func onBothStores(t *testing.T, test func(t *testing.T, postgres bool)) {
	t.Run("sqlite", func(t *testing.T) { test(t, false) })
	t.Run("postgres", func(t *testing.T) { test(t, true) })
}

func startWith(t *testing.T, opts huddletest.Options) *harness {
	t.Helper()
	s := sim.New(nil)
	app := huddletest.Start(t, opts, s)
	h := &harness{t: t, sim: s, app: app}
	// Wait until the simulator has its handler.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := s.Post(context.Background(), sim.Post{Chat: "warmup", ChatType: bot.Direct, Sender: "warmup", Text: "/help"})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("simulator not ready: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return h
}

// say posts as a member and returns the bot's messages in that chat that
// follow, once the bot has sent at least want of them.
func (h *harness) say(chat, sender, text string, want int) []sim.Message {
	h.t.Helper()
	typ := bot.Group
	if strings.HasPrefix(chat, "dm-") {
		typ = bot.Direct
	}
	msg, err := h.sim.Post(context.Background(), sim.Post{Chat: chat, ChatType: typ, Sender: sender, Name: title(sender), Text: text})
	if err != nil {
		h.t.Fatalf("post %q: %v", text, err)
	}
	return h.replies(chat, msg.Seq, want)
}

// press presses option data as a member and returns the bot's replies.
func (h *harness) press(chat, sender, messageID, data string, want int) []sim.Message {
	h.t.Helper()
	after := h.last(chat)
	if err := h.sim.Press(context.Background(), sim.Press{Chat: chat, Sender: sender, Name: title(sender), MessageID: messageID, Data: data}); err != nil {
		h.t.Fatalf("press %q: %v", data, err)
	}
	return h.replies(chat, after, want)
}

func (h *harness) last(chat string) int64 {
	msgs := h.sim.Messages(context.Background(), chat, 0, 0)
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].Seq
}

// replies waits for want bot messages in chat after seq, then a moment
// more to catch any extra, and returns them.
func (h *harness) replies(chat string, after int64, want int) []sim.Message {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var out []sim.Message
		for _, m := range h.sim.Messages(context.Background(), chat, after, 0) {
			if m.Bot {
				out = append(out, m)
			}
		}
		if len(out) >= want {
			if want == 0 {
				time.Sleep(100 * time.Millisecond)
				return h.botAfter(chat, after)
			}
			return out
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("got %d bot messages, want %d: %v", len(out), want, texts(out))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) botAfter(chat string, after int64) []sim.Message {
	var out []sim.Message
	for _, m := range h.sim.Messages(context.Background(), chat, after, 0) {
		if m.Bot {
			out = append(out, m)
		}
	}
	return out
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func texts(msgs []sim.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func TestBadInput(t *testing.T) {
	h := start(t)
	long := strings.Repeat("Patient in bed 4 is stable. ", 400)[:10000]
	tests := []struct {
		name    string
		chat    string
		text    string
		replies int    // bot messages expected
		want    string // in the first reply
	}{
		{"empty in a group is left alone", "ward-1", "", 0, ""},
		{"empty in private gets a hint", "dm-amina", "", 1, "/lessons"},
		{"10,000 characters in private", "dm-amina", long, 1, "/lessons"},
		{"10,000 characters in a group", "ward-1", long, 0, ""},
		{"emoji only", "dm-amina", "🙏🏾👍🏿🤱", 1, "/lessons"},
		{"non-Latin scripts", "dm-amina", "ሰላም 你好 مرحبا नमस्ते", 1, "/lessons"},
		{"invalid UTF-8", "dm-amina", "\xff\xfe bad bytes", 1, "/lessons"},
		{"unknown command", "ward-1", "/frobnicate now", 1, "I don't know /frobnicate"},
		{"very long unknown command", "ward-1", "/" + strings.Repeat("x", 500), 1, "I don't know /xxxxxxxx"},
		{"unknown lesson", "ward-1", "/lesson no-such-lesson", 1, `There is no lesson or course called "no-such-lesson"`},
		{"lesson without id", "ward-1", "/lesson", 1, "Which lesson?"},
		{"unknown language", "dm-amina", "/lang klingon", 1, `I don't know the language "klingon"`},
		{"direct lesson in a group", "ward-1", "/lesson malaria-rdt", 1, "message me privately"},
		{"command with bot name", "ward-1", "/HELP@HuddleBot", 1, "/lessons: list lessons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.say(tt.chat, "amina", tt.text, tt.replies)
			if len(got) != tt.replies {
				t.Fatalf("got %d replies %q, want %d", len(got), texts(got), tt.replies)
			}
			if tt.replies > 0 && !strings.Contains(got[0].Text, tt.want) {
				t.Errorf("reply %q, want it to contain %q", got[0].Text, tt.want)
			}
			if tt.replies > 0 && len([]rune(got[0].Text)) > 4096 {
				t.Errorf("reply is %d characters", len([]rune(got[0].Text)))
			}
		})
	}
	// After all that the bot still works.
	if got := h.say("ward-1", "brigitte", "/lessons", 1); !strings.Contains(got[0].Text, "hand-hygiene") {
		t.Errorf("/lessons = %q", got[0].Text)
	}
}

func TestDuplicateEventHandledOnce(t *testing.T) {
	h := start(t)
	ev := bot.Event{ID: bot.EventID("sim", "dm-x", "x", "same"), Channel: "sim", ChatID: "dm-x", ChatType: bot.Direct,
		SenderID: "x", SenderName: "X", MessageID: "same", Text: "/help"}
	h.say("dm-x", "x", "first", 1)
	after := h.last("dm-x")
	for i := 0; i < 3; i++ {
		if err := h.app.Router.HandleEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if got := h.botAfter("dm-x", after); len(got) != 1 {
		t.Errorf("an event delivered 3 times got %d replies, want 1: %q", len(got), texts(got))
	}
}

func TestReplaceAsksFirst(t *testing.T) {
	h := start(t)
	h.say("ward-2", "brigitte", "hello", 0)
	first := h.say("ward-2", "amina", "/lesson hand-hygiene", 3)
	if !strings.Contains(first[0].Text, "Hand hygiene") {
		t.Fatalf("lesson did not start: %q", texts(first))
	}
	ask := h.say("ward-2", "brigitte", "/lesson quick-quiz", 1)
	if !strings.Contains(ask[0].Text, "is still running here. Stop it and start Quick triage quiz from the beginning?") || len(ask[0].Options) != 2 {
		t.Fatalf("replace question = %+v", ask[0])
	}
	// The same lesson again: the question says it starts again.
	again := h.say("ward-2", "brigitte", "/lesson hand-hygiene", 1)
	if !strings.Contains(again[0].Text, "Start it again from the beginning?") || strings.Contains(again[0].Text, "Replace") ||
		len(again[0].Options) != 2 || again[0].Options[0].Label != "Yes, start again" {
		t.Errorf("restart question = %+v", again[0])
	}
	yes, no := ask[0].Options[0].Data, ask[0].Options[1].Data
	kept := h.press("ward-2", "amina", ask[0].ID, no, 1)
	if !strings.Contains(kept[0].Text, "continues") {
		t.Errorf("keep = %q", kept[0].Text)
	}
	replaced := h.press("ward-2", "brigitte", ask[0].ID, yes, 4) // stopped, title, intro, first question
	if !strings.Contains(replaced[0].Text, "stopped") || !strings.Contains(replaced[1].Text, "Quick triage quiz") {
		t.Errorf("replace = %q", texts(replaced))
	}
	// The question is now stale.
	stale := h.press("ward-2", "amina", ask[0].ID, yes, 1)
	if !strings.Contains(stale[0].Text, "expired") {
		t.Errorf("stale replace = %q", stale[0].Text)
	}
	// A button of the stopped lesson is closed.
	q := first[len(first)-1]
	if len(q.Options) == 0 {
		t.Fatalf("no options on %q", q.Text)
	}
	old := h.press("ward-2", "amina", q.ID, q.Options[0].Data, 1)
	if !strings.Contains(old[0].Text, "closed") {
		t.Errorf("old button = %q", old[0].Text)
	}
}

// TestOrderPerChat sends many messages to many chats at once: each chat's
// replies come in the order of its messages, and none is lost.
func TestOrderPerChat(t *testing.T) {
	h := start(t)
	const chats, perChat = 8, 15
	var wg sync.WaitGroup
	for c := 0; c < chats; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := fmt.Sprintf("dm-order-%d", c)
			for i := 0; i < perChat; i++ {
				h.sim.Post(context.Background(), sim.Post{Chat: chat, ChatType: bot.Direct, Sender: chat, Text: fmt.Sprintf("/nope%02d", i)})
			}
		}()
	}
	wg.Wait()
	for c := 0; c < chats; c++ {
		chat := fmt.Sprintf("dm-order-%d", c)
		got := h.replies(chat, 0, perChat)
		for i, m := range got {
			if want := fmt.Sprintf("/nope%02d", i); !strings.Contains(m.Text, want) {
				t.Fatalf("%s reply %d = %q, want it about %s", chat, i, m.Text, want)
			}
		}
	}
}

// TestAnotherGroupsButton presses, in one group, a button of a question
// running in another: it is refused and changes neither run.
func TestAnotherGroupsButton(t *testing.T) {
	h := start(t)
	h.say("ward-a", "amina", "hi", 0)
	h.say("ward-b", "brigitte", "hi", 0)
	h.say("ward-a", "amina", "/lesson quick-quiz", 3)
	h.say("ward-b", "brigitte", "/lesson hand-hygiene", 3)
	h.say("ward-b", "brigitte", "2", 3) // feedback, the close, and q2
	b := h.botAfter("ward-b", 0)
	var q sim.Message
	for _, m := range b {
		if len(m.Options) > 0 {
			q = m
		}
	}
	got := h.press("ward-a", "amina", q.ID, q.Options[0].Data, 1)
	if !strings.Contains(got[0].Text, "closed") {
		t.Errorf("press of another group's button = %q", got[0].Text)
	}
	// Both runs go on: ward-a still waits for its numeric answer.
	if got := h.say("ward-a", "amina", "20", 1); !strings.Contains(got[0].Text, "correct") {
		t.Errorf("ward-a after the stray press = %q", texts(got))
	}
	if rows := h.app.Progress(t, "sim", "amina"); len(rows) != 1 || rows[0].LessonID != "quick-quiz" {
		t.Errorf("amina's progress = %+v", rows)
	}
}

func TestStartAndLanguage(t *testing.T) {
	h := start(t)
	if got := h.say("dm-amina", "amina", "/start", 1); !strings.Contains(got[0].Text, "Welcome to Huddle, Amina") {
		t.Errorf("/start = %q", got[0].Text)
	}
	if got := h.say("dm-amina", "amina", "/lang FR", 1); got[0].Text != "Langue : Français." {
		t.Errorf("/lang FR = %q", got[0].Text)
	}
	if got := h.say("dm-amina", "amina", "/lessons", 1); !strings.Contains(got[0].Text, "Hygiène des mains") {
		t.Errorf("/lessons in French = %q", got[0].Text)
	}
	// Without a code, /lang lists the languages it has a catalog for.
	if got := h.say("dm-amina", "amina", "/lang", 1); !strings.Contains(got[0].Text, "/lang en") || !strings.Contains(got[0].Text, "fr (Français)") {
		t.Errorf("/lang without a code = %q", got[0].Text)
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
		got := h.say(st.chat, st.who, st.text, 1)
		if !strings.Contains(got[0].Text, st.want) {
			t.Fatalf("%s says %q: got %q; want %q", st.who, st.text, got[0].Text, st.want)
		}
	}
	// Wednesday 08:30: the lesson starts by itself, and runs to its end.
	before := h.last(g)
	h.app.Clock.Advance(48 * time.Hour)
	got := h.replies(g, before, 3)
	if !strings.Contains(got[0].Text, "Weekly check-in") || !strings.Contains(got[2].Text, "see you next time") {
		t.Fatalf("Wednesday's start: %q", texts(got))
	}
	if reply := h.say(g, "lead", "/assign", 1); !strings.Contains(reply[0].Text, "Fri 6 Mar 08:30") {
		t.Fatalf("after Wednesday: %q; want the next start on Friday", reply[0].Text)
	}
	// Friday 10:00 after an outage: the 08:30 start is skipped, not posted
	// late, and the next one is Monday's.
	before = h.last(g)
	h.app.Clock.Advance(49*time.Hour + 30*time.Minute)
	if extra := h.replies(g, before, 0); len(extra) != 0 {
		t.Fatalf("a start 1h30 late was posted: %q", texts(extra))
	}
	if reply := h.say(g, "lead", "/assign", 1); !strings.Contains(reply[0].Text, "Mon 9 Mar 08:30") {
		t.Fatalf("after the missed start: %q; want Monday's", reply[0].Text)
	}
	for _, st := range []struct{ text, want string }{
		{"/unassign weekly-check", "will no longer start by itself"},
		{"/unassign weekly-check", "is not assigned to this group"},
		{"/unassign", "Which lesson?"},
	} {
		if reply := h.say(g, "lead", st.text, 1); !strings.Contains(reply[0].Text, st.want) {
			t.Fatalf("%q: got %q; want %q", st.text, reply[0].Text, st.want)
		}
	}
	before = h.last(g)
	h.app.Clock.Advance(72 * time.Hour)
	for _, m := range h.replies(g, before, 0) {
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
		seq := h.last(dm)
		h.post(dm, tc.who, tc.who, "/lesson solo-quiz", "")
		h.wait(dm, seq, "Which ward")
		h.post(dm, tc.who, tc.who, "Maternity", "")
		h.wait(dm, seq, "uterotonic")
		h.post(dm, tc.who, tc.who, tc.answer, "")
		h.wait(dm, seq, "that's all")
		seq = h.last(dm)
		h.post(dm, tc.who, tc.who, "/progress", "")
		h.wait(dm, seq, "Solo check: finished, "+map[bool]string{true: "1/1", false: "0/1"}[tc.answer == "oxytocin"]+" correct")
		h.wait(dm, seq, tc.want)
	}
}

// TestMissedQuestions: a member who was in the group when a question was
// posted and did not answer it scores zero on it once they take part,
// and /progress shows it as missed; a member first seen after it closed
// is scored on what they saw only.
func TestMissedQuestions(t *testing.T) {
	h := start(t)
	seq := h.quizInWard()
	h.post("ward", "amina", "Amina", "20", "")
	h.wait("ward", seq, "Amina: correct")
	h.app.Clock.Advance(time.Hour + time.Minute) // the first question times out: Brigitte missed it
	q := h.wait("ward", seq, "Who is seen first?")
	h.pressAs("ward", "brigitte", "Brigitte", q.ID, q.Options[1].Data)
	h.pressAs("ward", "chinedu", "Chinedu", q.ID, q.Options[1].Data) // first seen now
	h.pressAs("ward", "amina", "Amina", q.ID, q.Options[1].Data)
	h.wait("ward", q.Seq, "Everyone has answered")
	for _, tc := range []struct{ who, want string }{
		{"brigitte", "1/2 correct, 1/2 (50%) points (1 missed, scored zero)"},
		{"chinedu", "1/1 correct, 1/1 (100%) points"},
	} {
		dm := "dm-" + tc.who
		seq := h.last(dm)
		h.post(dm, tc.who, tc.who, "/progress", "")
		got := h.wait(dm, seq, "Quick triage quiz")
		if !strings.Contains(got.Text, tc.want) || (tc.who == "chinedu" && strings.Contains(got.Text, "missed")) {
			t.Errorf("%s's progress %q; want %q", tc.who, got.Text, tc.want)
		}
	}
}

// TestChatterDuringQuestion: while a question is open, what is not an
// answer to it is left alone: talk from a member who has answered, and
// talk from one who has not, get no reply and count as no answer; the
// question waits for the real answer.
func TestChatterDuringQuestion(t *testing.T) {
	h := start(t)
	seq := h.quizInWard()
	h.post("ward", "amina", "Amina", "20", "")
	h.wait("ward", seq, "Amina: correct")
	chat := h.last("ward")
	h.post("ward", "amina", "Amina", "Thanks, that one was easy", "")
	h.post("ward", "brigitte", "Brigitte", "Good morning everyone, busy night?", "")
	h.post("ward", "brigitte", "Brigitte", "20", "")
	h.wait("ward", chat, "Everyone has answered: 2 of 2 correct")
	got := texts(h.botAfter("ward", chat))
	if len(got) < 2 || !strings.HasPrefix(got[0], "✅ Brigitte: correct") || !strings.HasPrefix(got[1], "Everyone has answered") {
		t.Errorf("after the chatter the bot said %q; want only Brigitte's verdict, then the close", got)
	}
	var answers int
	if err := h.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		for _, who := range []string{"amina", "brigitte"} {
			m, err := tx.MemberByRef(bot.StaffRef{Channel: "sim", ID: who})
			if err != nil {
				return err
			}
			p, err := tx.MemberProgress(m.ID)
			if err != nil {
				return err
			}
			for _, r := range p {
				answers += r.Answered
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if answers != 2 {
		t.Errorf("%d answers stored; want 2, the chatter counted as none", answers)
	}
}

// quizInWard has Amina and Brigitte greet the ward, and Amina start
// quick-quiz there; it returns the ward's last message before the lesson,
// once the first question is out.
func (h *harness) quizInWard() int64 {
	h.t.Helper()
	h.post("ward", "amina", "Amina", "morning", "")
	h.post("ward", "brigitte", "Brigitte", "morning", "")
	seq := h.last("ward")
	h.post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	h.wait("ward", seq, "Upper limit")
	return seq
}
