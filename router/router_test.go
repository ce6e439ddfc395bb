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
	"github.com/huddlebot/huddle/internal/testkit/simtest"
)

// harness is Huddle on the simulator.
type harness struct{ *simtest.Bot }

func start(t *testing.T) *harness { return startWith(t, huddletest.Options{}) }

func startWith(t *testing.T, opts huddletest.Options) *harness {
	return &harness{simtest.Start(t, opts)}
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
		{"a link's start with no such command", "dm-amina", "/start frobnicate", 1, "/lessons: list lessons"},
		{"a link's start naming start", "dm-amina", "/start start", 1, "/lessons: list lessons"},
		{"a link's start naming a command", "dm-amina", "/start lessons", 1, "hand-hygiene"},
		{"courses, as an officer would ask", "ward-1", "/courses", 1, "hand-hygiene"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.Say(tt.chat, "amina", tt.text, tt.replies)
			if len(got) != tt.replies {
				t.Fatalf("got %d replies %q, want %d", len(got), simtest.Texts(got), tt.replies)
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
	if got := h.Say("ward-1", "brigitte", "/lessons", 1); !strings.Contains(got[0].Text, "hand-hygiene") {
		t.Errorf("/lessons = %q", got[0].Text)
	}
}

func TestDuplicateEventHandledOnce(t *testing.T) {
	h := start(t)
	ev := bot.Event{ID: bot.EventID("sim", "dm-x", "x", "same"), Channel: "sim", ChatID: "dm-x", ChatType: bot.Direct,
		SenderID: "x", SenderName: "X", MessageID: "same", Text: "/help"}
	h.Say("dm-x", "x", "first", 1)
	after := h.Last("dm-x")
	for i := 0; i < 3; i++ {
		if err := h.App.Router.HandleEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if got := h.After("dm-x", after); len(got) != 1 {
		t.Errorf("an event delivered 3 times got %d replies, want 1: %q", len(got), simtest.Texts(got))
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
				h.Sim.Post(context.Background(), sim.Post{Chat: chat, ChatType: bot.Direct, Sender: chat, Text: fmt.Sprintf("/nope%02d", i)})
			}
		}()
	}
	wg.Wait()
	for c := 0; c < chats; c++ {
		chat := fmt.Sprintf("dm-order-%d", c)
		got := h.Replies(chat, 0, perChat)
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
	h.Say("ward-a", "amina", "hi", 0)
	h.Say("ward-b", "brigitte", "hi", 0)
	h.Say("ward-a", "amina", "/lesson quick-quiz", 3)
	h.Say("ward-b", "brigitte", "/lesson hand-hygiene", 3)
	h.Say("ward-b", "brigitte", "2", 3) // feedback, the close, and q2
	b := h.After("ward-b", 0)
	var q sim.Message
	for _, m := range b {
		if len(m.Options) > 0 {
			q = m
		}
	}
	got := h.Choose("ward-a", "amina", q.ID, q.Options[0].Data, 1)
	if !strings.Contains(got[0].Text, "closed") {
		t.Errorf("press of another group's button = %q", got[0].Text)
	}
	// Both runs go on: ward-a still waits for its numeric answer.
	if got := h.Say("ward-a", "amina", "20", 1); !strings.Contains(got[0].Text, "correct") {
		t.Errorf("ward-a after the stray press = %q", simtest.Texts(got))
	}
	if rows := h.App.Progress(t, "sim", "amina"); len(rows) != 1 || rows[0].LessonID != "quick-quiz" {
		t.Errorf("amina's progress = %+v", rows)
	}
}

func TestStartAndLanguage(t *testing.T) {
	h := start(t)
	if got := h.Say("dm-amina", "amina", "/start", 1); !strings.Contains(got[0].Text, "Welcome to Huddle, Amina") {
		t.Errorf("/start = %q", got[0].Text)
	}
	if got := h.Say("dm-amina", "amina", "/lang FR", 1); got[0].Text != "Langue : Français." {
		t.Errorf("/lang FR = %q", got[0].Text)
	}
	if got := h.Say("dm-amina", "amina", "/lessons", 1); !strings.Contains(got[0].Text, "Hygiène des mains") {
		t.Errorf("/lessons in French = %q", got[0].Text)
	}
	// Without a code, /lang lists the languages it has a catalog for.
	if got := h.Say("dm-amina", "amina", "/lang", 1); !strings.Contains(got[0].Text, "/lang en") || !strings.Contains(got[0].Text, "fr (Français)") {
		t.Errorf("/lang without a code = %q", got[0].Text)
	}
}

// TestChatterDuringQuestion: while a question is open, what is not an
// answer to it is left alone: talk from a member who has answered, and
// talk from one who has not, get no reply and count as no answer; the
// question waits for the real answer.
func TestChatterDuringQuestion(t *testing.T) {
	h := start(t)
	seq := h.QuizInWard()
	h.Post("ward", "amina", "Amina", "20", "")
	h.Wait("ward", seq, "Amina: correct")
	chat := h.Last("ward")
	h.Post("ward", "amina", "Amina", "Thanks, that one was easy", "")
	h.Post("ward", "brigitte", "Brigitte", "Good morning everyone, busy night?", "")
	h.Post("ward", "brigitte", "Brigitte", "20", "")
	h.Wait("ward", chat, "Everyone has answered: 2 of 2 correct")
	got := simtest.Texts(h.After("ward", chat))
	if len(got) < 2 || !strings.HasPrefix(got[0], "✅ Brigitte: correct") || !strings.HasPrefix(got[1], "Everyone has answered") {
		t.Errorf("after the chatter the bot said %q; want only Brigitte's verdict, then the close", got)
	}
	var answers int
	if err := h.App.DB.Update(context.Background(), func(tx bot.Tx) error {
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

// TestImpossibleEventDropped: an event no adapter should make (a press
// without its option, a message carrying a press's data) is dropped with
// an error in the log that holds neither its text nor its sender's name,
// and the chat goes on.
func TestImpossibleEventDropped(t *testing.T) {
	var logs huddletest.LogBuffer
	h := startWith(t, huddletest.Options{Logger: logs.Logger()})
	ctx := context.Background()
	for _, ev := range []bot.Event{
		{ID: "x1", Kind: bot.OptionChosen, Channel: sim.Name, ChatID: "ward-1", ChatType: bot.Group, SenderID: "amina", SenderName: "Amina Yusuf"},
		{ID: "x2", Kind: bot.Message, Channel: sim.Name, ChatID: "ward-1", ChatType: bot.Group, SenderID: "amina", SenderName: "Amina Yusuf",
			Text: "/lesson hand-hygiene", Option: "q:1"},
	} {
		if err := h.App.Router.HandleEvent(ctx, ev); err != nil {
			t.Errorf("event %s: %v; want it dropped without an error to the channel", ev.ID, err)
		}
	}
	log := logs.String()
	if n := strings.Count(log, "an event no channel should make"); n != 2 {
		t.Errorf("logged %d dropped events, want 2:\n%s", n, log)
	}
	for _, secret := range []string{"Amina", "hand-hygiene"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q:\n%s", secret, log)
		}
	}
	if got := h.Say("ward-1", "amina", "/lessons", 1); !strings.Contains(got[0].Text, "hand-hygiene") {
		t.Errorf("after the dropped events /lessons = %q", got[0].Text)
	}
}
