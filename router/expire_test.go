package router_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// flaky is a channel that cannot send while down (it asks to wait, as
// WhatsApp does during a ban or a logout) and whose messages expire after
// six hours; it records what it sent.
type flaky struct {
	mu   sync.Mutex
	down bool
	sent []string
}

func (f *flaky) Name() string                                 { return "flaky" }
func (f *flaky) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (f *flaky) MaxAge() time.Duration                        { return 6 * time.Hour }
func (f *flaky) Send(_ context.Context, m bot.Outbound) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return "", &bot.RetryError{After: 15 * time.Second, Err: errors.New("not connected")}
	}
	f.sent = append(f.sent, m.Text)
	return "id-" + m.Key, nil
}

func (f *flaky) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

// staffChannel records what the staff are told.
type staffChannel struct {
	mu  sync.Mutex
	got []string
}

func (s *staffChannel) Name() string                                 { return "staffnet" }
func (s *staffChannel) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (s *staffChannel) Send(_ context.Context, m bot.Outbound) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, m.Text)
	return "s", nil
}

// TestLateMessagesGivenUp: messages queued during an outage longer than
// the channel's MaxAge are given up when it comes back, not sent late;
// a fresh message is sent; the staff get one summary. Before, a channel
// that kept asking to wait kept its messages for ever (a retry error
// bypassed the attempt limit), and they went out days late.
func TestLateMessagesGivenUp(t *testing.T) {
	ch, staff := &flaky{down: true}, &staffChannel{}
	app := huddletest.Start(t, huddletest.Options{Staff: []bot.StaffRef{{Channel: "staffnet", ID: "lead"}}}, ch, staff)
	ctx := context.Background()
	enqueue := func(chat, key, text string) {
		t.Helper()
		err := app.DB.Update(ctx, func(tx bot.Tx) error {
			return tx.Enqueue(bot.Outbound{Channel: "flaky", ChatID: chat, Text: text, Key: key}, app.Clock.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	enqueue("ward-1", "a", "quiz 1 for ward 1")
	enqueue("ward-2", "b", "quiz 1 for ward 2")
	app.Clock.Advance(time.Hour)
	enqueue("ward-1", "c", "quiz 2 for ward 1")
	time.Sleep(100 * time.Millisecond) // tried while down
	app.Clock.Advance(6*time.Hour + time.Minute)
	ch.mu.Lock()
	ch.down = false
	ch.mu.Unlock()
	enqueue("ward-2", "d", "a fresh message")
	app.Wake()
	testkit.Eventually(t, 5*time.Second, "a message sent after the outage", func() bool { return len(ch.texts()) != 0 })
	// quiz 2 for ward 1 is 6h01m old, the others 7h01m: all three late.
	time.Sleep(100 * time.Millisecond)
	if got := ch.texts(); len(got) != 1 || got[0] != "a fresh message" {
		t.Errorf("sent after the outage: %q; want only the fresh message", got)
	}
	var told []string
	testkit.Until(5*time.Second, func() bool {
		staff.mu.Lock()
		told = append([]string(nil), staff.got...)
		staff.mu.Unlock()
		return len(told) != 0
	})
	if len(told) != 1 || !strings.Contains(told[0], "3 messages queued while it could not send") || !strings.Contains(told[0], "flaky") {
		t.Errorf("the staff were told %q; want one summary of the 3 late messages", told)
	}
}
