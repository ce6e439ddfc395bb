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
			log := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
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
