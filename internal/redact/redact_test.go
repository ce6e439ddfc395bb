package redact_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/internal/redact"
)

// jid stands in for whatsmeow's types.JID: a Stringer.
type jid struct{ user, server string }

func (j jid) String() string { return j.user + "@" + j.server }

// TestHandlerMasksNumbers logs, through the JSON handler, each way a
// number can reach a record, and reads the line back.
func TestHandlerMasksNumbers(t *testing.T) {
	sendErr := fmt.Errorf("send to 254722123456@s.whatsapp.net: %w", errors.New("websocket closed"))
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want map[string]any // fields of the line, as JSON decodes them
	}{
		{"message", func(l *slog.Logger) { l.Warn("Failed to decrypt message from 254722123456:12@s.whatsapp.net") },
			map[string]any{"msg": "Failed to decrypt message from [number]:12@s.whatsapp.net"}},
		{"error value", func(l *slog.Logger) { l.Warn("send failed; will retry", "err", sendErr) },
			map[string]any{"err": "send to [number]@s.whatsapp.net: websocket closed"}},
		{"error without a number keeps its form", func(l *slog.Logger) { l.Error("mark sent", "err", errors.New("database is locked")) },
			map[string]any{"err": "database is locked"}},
		{"string", func(l *slog.Logger) {
			l.Info("added to a group", "group", "120363025246125888@g.us", "lid", "+165463981236447")
		},
			map[string]any{"group": "[number]@g.us", "lid": "[number]"}},
		{"Stringer", func(l *slog.Logger) { l.Info("connected", "as", jid{"254722123456", "s.whatsapp.net"}) },
			map[string]any{"as": "[number]@s.whatsapp.net"}},
		{"group", func(l *slog.Logger) { l.Info("chat", slog.Group("to", "id", "-1001234567890", "n", 3)) },
			map[string]any{"to": map[string]any{"id": "-[number]", "n": 3.0}}},
		{"With attributes", func(l *slog.Logger) { l.With("chat", "254733222333").WithGroup("g").Info("waits", "n", 2) },
			map[string]any{"chat": "[number]", "g": map[string]any{"n": 2.0}}},
		{"integers are Huddle's own ids", func(l *slog.Logger) { l.Info("member forgotten", "member", 12345678, "outbox", int64(98765432)) },
			map[string]any{"member": 12345678.0, "outbox": 98765432.0}},
		{"short numbers stay", func(l *slog.Logger) { l.Info("listening on 127.0.0.1:8080", "lessons", "3 of 123456") },
			map[string]any{"msg": "listening on 127.0.0.1:8080", "lessons": "3 of 123456"}},
		{"debug keeps them", func(l *slog.Logger) { l.Debug("frame from 254722123456@s.whatsapp.net", "err", sendErr) },
			map[string]any{"msg": "frame from 254722123456@s.whatsapp.net", "err": sendErr.Error()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), nil))
			tt.log(log)
			var got map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("%v: %s", err, buf.Bytes())
			}
			for k, want := range tt.want {
				if fmt.Sprint(got[k]) != fmt.Sprint(want) {
					t.Errorf("%s = %v; want %v (line %s)", k, got[k], want, strings.TrimSpace(buf.String()))
				}
			}
		})
	}
}

// token is a bot token of Telegram's form.
const token = "7403281119:AAH-x_9fQz3kLmNoPqRsTuVwXyZ012345678"

// TestSecretsMasked logs, at every level and through every way a value
// reaches a record, the configured secrets, and reads the bytes back.
func TestSecretsMasked(t *testing.T) {
	secrets := redact.NewSecrets(token, "webhook-secret-0123456789", "p@ss w/rd!", "", "ab")
	urlErr := fmt.Errorf("telegram getMe: %w", errors.New(`Post "https://api.telegram.org/bot`+token+`/getMe": dial tcp: connection refused`))
	var buf bytes.Buffer
	log := slog.New(redact.NewHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), secrets))
	log.Debug("request", "err", urlErr)
	log.Info("cannot reach Telegram: "+token, "url", "https://x/bot"+token+"/")
	log.With("conn", "postgres://huddle:p%40ss+w%2Frd%21@db/huddle").Warn("down", slog.Group("g", "e", urlErr))
	log.Error("webhook", "secret", jid{"webhook-secret-0123456789", "x"})
	out := buf.String()
	for _, secret := range []string{token, "7403281119:AAH", "webhook-secret", "p%40ss", "p@ss"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
	if n := strings.Count(out, redact.SecretMask); n != 6 {
		t.Errorf("%d masks; want 6:\n%s", n, out)
	}
	if got := secrets.Error(urlErr); strings.Contains(got, token) || !strings.Contains(got, "connection refused") {
		t.Errorf("Error = %q", got)
	}
	if got := (*redact.Secrets)(nil).String("a " + token); got != "a "+token {
		t.Errorf("nil Secrets changed %q", got)
	}
	if got := redact.NewSecrets("ab").String("ab cd"); got != "ab cd" {
		t.Errorf("a two-letter secret masked ordinary text: %q", got)
	}
}

// TestPasswordOf reads a connection string's password.
func TestPasswordOf(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://huddle:s3cret%21@db:5432/huddle": "s3cret!",
		"postgres://huddle@db/huddle":                "",
		"./data/huddle.db":                           "",
		"::bad":                                      "",
	} {
		if got := redact.PasswordOf(in); got != want {
			t.Errorf("PasswordOf(%q) = %q; want %q", in, got, want)
		}
	}
}
