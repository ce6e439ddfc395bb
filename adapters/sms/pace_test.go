package sms_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/adapters/sms/twilio"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/smsfake"
)

// cohortOf is a cohort of n phones.
func cohortOf(n int) sms.Cohort {
	c := sms.Cohort{ID: "district-sms", Title: "District"}
	for i := range n {
		c.Members = append(c.Members, sms.Phone{Number: fmt.Sprintf("+2547100%05d", i), Name: fmt.Sprintf("CHW %d", i)})
	}
	return c
}

// checkEach fails unless each phone of c got want, in order, once (texts
// queued together may come joined in one SMS).
func checkEach(t *testing.T, c sms.Cohort, want []string, texts func(string) []smsfake.Text) {
	t.Helper()
	for _, p := range c.Members {
		if got := bodies(texts(p.Number)); strings.Join(got, "\n\n") != strings.Join(want, "\n\n") {
			t.Errorf("%s got %q, want %q", p.Number, got, want)
			return
		}
	}
}

// TestCohortOf200 sends two lessons to a cohort of 200, a group's size,
// through each gateway's fake, which refuses what goes faster than its
// rate (Twilio's queue overflowing, Africa's Talking's and the Android
// phone's 429): every phone
// gets each text once, in order, and nothing is refused.
func TestCohortOf200(t *testing.T) {
	c := cohortOf(200)
	lessons := []string{"Lesson 1: danger signs in the newborn.", "Lesson 2: keeping the baby warm."}
	for _, gw := range []struct {
		name  string
		start func(t *testing.T, cfg sms.Config) (*sms.SMS, func(string) []smsfake.Text, func() []string)
	}{
		{"twilio", func(t *testing.T, cfg sms.Config) (*sms.SMS, func(string) []smsfake.Text, func() []string) {
			ch, fake, _ := overTwilio(t, cfg, 100)
			fake.QueueLimit = time.Second
			return ch, fake.Texts, fake.Refused
		}},
		{"africastalking", func(t *testing.T, cfg sms.Config) (*sms.SMS, func(string) []smsfake.Text, func() []string) {
			ch, fake := overAfricasTalking(t, cfg, 150)
			return ch, fake.Texts, fake.Refused
		}},
		{"smsgate", func(t *testing.T, cfg sms.Config) (*sms.SMS, func(string) []smsfake.Text, func() []string) {
			ch, fake := overSMSGate(t, cfg, 150)
			return ch, fake.Texts, fake.Refused
		}},
	} {
		t.Run(gw.name, func(t *testing.T) {
			ch, texts, refused := gw.start(t, sms.Config{Digest: time.Hour, Cohorts: []sms.Cohort{clone(c)},
				Costs: map[string]sms.Price{"+254": {Currency: "KES", Amount: 0.8}}})
			ctx := run(t, ch, newEvents())
			for _, l := range lessons {
				send(t, ctx, ch, bot.Outbound{ChatID: c.ID, Text: l})
			}
			last := c.Members[len(c.Members)-1].Number
			testkit.Eventually(t, 60*time.Second, "both lessons to reach the last phone", func() bool {
				return strings.Contains(strings.Join(bodies(texts(last)), "\n"), "Lesson 2")
			})
			checkEach(t, c, lessons, texts)
			if r := refused(); len(r) > 0 {
				t.Errorf("the gateway refused %d requests: %q", len(r), r[0])
			}
			// Africa's Talking says what each text cost; Twilio does not.
			// (Two segments a phone, or one where the lessons came joined.)
			segs := 0
			for _, p := range c.Members {
				for _, tx := range texts(p.Number) {
					segs += tx.Segments
				}
			}
			want := fmt.Sprintf("%d segments to +254 ≈ KES %.2f (KES 0.80 a segment)", segs, 0.8*float64(segs))
			if gw.name == "africastalking" {
				want += fmt.Sprintf(", billed KES %.2f", 0.8*float64(segs))
			}
			testkit.Eventually(t, 5*time.Second, "the state to count them", func() bool { return strings.Contains(ch.State().Detail, want) })
		})
	}
}

