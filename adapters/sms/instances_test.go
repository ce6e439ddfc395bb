package sms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/adapters/sms/twilio"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/internal/testkit/smsfake"
	"github.com/huddlebot/huddle/store"
)

// TestTwoInstances: two instances on one PostgreSQL database, each with
// the SMS channel. One at a time sends (the lease), so each phone gets
// each text once; when the sending one stops, the other sends what comes
// next; a member's text reaching either instance is taken there.
func TestTwoInstances(t *testing.T) {
	url := pgtest.URL(t)
	fake := smsfake.NewTwilio(t)
	fake.PerSecond = 20
	type instance struct {
		ch     *sms.SMS
		url    string
		evs    *events
		cancel context.CancelFunc
		done   chan error
	}
	var inst []*instance
	for _, name := range []string{"a", "b"} {
		db, err := store.OpenPostgres(context.Background(), url, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		mux := http.NewServeMux()
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		// Twilio signs for the one address set in its console: a load
		// balancer's. Here each instance checks the first's address.
		if fake.Webhook == "" {
			fake.Webhook = srv.URL + "/sms/twilio"
		}
		gw, err := twilio.New(twilio.Config{AccountSID: fake.SID, AuthToken: fake.Token, From: fake.From, Webhook: fake.Webhook,
			API: fake.URL(), PerSecond: fake.PerSecond})
		if err != nil {
			t.Fatal(err)
		}
		ch := mount(t, mux, gw, db, sms.Config{Digest: time.Hour, Leases: db, Instance: name, LeaseTTL: 3 * time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		in := &instance{ch: ch, url: srv.URL, evs: newEvents(), cancel: cancel, done: make(chan error, 1)}
		go func() { in.done <- ch.Run(ctx, in.evs) }()
		t.Cleanup(func() { cancel(); <-in.done })
		inst = append(inst, in)
	}
	ctx := context.Background()
	// Queued at b, whichever sends.
	send(t, ctx, inst[1].ch, bot.Outbound{ChatID: ward.ID, Text: "Lesson 9: kangaroo care."})
	testkit.Eventually(t, 15*time.Second, "the first lesson on both phones", func() bool { return len(fake.All()) >= 2 })
	// The first instance stops (whether it held the lease or not).
	inst[0].cancel()
	if err := <-inst[0].done; err != nil {
		t.Errorf("a's Run: %v", err)
	}
	inst[0].done <- nil // for the cleanup
	send(t, ctx, inst[1].ch, bot.Outbound{ChatID: ward.ID, Text: "Lesson 10: when to refer."})
	testkit.Eventually(t, 15*time.Second, "the second lesson on both phones", func() bool { return len(fake.All()) >= 4 })
	time.Sleep(time.Second) // a second sender would have sent again by now
	checkEach(t, ward, []string{"Lesson 9: kangaroo care.", "Lesson 10: when to refer."}, fake.Texts)
	// A member's text reaching the other instance is taken there.
	if code := fake.TextVia(t, inst[1].url+"/sms/twilio", amina.Number, "Done, thank you"); code != 200 {
		t.Fatalf("b's webhook answered %d", code)
	}
	if ev := inst[1].evs.next(t); ev.Text != "Done, thank you" || ev.SenderID != amina.Number {
		t.Errorf("b heard %+v", ev)
	}
}
