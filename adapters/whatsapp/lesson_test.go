package whatsapp

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/store"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

var update = flag.Bool("update", false, "rewrite the expected transcripts in testdata")

// storeRef lets the adapter be made before the app that owns the store.
type storeRef struct{ db *store.DB }

func (r *storeRef) SentMessage(ctx context.Context, ch, id string) (bot.OutboxItem, error) {
	return r.db.SentMessage(ctx, ch, id)
}

func (r *storeRef) ChatKnown(ctx context.Context, ch, id string) (bool, error) {
	return r.db.ChatKnown(ctx, ch, id)
}

// RemovedChats is none before the test has the App's store (it is set
// after Start, which runs the adapter).
func (r *storeRef) RemovedChats(ctx context.Context, ch string) ([]string, error) {
	if r.db == nil {
		return nil, nil
	}
	return r.db.RemovedChats(ctx, ch)
}

func (r *storeRef) WriteNotes(ctx context.Context, ch string, put []bot.Note, drop []string) error {
	return r.db.WriteNotes(ctx, ch, put, drop)
}

// Notes is none before the test has the App's store, as RemovedChats.
func (r *storeRef) Notes(ctx context.Context, ch, prefix string, limit int) ([]bot.Note, error) {
	if r.db == nil {
		return nil, nil
	}
	return r.db.Notes(ctx, ch, prefix, limit)
}

// phones are the nurses' own WhatsApp clients, which encrypt their votes:
// real whatsmeow clients on a session file of their own, each logged in
// under the nurse's phone number, as phones are.
func phones(t *testing.T) []*whatsmeow.Client {
	t.Helper()
	ctx := context.Background()
	c, err := sqlstore.New(ctx, "sqlite", sessionDSN(filepath.Join(t.TempDir(), "phones.db")), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var out []*whatsmeow.Client
	for _, n := range nurses {
		out = append(out, whatsmeow.NewClient(linkDevice(t, c, n.pn, n.lid), nil))
	}
	return out
}

// quizGroup is a WhatsApp group of the three nurses running lessons
// through the adapter: whatsmeow message events in, polls out, votes
// encrypted by the nurses' own whatsmeow clients.
type quizGroup struct {
	t     *testing.T
	h     *harness
	app   *huddletest.App
	phone []*whatsmeow.Client
	seq   int
}

// newQuizGroup starts the adapter and an app with the test lessons, and
// what else o asks for.
func newQuizGroup(t *testing.T, o huddletest.Options) *quizGroup {
	ref := &storeRef{}
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: ref})
	clk := huddletest.NewClock() // set before the adapter runs: it reads it
	h.net.clock, h.w.cfg.Clock = clock{clk}, clock{clk}
	o.Lessons, o.Clock = "testdata/lessons", clk
	app := huddletest.Start(t, o, h.w)
	h.running(t)
	ref.db = app.DB
	return &quizGroup{t: t, h: h, app: app, phone: phones(t)}
}

// say delivers nurse i's text message in the group.
func (g *quizGroup) say(i int, text string) *events.Message {
	g.seq++
	evt := incoming(i, false, fmt.Sprintf("M%d", g.seq), g.app.Clock.Now(), &waE2E.Message{Conversation: proto.String(text)})
	g.h.w.onEvent(evt)
	return evt
}

// waitPoll waits for the n-th poll the bot sends.
func (g *quizGroup) waitPoll(n int) sent {
	g.t.Helper()
	var polls []sent
	testkit.Eventually(g.t, 10*time.Second, fmt.Sprintf("poll %d", n), func() bool {
		polls = polls[:0]
		for _, s := range g.h.net.messages() {
			if s.msg.GetPollCreationMessage() != nil {
				polls = append(polls, s)
			}
		}
		return len(polls) >= n
	}, g.sentSoFar)
	return polls[n-1]
}

// sentSoFar says what the bot has sent, for a failed wait.
func (g *quizGroup) sentSoFar() string { return "sent so far:\n" + transcript(g.h.net.messages()) }

