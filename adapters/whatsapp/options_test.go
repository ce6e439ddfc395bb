package whatsapp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// TestEveryOptionAsAPoll: in poll mode every message with options becomes
// a poll, and a vote on it does what pressing the option does: accepting
// the privacy notice (in a group and privately), posting a held-back case,
// replacing a running lesson, erasing everything with /forget. Each vote
// is encrypted by the nurse's own whatsmeow client and decrypted by the
// adapter, through the real router and store. Before votes and presses
// took one path, each of these answered "That question is closed".
func TestEveryOptionAsAPoll(t *testing.T) {
	ref := &storeRef{}
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: ref})
	svc := &cases.Config{}
	clk := huddletest.NewClock() // set before the adapter runs: it reads it
	h.net.clock, h.w.cfg.Clock = clock{clk}, clock{clk}
	app := huddletest.Start(t, huddletest.Options{Lessons: "testdata/lessons", Consent: &bot.ConsentNotice{Version: 1}, Cases: svc, Clock: clk}, h.w)
	h.running(t)
	ref.db = app.DB
	ctx := context.Background()
	phone := phones(t)
	seq := 0
	say := func(i int, direct bool, text string) {
		seq++
		h.w.onEvent(incoming(i, direct, fmt.Sprintf("M%d", seq), app.Clock.Now(), &waE2E.Message{Conversation: proto.String(text)}))
	}
	// poll waits for the newest poll in chat whose question holds text.
	poll := func(chat types.JID, text string) sent {
		t.Helper()
		var found sent
		testkit.Eventually(t, 30*time.Second, fmt.Sprintf("a poll with %q to %s", text, chat), func() bool {
			msgs := h.net.messages()
			for k := len(msgs) - 1; k >= 0; k-- {
				if p := msgs[k].msg.GetPollCreationMessage(); p != nil && msgs[k].to == chat && strings.Contains(p.GetName(), text) {
					found = msgs[k]
					return true
				}
			}
			return false
		}, func() string { return "sent:\n" + transcript(h.net.messages()) })
		return found
	}
	// vote has nurse i's phone vote for the option named label on p.
	vote := func(i int, p sent, label string) {
		t.Helper()
		seq++
		chat, direct := p.to, p.to.Server != types.GroupServer
		if direct {
			chat = p.sender // privately, her phone sees the chat as the bot
		}
		info := types.MessageInfo{MessageSource: types.MessageSource{Chat: chat, Sender: p.sender, IsGroup: !direct}, ID: p.id}
		if err := phone[i].Store.MsgSecrets.PutMessageSecret(ctx, chat, p.sender, p.id, p.msg.GetMessageContextInfo().GetMessageSecret()); err != nil {
			t.Fatal(err)
		}
		msg, err := phone[i].BuildPollVote(ctx, &info, []string{label})
		if err != nil {
			t.Fatal(err)
		}
		h.w.onEvent(incoming(i, direct, fmt.Sprintf("V%d", seq), app.Clock.Now(), msg))
	}
	// text waits for a text message to chat holding want.
	text := func(chat types.JID, want string) {
		t.Helper()
		testkit.Eventually(t, 30*time.Second, fmt.Sprintf("a message to %s with %q", chat, want), func() bool {
			for _, s := range h.net.messages() {
				body := s.msg.GetConversation() + s.msg.GetExtendedTextMessage().GetText()
				if s.to == chat && strings.Contains(body, want) {
					return true
				}
			}
			return false
		}, func() string { return "sent:\n" + transcript(h.net.messages()) })
	}
	amina := nurses[0]

	// The privacy notice, privately and in the group.
	say(0, true, "hello")
	vote(0, poll(amina.lid, "Do you accept?"), "I accept")
	text(amina.lid, "Thank you: your answers and activity count from now on.")
	say(1, false, "Good morning")
	vote(1, poll(group, "Do you accept?"), "I accept")
	text(group, "your answers count from now on")

	// A held-back case, privately.
	say(0, false, "/case Mrs Wanjiru Kamau, 0722 123 456, bleeding after delivery. What next?")
	vote(0, poll(amina.lid, "Your case for Ward 3 nurses was not posted"), "Post this version")
	text(group, "Case #C1, shared by")

	// The question before replacing a running lesson.
	say(1, false, "/lesson poll-quiz")
	poll(group, "First drug for PPH?")
	say(1, false, "/lesson poll-quiz")
	vote(1, poll(group, "Start it again from the beginning?"), "Yes, start again")
	text(group, "PPH check stopped")

	// /forget's question, privately.
	say(0, true, "/forget")
	vote(0, poll(amina.lid, "Erase everything?"), "Yes, erase everything")
	text(amina.lid, "Huddle no longer holds anything about you")

	for _, s := range h.net.messages() {
		if body := s.msg.GetConversation() + s.msg.GetExtendedTextMessage().GetText(); strings.Contains(body, "That question is closed") {
			t.Errorf("a vote was refused: %q to %s", body, s.to)
		}
	}
}

// TestLastQuestion: a long text's poll asks its last question.
func TestLastQuestion(t *testing.T) {
	for text, want := range map[string]string{
		"This erases everything. It cannot be undone. Erase everything?":             "Erase everything?",
		"🔒 Before Huddle records anything: … nothing is kept longer. Do you accept?": "Do you accept?",
		"Your case was not posted: it may identify a patient.\n\nPost this version.": "Your case was not posted: it may identify a patient.",
		"X is still running here (step 2 of 4). Start it again? The answers stay.":   "Start it again?",
		"Which one?":                           "Which one?",
		"Line one?\nLine two is the question?": "Line two is the question?",
	} {
		if got := lastQuestion(text); got != want {
			t.Errorf("lastQuestion(%q) = %q, want %q", text, got, want)
		}
	}
}
