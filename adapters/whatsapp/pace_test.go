package whatsapp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// TestPacingBroadcast starts a lesson in 20 groups at once and sends the
// lot through the real outbox sender on a fake clock: every chat's gap and
// the overall rate hold while sends to different chats overlap (a send
// types for a while first), each chat gets its messages in order, and
// chats waiting out their gap do not hold up the others. It logs the
// figures.
//
// It runs in a synctest bubble: the goroutine that moves the fake clock
// on sleeps in the bubble's time, which passes only while every goroutine
// in it waits, so work (the store's writes, whatsmeow's) takes no clock
// time however busy the machine is, and the gaps measured are the ones
// the pacer chose.
func TestPacingBroadcast(t *testing.T) { synctest.Test(t, pacingBroadcast) }

func pacingBroadcast(t *testing.T) {
	const (
		groups    = 20
		chatGap   = 10 * time.Second
		perMinute = 40.0 // one message every 1.5 s in all
		jitter    = 500 * time.Millisecond
		step      = 20 * time.Millisecond
		slack     = 2 * step
	)
	ref := &storeRef{}
	h := newHarness(t, Config{ChatGap: chatGap, PerMinute: perMinute, Jitter: jitter, Outbox: ref})
	clk := huddletest.NewClock() // set before the adapter runs: it reads it
	fake := manualClock{clk}
	h.net.clock, h.w.cfg.Clock = fake, fake
	app := huddletest.Start(t, huddletest.Options{Lessons: "testdata/lessons", Clock: clk}, h.w)
	h.running(t)
	ref.db = app.DB
	// Time runs on, 20 ms a (bubble's) millisecond: the sender waits for a
	// chat's gap to pass and the adapter's sends, several at once, sleep
	// until their slots. A sleeper looks at the clock every millisecond,
	// so it may wake up to two steps late: the gaps are checked to within
	// that.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				app.Clock.Advance(step)
			}
		}
	}()
	chats := make([]types.JID, groups)
	for g := range chats {
		chats[g] = types.NewJID(fmt.Sprintf("1203630000000001%02d", g), types.GroupServer)
		evt := incoming(0, false, fmt.Sprintf("L%d", g), app.Clock.Now(), &waE2E.Message{Conversation: proto.String("/lesson poll-quiz")})
		evt.Info.Chat = chats[g]
		h.w.onEvent(evt)
	}
	const perChat = 3 // title, introduction, poll
	testkit.Eventually(t, 30*time.Second, fmt.Sprintf("%d messages sent", groups*perChat), func() bool {
		return len(h.net.messages()) >= groups*perChat
	}, func() string {
		var b strings.Builder
		pend, _ := app.DB.PendingOutbox(context.Background(), Name, app.Clock.Now().Add(24*time.Hour), 100, nil)
		for _, p := range pend {
			fmt.Fprintf(&b, "pending: %d %s attempts=%d %q\n", p.ID, p.ChatID, p.Attempts, p.Text)
		}
		fmt.Fprintf(&b, "%d sent (clock at +%s)", len(h.net.messages()), app.Clock.Now().Sub(huddletest.NewClock().Now()))
		return b.String()
	})
	msgs := h.net.messages()
	byChat := map[types.JID][]sent{}
	minGap, minChatGap := time.Duration(1<<62), time.Duration(1<<62)
	for i, s := range msgs {
		if i > 0 {
			minGap = min(minGap, s.at.Sub(msgs[i-1].at))
		}
		if prev := byChat[s.to]; len(prev) > 0 {
			minChatGap = min(minChatGap, s.at.Sub(prev[len(prev)-1].at))
		}
		byChat[s.to] = append(byChat[s.to], s)
	}
	if minGap < time.Minute/time.Duration(perMinute)-slack {
		t.Errorf("two messages %s apart; the overall gap is %s", minGap, time.Minute/time.Duration(perMinute))
	}
	if minChatGap < chatGap-slack {
		t.Errorf("two messages to one chat %s apart; the chat gap is %s", minChatGap, chatGap)
	}
	for _, c := range chats {
		got := byChat[c]
		if len(got) != perChat || got[0].msg.GetConversation() != "📘 PPH check" ||
			!strings.HasPrefix(got[1].msg.GetConversation(), "Two questions") || got[2].msg.GetPollCreationMessage() == nil {
			t.Errorf("chat %s got, in order: %s", c, transcript(got))
		}
	}
	span := msgs[len(msgs)-1].at.Sub(msgs[0].at)
	// Chats take turns: a chat waiting out its gap holds up no other, so
	// the broadcast takes far less than one chat gap per message.
	if oneByOne := time.Duration(len(msgs)) * chatGap; span >= oneByOne/2 {
		t.Errorf("took %s; one chat at a time would take %s", span, oneByOne)
	}
	t.Logf("%d messages to %d groups in %s of clock time: %.1f a minute (limit %.0f); least gap %s overall (limit %s), %s in a chat (limit %s)",
		len(msgs), groups, span.Round(time.Second), float64(len(msgs)-1)/span.Minutes(), perMinute,
		minGap.Round(time.Millisecond), time.Minute/time.Duration(perMinute), minChatGap.Round(time.Millisecond), chatGap)
}
