package telegram_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/internal/testkit/botapifake"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/tgemu"
)

// TestNoReactionsThroughEmulator: against telegram-test-api as it is (no
// setMessageReaction), a member's typed answer in a quiet group lesson
// is still explained, in the few words the reaction stands for, and the
// lesson goes on; the missing method is asked for once, not per answer.
func TestNoReactionsThroughEmulator(t *testing.T) {
	emu, tg := emulated(t)
	emu.Lack("setMessageReaction")
	huddletest.Start(t, huddletest.Options{}, tg)
	group := tgemu.Chat{ID: -1009, Type: "group", Title: "Ward 9 nurses"}
	amina := tgemu.User{ID: 31, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 32, FirstName: "Brigitte"}
	emu.Send(group, brigitte, "Good morning")
	emu.Send(group, amina, "/lesson hand-hygiene")
	q := last(emu.WaitFor(10*time.Second, "the first question", hasText("Which moment is this?")), "Which moment is this?")
	emu.Press(group, amina, q.ID, q.Buttons[1].Data)
	emu.Press(group, brigitte, q.ID, q.Buttons[1].Data)
	emu.WaitFor(10*time.Second, "the second question", hasText("Choose all that apply"))
	emu.Send(group, amina, "1 3 4")
	emu.Send(group, brigitte, "1 3")
	msgs := emu.WaitFor(15*time.Second, "the third question", hasText("how many seconds"))
	right, wrong := find(msgs, "Amina: correct!"), find(msgs, "Brigitte: not quite.")
	if right.Text == "" || wrong.Text == "" || right.ReplyTo == 0 || wrong.ReplyTo == 0 {
		t.Fatalf("the typed answers were not explained in words as replies: %q / %q", right.Text, wrong.Text)
	}
	if strings.Contains(wrong.Text, "The answer") {
		t.Errorf("the words give the answer away before the question closes: %q", wrong.Text)
	}
	if got := emu.Reactions(); len(got) != 0 {
		t.Errorf("reactions recorded by a server without them: %+v", got)
	}
}

// TestExtrasNeverHoldTheChat: a reaction that fails (the chat refuses it
// with 400, the server lacks the method with 404, it fails with 500, or
// it hangs until the call gives up) never holds the messages behind it;
// a 404 turns reactions into their words for the rest of the run; 400,
// 500 and the hang are tried at most twice and then dropped.
func TestExtrasNeverHoldTheChat(t *testing.T) {
	for _, tt := range []struct {
		name    string
		fail    botapifake.Failure
		words   bool // the verdict goes as words
		tries   int  // setMessageReaction calls for the first answer, at most
		tryHang bool
	}{
		{"400", botapifake.Failure{Status: 400, ContentType: "application/json", Body: `{"ok":false,"error_code":400,"description":"Bad Request: REACTION_INVALID"}`}, false, 1, false},
		{"404", botapifake.Failure{Status: 404, ContentType: "application/json", Body: `{"ok":false,"error_code":404,"description":"Not Found"}`}, true, 1, false},
		{"500", botapifake.Failure{Status: 500, ContentType: "text/html", Body: "<html>Internal Server Error</html>"}, false, 2, false},
		{"time-out", botapifake.Failure{Hang: true}, false, 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := botapifake.Start(t, botapifake.Config{})
			fake.Fail("setMessageReaction", tt.fail)
			tg, err := telegram.New(context.Background(), telegram.Config{Token: fake.Token, APIEndpoint: fake.URL, PollTimeout: time.Second,
				Rate: 1000, HTTPClient: &http.Client{Timeout: 2 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			huddletest.Start(t, huddletest.Options{Lessons: "testdata/lessons"}, tg)
			group := botapifake.Chat{ID: -100901, Title: "Ward 9"}
			amina, brigitte := botapifake.User{ID: 41, Name: "Amina"}, botapifake.User{ID: 42, Name: "Brigitte"}
			fake.SetSize(group, 3)
			fake.Send(group, brigitte, "Good morning")
			fake.Send(group, amina, "/lesson typed-check")
			waitSent(t, fake, group.ID, "Upper limit of a normal adult respiratory rate", 10*time.Second)
			start := time.Now()
			fake.Send(group, amina, "20")
			fake.Send(group, brigitte, "35")
			// The question closes and the next comes, whatever became
			// of the reactions.
			waitSent(t, fake, group.ID, "Name the first drug for PPH", 30*time.Second)
			took := time.Since(start)
			st := fake.Stats()
			if tt.words {
				waitSent(t, fake, group.ID, "Amina: correct!", 10*time.Second)
				waitSent(t, fake, group.ID, "Brigitte: not quite.", 10*time.Second)
				// Reactions are off for the run: the next answers go as
				// words at once (the two answers above were in flight
				// together, so each asked).
				asked := fake.Stats().Calls["setMessageReaction"]
				fake.Send(group, amina, "Oxytocin")
				fake.Send(group, brigitte, "Ergometrine")
				waitSent(t, fake, group.ID, "Done.", 30*time.Second)
				words := 0
				for _, m := range fake.Sent() {
					if strings.Contains(m.Text, "Amina: correct!") || strings.Contains(m.Text, "Brigitte: not quite.") {
						words++
					}
				}
				if n := fake.Stats().Calls["setMessageReaction"]; asked > 2 || n != asked || words != 4 {
					t.Errorf("setMessageReaction asked %d times, then %d; %d verdicts in words; want at most 2, no more, and 4", asked, n, words)
				}
			} else if n := st.Calls["setMessageReaction"]; n < 2 || n > 2*tt.tries {
				t.Errorf("setMessageReaction asked %d times for two answers; want each tried at most %d times", n, tt.tries)
			}
			t.Logf("%s: the next question came %s after the answers; calls %v", tt.name, took.Round(time.Millisecond), st.Calls)
		})
	}
}
