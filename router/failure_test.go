package router_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/outbox"
	"github.com/huddlebot/huddle/privacy"
	"github.com/huddlebot/huddle/router"
	"github.com/huddlebot/huddle/store"
)

// brokenEngine fails on every message, as a bug would.
type brokenEngine struct{ bot.Engine }

func (brokenEngine) Offer(bot.EngineTx, bot.Session) (bool, error) {
	return false, errors.New("planted bug")
}

// broken runs a router on brokenEngine over the store wrap makes of a new
// database, with a sender to the simulator, until the test ends; consent
// is the notice to ask, if any.
func broken(t *testing.T, wrap func(*store.DB) bot.Updater, consent *bot.ConsentNotice) (*store.DB, *sim.Sim, *router.Router) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := sim.New(nil)
	sender := outbox.New(outbox.Config{Store: db, Channels: []bot.Channel{s}, Poll: 10 * time.Millisecond})
	r := router.New(router.Config{Store: wrap(db), Engine: brokenEngine{}, Features: []bot.Feature{privacy.Feature(privacy.Config{Notice: consent})}, Committed: sender.Wake})
	go sender.Run(ctx)
	go r.Run(ctx)
	go s.Run(ctx, r)
	return db, s, r
}

// TestFailureApologisesOnce: an event that trips a bug gets one apology,
// in the member's language, and is recorded as seen, so a redelivery
// neither loops nor apologises twice.
func TestFailureApologisesOnce(t *testing.T) {
	ctx := context.Background()
	_, s, router := broken(t, func(db *store.DB) bot.Updater { return db }, nil)
	ev := bot.Event{ID: "sim:dm-f:f:1", Channel: "sim", ChatID: "dm-f", ChatType: bot.Direct, SenderID: "f",
		SenderLang: "fr", MessageID: "1", Text: "hello"}
	for i := 0; i < 3; i++ {
		if err := router.HandleEvent(ctx, ev); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	testkit.Until(3*time.Second, func() bool { return len(s.Messages(ctx, "dm-f", 0, 0)) != 0 })
	time.Sleep(100 * time.Millisecond)
	got := s.Messages(ctx, "dm-f", 0, 0)
	if len(got) != 1 || got[0].Text != "Désolé, un problème est survenu de mon côté ; l'équipe est prévenue." {
		t.Errorf("messages = %+v, want one apology in French", got)
	}
}

// consentFails is a store whose consent look-up fails, as a bug would in
// the consent gate.
type consentFails struct{ *store.DB }

func (s consentFails) Update(ctx context.Context, fn func(bot.Tx) error) error {
	return s.DB.Update(ctx, func(tx bot.Tx) error { return fn(failingConsent{tx}) })
}

type failingConsent struct{ bot.Tx }

func (failingConsent) Consent(string, ...string) (bot.Consent, error) {
	return bot.Consent{}, errors.New("planted bug")
}

// TestFailureBeforeConsentKeepsNothing: an event that trips a bug before
// its sender passed the consent gate gets an apology too, and leaves no
// row that names them: not as a seen event, not in the outbox once sent.
func TestFailureBeforeConsentKeepsNothing(t *testing.T) {
	ctx := context.Background()
	db, s, router := broken(t, func(db *store.DB) bot.Updater { return consentFails{db} }, &bot.ConsentNotice{Version: 1})
	var err error
	ev := bot.Event{ID: "sim:dm-254722123456:254722123456:1", Channel: "sim", ChatID: "dm-254722123456", ChatType: bot.Direct,
		SenderID: "254722123456", MessageID: "1", Text: "hello"}
	if err := router.HandleEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	var traces []store.Trace
	testkit.Until(3*time.Second, func() bool {
		if traces, err = db.Traces(ctx, 0, "254722123456"); err != nil {
			t.Fatal(err)
		}
		if len(traces) == 0 && len(s.Messages(ctx, ev.ChatID, 0, 0)) > 0 {
			return true
		}
		return false
	})
	time.Sleep(100 * time.Millisecond)
	if got := s.Messages(ctx, ev.ChatID, 0, 0); len(got) != 1 || got[0].Text != "Sorry, something went wrong on my side; the team has been told." {
		t.Errorf("messages = %+v; want one apology", got)
	}
	if traces, err = db.Traces(ctx, 0, "254722123456"); err != nil || len(traces) != 0 {
		t.Errorf("the database holds the sender's number: %v %v", traces, err)
	}
}