// vote has nurse i's phone vote for the options numbered picks of poll p,
// and delivers the vote as WhatsApp would: in a LID group, from her LID,
// her phone number as the alternative (Chinedu's arrives by phone number,
// as in older groups).
func (g *quizGroup) vote(i int, p sent, picks ...int) {
	g.t.Helper()
	g.seq++
	var names []string
	for _, n := range picks {
		names = append(names, p.msg.GetPollCreationMessage().GetOptions()[n-1].GetOptionName())
	}
	// In a LID group the poll came from the bot's LID, as WhatsApp says
	// who sent it.
	poll := types.MessageInfo{MessageSource: types.MessageSource{Chat: group, Sender: p.sender, IsGroup: true}, ID: p.id}
	// Her phone received the poll, and with it the poll's secret.
	ctx := context.Background()
	if err := g.phone[i].Store.MsgSecrets.PutMessageSecret(ctx, group, p.sender, p.id, p.msg.GetMessageContextInfo().GetMessageSecret()); err != nil {
		g.t.Fatal(err)
	}
	msg, err := g.phone[i].BuildPollVote(ctx, &poll, names)
	if err != nil {
		g.t.Fatal(err)
	}
	evt := incoming(i, false, fmt.Sprintf("V%d", g.seq), g.app.Clock.Now(), msg)
	if i == 2 {
		evt.Info.Sender, evt.Info.SenderAlt, evt.Info.AddressingMode = nurses[i].pn, nurses[i].lid, types.AddressingModePN
	}
	g.h.w.onEvent(evt)
}

// waitSent waits until the bot has sent a message holding s.
func (g *quizGroup) waitSent(s string) {
	g.t.Helper()
	testkit.Eventually(g.t, 10*time.Second, fmt.Sprintf("the bot to say %q", s),
		func() bool { return strings.Contains(transcript(g.h.net.messages()), s) }, g.sentSoFar)
}

// TestGroupQuizThroughTheBoundary runs a group lesson through the adapter:
// three nurses in a WhatsApp group, whatsmeow message events in, polls
// out, votes encrypted by the nurses' own whatsmeow clients and decrypted
// by the bot's, one nurse changing her vote, a message delivered twice
// handled once, scores checked in the store
// and every message the bot sent checked, in order, against a transcript.
func TestGroupQuizThroughTheBoundary(t *testing.T) {
	g := newQuizGroup(t, huddletest.Options{})
	h, app := g.h, g.app

	g.say(0, "Good morning, ward 3")
	g.say(1, "Bonjour !")
	g.say(2, "Morning all")
	start := g.say(0, "/lesson poll-quiz")
	h.w.onEvent(start) // delivered twice (a reconnect): handled once

	drug := g.waitPoll(1)
	g.vote(0, drug, 1)     // Amina: right
	g.vote(1, drug, 2)     // Brigitte: wrong...
	g.vote(1, drug, 1)     // ...then changes her vote: the first one counts
	g.vote(2, drug, 1)     // Chinedu: right; everyone has answered
	shock := g.waitPoll(2) // the multi-select question follows
	g.vote(0, shock, 1)    // Amina ticks one...
	g.vote(0, shock, 1, 3)
	g.vote(0, shock, 1, 3, 4) // ...another, then Done: right
	g.vote(1, shock, 2, 4)    // Brigitte: wrong
	g.vote(2, shock, 3, 1, 4) // Chinedu: right, in any order

	// Wait for the end of the lesson.
	g.waitSent("see you next week")
	g.waitSent("Members who took part: 3") // the result follows the end
	golden(t, "testdata/transcripts/group-quiz.txt", transcript(h.net.messages()))

	want := map[string][2]int{"Amina": {2, 2}, "Brigitte": {2, 0}, "Chinedu": {2, 2}}
	for _, n := range nurses {
		rows := app.Progress(t, Name, n.lid.String())
		if len(rows) != 1 {
			t.Fatalf("%s: %d progress rows; want 1", n.name, len(rows))
		}
		if got := [2]int{rows[0].Answered, rows[0].Correct}; got != want[n.name] {
			t.Errorf("%s: answered, correct = %v; want %v", n.name, got, want[n.name])
		}
	}
}

// transcript renders what the bot sent, one message a line, for a golden
// file: polls with their options, quotes with the quoted message.
func transcript(msgs []sent) string {
	var b strings.Builder
	pollNo := map[string]int{}
	for _, s := range msgs {
		m := s.msg
		switch {
		case m.GetPollCreationMessage() != nil:
			p := m.GetPollCreationMessage()
			pollNo[s.id] = len(pollNo) + 1
			fmt.Fprintf(&b, "POLL %d (choose %d): %s\n", pollNo[s.id], p.GetSelectableOptionsCount(), strings.ReplaceAll(p.GetName(), "\n", " / "))
			for _, o := range p.GetOptions() {
				fmt.Fprintf(&b, "  - %s\n", o.GetOptionName())
			}
		case m.GetExtendedTextMessage() != nil:
			e := m.GetExtendedTextMessage()
			quoted := e.GetContextInfo().GetStanzaID()
			if n, ok := pollNo[quoted]; ok {
				quoted = fmt.Sprintf("poll %d", n)
			}
			fmt.Fprintf(&b, "TEXT (quoting %s): %s\n", quoted, strings.ReplaceAll(e.GetText(), "\n", " / "))
		default:
			fmt.Fprintf(&b, "TEXT: %s\n", strings.ReplaceAll(m.GetConversation(), "\n", " / "))
		}
	}
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
