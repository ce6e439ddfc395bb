package sms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/adapters/sms/africastalking"
	"github.com/huddlebot/huddle/adapters/sms/smsgate"
	"github.com/huddlebot/huddle/adapters/sms/twilio"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/smsfake"
	"github.com/huddlebot/huddle/store"
)

// The cohort the tests use: two members, the numbers of the fakes'
// examples.
var (
	amina    = sms.Phone{Number: "+254700000001", Name: "Amina"}
	brigitte = sms.Phone{Number: "+254700000002", Name: "Brigitte"}
	ward     = sms.Cohort{ID: "ward-7-sms", Title: "Ward 7", Members: []sms.Phone{amina, brigitte}}
)

// openStore opens a store in a real SQLite file, closed when the test
// ends.
func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "huddle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// overTwilio is an SMS channel through the Twilio fake, sending at
// perSecond segments a second (the fake's rate too), with its webhook
// served; cfg's gateway and notebook are filled in, and its notebook is
// db when given.
func overTwilio(t testing.TB, cfg sms.Config, perSecond float64, db ...*store.DB) (*sms.SMS, *smsfake.Twilio, *store.DB) {
	t.Helper()
	fake := smsfake.NewTwilio(t)
	fake.PerSecond = perSecond
	if len(db) == 0 {
		db = append(db, openStore(t))
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	fake.Webhook = srv.URL + "/sms/twilio"
	if cfg.PublicURL == selfURL {
		cfg.PublicURL = srv.URL
	}
	gw, err := twilio.New(twilio.Config{AccountSID: fake.SID, AuthToken: fake.Token, From: fake.From, Webhook: fake.Webhook,
		API: fake.URL(), PerSecond: fake.PerSecond})
	if err != nil {
		t.Fatal(err)
	}
	return mount(t, mux, gw, db[0], cfg), fake, db[0]
}

// selfURL, as a Config's PublicURL, is the address the test serves the
// channel's routes at.
const selfURL = "self"

// overAfricasTalking is an SMS channel through the Africa's Talking fake.
func overAfricasTalking(t *testing.T, cfg sms.Config, perSecond float64) (*sms.SMS, *smsfake.AfricasTalking) {
	t.Helper()
	fake := smsfake.NewAfricasTalking(t, perSecond)
	db := openStore(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	secret := "callback-secret-0123456789"
	fake.Callback = srv.URL + "/sms/africastalking/" + secret
	gw, err := africastalking.New(africastalking.Config{Username: fake.Username, APIKey: fake.APIKey, Secret: secret,
		API: fake.URL(), PerSecond: perSecond})
	if err != nil {
		t.Fatal(err)
	}
	return mount(t, mux, gw, db, cfg), fake
}

// overSMSGate is an SMS channel through the SMS Gateway for Android fake,
// its numbers in Kenya.
func overSMSGate(t *testing.T, cfg sms.Config, perSecond float64) (*sms.SMS, *smsfake.SMSGate) {
	t.Helper()
	fake := smsfake.NewSMSGate(t, perSecond)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	fake.Webhook = srv.URL + "/sms/smsgate"
	gw, err := smsgate.New(smsgate.Config{API: fake.URL(), Username: fake.Username, Password: fake.Password,
		SigningKey: fake.SigningKey, Country: "+254", PerSecond: perSecond})
	if err != nil {
		t.Fatal(err)
	}
	return mount(t, mux, gw, openStore(t), cfg), fake
}

// mount makes the channel of cfg through gw, kept in db unless cfg names
// its notebook (the ward's cohort when cfg names none), and serves its
// routes on mux.
func mount(t testing.TB, mux *http.ServeMux, gw sms.Gateway, db *store.DB, cfg sms.Config) *sms.SMS {
	t.Helper()
	cfg.Gateway = gw
	if cfg.Notebook == nil {
		cfg.Notebook = db
	}
	if cfg.Gather == 0 {
		cfg.Gather = time.Millisecond
	}
	if cfg.Cohorts == nil {
		cfg.Cohorts = []sms.Cohort{clone(ward)}
	}
	ch, err := sms.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ch.Routes() {
		if !r.Public {
			t.Errorf("route %s is not public: the gateway reaches it", r.Pattern)
		}
		mux.Handle(r.Pattern, r.Handler)
	}
	return ch
}

// clone copies a cohort, so that New's normalising leaves the table's
// alone.
func clone(c sms.Cohort) sms.Cohort {
	c.Members = append([]sms.Phone(nil), c.Members...)
	return c
}

// events is a handler that keeps what reaches it.
type events struct{ ch chan bot.Event }

func newEvents() *events { return &events{ch: make(chan bot.Event, 1024)} }

func (e *events) HandleEvent(_ context.Context, ev bot.Event) error {
	e.ch <- ev
	return nil
}

// none reports an event that reached the handler though it should not
// have: what names the kind of event.
func (e *events) none(t *testing.T, what string) {
	t.Helper()
	select {
	case ev := <-e.ch:
		t.Errorf("%s reached the bot: %+v", what, ev)
	default:
	}
}

// next waits for the next event.
func (e *events) next(t *testing.T) bot.Event {
	t.Helper()
	select {
	case ev := <-e.ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event in 10s")
		return bot.Event{}
	}
}

// run runs ch with h until the test ends.
func run(t *testing.T, ch *sms.SMS, h bot.Handler) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return ctx
}

// lateNotebook is the App's store as a notebook, once huddletest has
// opened it (before the App, and so the channel, starts).
type lateNotebook struct{ db *store.DB }

func (n *lateNotebook) WriteNotes(ctx context.Context, channel string, put []bot.Note, drop []string) error {
	return n.db.WriteNotes(ctx, channel, put, drop)
}

func (n *lateNotebook) Notes(ctx context.Context, channel, prefix string, limit int) ([]bot.Note, error) {
	return n.db.Notes(ctx, channel, prefix, limit)
}
