package huddle_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/browsertest"
)

// refusing is the simulator with a platform that refuses every message
// while broken is set, as Telegram refuses one to a chat it cannot find.
type refusing struct {
	*sim.Sim
	broken  atomic.Bool
	refused atomic.Int64 // messages refused so far
}

func (r *refusing) Send(ctx context.Context, m bot.Outbound) (string, error) {
	if r.broken.Load() {
		r.refused.Add(1)
		return "", &bot.PermanentError{Err: errors.New("Bad Request: chat not found")}
	}
	return r.Sim.Send(ctx, m)
}

// TestUndeliveredInBrowser: a message the platform refuses is given up,
// its chat goes on (the next message arrives), and the dashboard lists it
// with the platform's reason; staff press "Send again" in a real browser
// and it is delivered, after which the list is empty.
func TestUndeliveredInBrowser(t *testing.T) {
	ch := &refusing{Sim: sim.New(nil)}
	app := run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{ch},
		Listen: "127.0.0.1:0", NoConsent: true, Logger: quiet, Tuning: huddle.Tuning{SenderPoll: 20 * time.Millisecond}})
	ctx := context.Background()
	post := func(text string) {
		t.Helper()
		var postErr error
		testkit.Eventually(t, 5*time.Second, "the simulator to take a message", func() bool {
			_, postErr = ch.Post(ctx, sim.Post{Chat: "dm-amina", ChatType: bot.Direct, Sender: "amina", Name: "Amina", Text: text})
			return postErr == nil
		}, func() string { return postErr.Error() })
	}
	said := func(text string) bool {
		for _, m := range ch.Messages(ctx, "dm-amina", 0, 0) {
			if m.Bot && strings.Contains(m.Text, text) {
				return true
			}
		}
		return false
	}
	ch.broken.Store(true)
	post("/lessons")
	// Given up at once (a permanent refusal); the chat goes on.
	testkit.Eventually(t, 5*time.Second, "the answer to /lessons refused", func() bool { return ch.refused.Load() > 0 })
	ch.broken.Store(false)
	post("/progress")
	testkit.Eventually(t, 5*time.Second, "the chat to go on after a message was given up", func() bool { return said("answered any lesson yet") }, func() string { return fmt.Sprintf("%+v", ch.Messages(ctx, "dm-amina", 0, 0)) })
	if said("Lessons") {
		t.Fatal("the refused message was delivered")
	}

	bctx := browsertest.Start(t, 1000, 800)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(app.URL()+"/dashboard/"), chromedp.WaitVisible(chromedp.CSS("#undelivered-note"))); err != nil {
		t.Fatal(err)
	}
	overview := text("#undelivered-note")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS("#undelivered-note a")), chromedp.WaitVisible(chromedp.CSS("#undelivered"))); err != nil {
		t.Fatal(err)
	}
	list, reason := text("#undelivered tbody"), text("#undelivered td.reason")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS("button.resend")), chromedp.WaitVisible(chromedp.CSS("tr.queued"))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(overview, "1 messages not delivered") || !strings.Contains(list, "Lessons") || !strings.Contains(reason, "chat not found") {
		t.Errorf("overview %q; list %q; reason %q", overview, list, reason)
	}
	testkit.Eventually(t, 5*time.Second, "the message sent again to arrive", func() bool { return said("Lessons") })
	if err := chromedp.Do(bctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#none"))); err != nil {
		t.Fatalf("after sending it again the list: %v", err)
	}
	if none := text("#none"); !strings.Contains(none, "Every message was delivered") {
		t.Errorf("after sending it again the list says %q", none)
	}
}