// TestRestartLosesNothing: texts queued while the gateway cannot be
// reached wait in the store; a channel started again on it sends each
// once.
func TestRestartLosesNothing(t *testing.T) {
	db := openStore(t)
	gw, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: "t", From: "+15005550006",
		Webhook: "https://huddle.example.org/sms/twilio", API: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := sms.New(sms.Config{Gateway: gw, Notebook: db, Cohorts: []sms.Cohort{clone(ward)}, Digest: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx, newEvents()) }()
	send(t, ctx, first, bot.Outbound{ChatID: ward.ID, Text: "Lesson 4: breastfeeding in the first hour."})
	testkit.Eventually(t, 10*time.Second, "the channel to report trouble", func() bool { return !first.State().OK })
	if !strings.Contains(first.State().Detail, "twilio") {
		t.Errorf("state %q", first.State().Detail)
	}
	cancel()
	<-done
	second, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 20, db)
	run(t, second, newEvents())
	want := []string{"Lesson 4: breastfeeding in the first hour."}
	testkit.Eventually(t, 10*time.Second, "both texts", func() bool { return len(fake.All()) >= 2 })
	time.Sleep(300 * time.Millisecond) // a second send would have come by now
	checkEach(t, ward, want, fake.Texts)
}

// TestGivenUp: a text the gateway refuses for good is not tried again;
// the staff hear of it, the number masked and its cohort named, and the
// others still get theirs.
func TestGivenUp(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 20)
	fake.Landline(amina.Number)
	evs := newEvents()
	ctx := run(t, ch, evs)
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "Lesson 5."})
	ev := evs.next(t)
	if ev.Kind != bot.ChannelNotice || !strings.Contains(ev.Text, "21614") || strings.Contains(ev.Text, amina.Number) ||
		!strings.Contains(ev.Text, "An SMS to +254••••••001 (Ward 7) was given up") {
		t.Errorf("the staff heard %+v; want a notice of the refusal, the number masked, its cohort named", ev)
	}
	if got := waitTexts(t, fake, brigitte.Number, 1); got[0] != "Lesson 5." {
		t.Errorf("Brigitte got %q", got)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(fake.Refused()); n != 1 {
		t.Errorf("Twilio was asked %d times: %q", n, fake.Refused())
	}
	if !strings.Contains(ch.State().Detail, "1 failed") {
		t.Errorf("state %q", ch.State().Detail)
	}
}

// TestCosts: the channel's state says what the month's texts cost, by
// priced prefix, and counts on from the store after a restart.
func TestCosts(t *testing.T) {
	costs := map[string]sms.Price{"+2547": {Currency: "KES", Amount: 0.8}}
	db := openStore(t)
	first, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour, Costs: costs,
		Cohorts: []sms.Cohort{{ID: "mixed-sms", Members: []sms.Phone{amina, {Number: "+256700000003", Name: "Okello"}}}}}, 20, db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx, newEvents()) }()
	// 161 GSM-7 characters: two segments each.
	send(t, ctx, first, bot.Outbound{ChatID: "mixed-sms", Text: strings.Repeat("a", 161)})
	testkit.Eventually(t, 10*time.Second, "both texts", func() bool { return len(fake.All()) == 2 })
	want := time.Now().UTC().Format("January 2006") + ": 2 segments to other numbers, no price set; 2 segments to +2547 ≈ KES 1.60 (KES 0.80 a segment)"
	testkit.Eventually(t, 5*time.Second, "the state to count them", func() bool { return strings.Contains(first.State().Detail, want) })
	cancel()
	<-done
	second, fake2, _ := overTwilio(t, sms.Config{Digest: time.Hour, Costs: costs}, 20, db)
	ctx = run(t, second, newEvents())
	send(t, ctx, second, bot.Outbound{ChatID: amina.Number, Text: "Your review is due."})
	testkit.Eventually(t, 10*time.Second, "the text", func() bool { return len(fake2.All()) == 1 })
	want = "3 segments to +2547 ≈ KES 2.40"
	testkit.Eventually(t, 5*time.Second, "the state to count on", func() bool { return strings.Contains(second.State().Detail, want) })
}

// TestQueuedOnce: the outbox asking twice for one message (it could not
// record the first answer before a crash) queues it once: one text a
// phone, and the same id.
func TestQueuedOnce(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 20)
	ctx := run(t, ch, newEvents())
	m := bot.Outbound{Channel: sms.Name, ChatID: ward.ID, Text: "Lesson 8: skin to skin.", Key: "run:42:say:3"}
	first, err := ch.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	second, err := ch.Send(ctx, m)
	if err != nil || second != first {
		t.Errorf("asked again: %q, %v; want %q", second, err, first)
	}
	testkit.Eventually(t, 10*time.Second, "the texts", func() bool { return len(fake.All()) >= 2 })
	time.Sleep(300 * time.Millisecond)
	checkEach(t, ward, []string{"Lesson 8: skin to skin."}, fake.Texts)
}
