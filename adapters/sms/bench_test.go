package sms_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/smsfake"
)

// benchChannel is a channel over a real SQLite store and the Twilio
// fake, for a cohort of 200.
func benchChannel(b *testing.B) (*sms.SMS, *smsfake.Twilio, sms.Cohort) {
	b.Helper()
	c := cohortOf(200)
	ch, fake, _ := overTwilio(b, sms.Config{Cohorts: []sms.Cohort{clone(c)}, Digest: time.Hour}, 1000)
	return ch, fake, c
}

// BenchmarkCohortSend queues a lesson's text for a cohort of 200: one
// note a phone, and the message's marker, in one transaction.
func BenchmarkCohortSend(b *testing.B) {
	ch, _, c := benchChannel(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := ch.Send(ctx, bot.Outbound{Channel: sms.Name, ChatID: c.ID, Key: fmt.Sprintf("bench:%d", i),
			Text: "Danger signs: a newborn who breathes fast, will not feed or feels cold needs a health worker today."}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/200, "µs/phone")
}

// BenchmarkCohortText takes a member's text in a cohort of 200 at the
// webhook, signed as Twilio signs it: the event, and the note of it for
// each of the 199 others' digests.
func BenchmarkCohortText(b *testing.B) {
	ch, fake, c := benchChannel(b)
	h := &countHandler{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ch.Run(ctx, h)
	for fake.Text(b, c.Members[0].Number, "warming up") != 200 {
		time.Sleep(time.Millisecond)
	}
	h.n.Store(0)
	b.ResetTimer()
	for i := range b.N {
		if code := fake.Text(b, c.Members[i%200].Number, "#C12 I would check her haemoglobin first."); code != 200 {
			b.Fatalf("the webhook answered %d", code)
		}
	}
	if n := h.n.Load(); n != int64(b.N) {
		b.Fatalf("%d events for %d texts", n, b.N)
	}
}

// countHandler counts the events it takes.
type countHandler struct{ n atomic.Int64 }

func (h *countHandler) HandleEvent(context.Context, bot.Event) error {
	h.n.Add(1)
	return nil
}
