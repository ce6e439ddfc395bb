package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/whatsapp"
	"github.com/huddlebot/huddle/internal/filelock"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
)

// TestWhatsAppWithoutNetwork runs `huddle whatsapp pair` and `status`
// where WhatsApp cannot be reached (through a proxy on a closed loopback
// port, which whatsmeow takes from HTTPS_PROXY as net/http does, so the
// test means the same with or without internet): each fails within
// seconds with a clear message, no hang, no stack trace.
func TestWhatsAppWithoutNetwork(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("https_proxy", "http://127.0.0.1:1")
	dir := t.TempDir()
	t.Setenv("HUDDLE_CHANNELS_WHATSAPP_SESSION_DB", filepath.Join(dir, "wa.db"))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"whatsapp", "pair"}, "cannot reach WhatsApp"},
		{[]string{"whatsapp", "pair", "--phone", "+254700000000"}, "cannot reach WhatsApp"},
		{[]string{"whatsapp", "pair", "--phone", "0700"}, "not a phone number"},
		{[]string{"whatsapp", "status"}, "not paired"},
	}
	// status first, on no session: it says so and creates nothing.
	var out bytes.Buffer
	root := newRootCmd(&out, &out)
	root.SetArgs([]string{"whatsapp", "status"})
	if err := root.ExecuteContext(context.Background()); err == nil || !strings.Contains(out.String(), "no session file") {
		t.Errorf("status without a session: %v, %q", err, out.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("status created %v", entries)
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := newRootCmd(&out, &errOut)
			root.SetArgs(tt.args)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			err := root.ExecuteContext(ctx)
			took := time.Since(start)
			if err == nil {
				t.Fatalf("succeeded; want a failure\n%s", out.String())
			}
			if msg := err.Error() + out.String(); !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, output %q; want %q", err, out.String(), tt.want)
			}
			if took > 25*time.Second {
				t.Errorf("took %s; want a quick answer", took)
			}
		})
	}
}

// TestWhatsAppStatusWhileRunning: while huddle runs it holds the session,
// and `huddle whatsapp status` reports the state the running adapter
// keeps beside it: paused by a ban, until when, and the undecryptable
// messages counted.
func TestWhatsAppStatusWhileRunning(t *testing.T) {
	dir := t.TempDir()
	session := filepath.Join(dir, "wa.db")
	t.Setenv("HUDDLE_CHANNELS_WHATSAPP_SESSION_DB", session)
	os.WriteFile(session, nil, 0o600)
	lock, err := filelock.Lock(session) // as a running huddle holds it
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	until := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	h, _ := json.Marshal(whatsapp.Health{Outage: "the temporary ban", BannedUntil: until, Undecryptable: 2, Removed: []string{"120363000000000001@g.us"}, Groups: []string{"Ward 3 nurses", "Ward 4 nurses"}, At: until.Add(-time.Hour)})
	os.WriteFile(whatsapp.HealthFile(session), h, 0o600)
	out, err := execute(t, "whatsapp", "status")
	if err == nil {
		t.Errorf("status succeeded during a ban:\n%s", out)
	}
	for _, want := range []string{"huddle is running", "paused: the temporary ban", "banned until:   2026-03-02 12:00:00", "undecryptable:  2 messages", "removed from:   120363000000000001@g.us", "groups heard:   Ward 3 nurses, Ward 4 nurses"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}

// TestWhatsAppStatusSharedSession: with the session kept in PostgreSQL
// (shared by instances), `huddle whatsapp status` says whether it is
// paired without connecting, which would take the session from the
// instance holding it, and without the database's address.
func TestWhatsAppStatusSharedSession(t *testing.T) {
	url := pgtest.URL(t)
	t.Setenv("HUDDLE_CHANNELS_WHATSAPP_SESSION_DB", url)
	out, err := execute(t, "whatsapp", "status")
	if err == nil || !strings.Contains(out, "paired:    no (the session is kept in the database)") {
		t.Errorf("status of an unpaired shared session: %v\n%s", err, out)
	}
	if strings.Contains(out, url) {
		t.Errorf("status shows the database's address:\n%s", out)
	}
}
