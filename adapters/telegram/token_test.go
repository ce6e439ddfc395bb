package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/botapifake"
)

// token is a bot token of Telegram's form, as @BotFather gives one.
const token = "7403281119:AAH-x_9fQz3kLmNoPqRsTuVwXyZ012345678"

// TestTokenKeptOutOfErrors makes each call the channel makes fail each way
// a call to Telegram can (a refused connection, a time-out, a TLS failure,
// a proxy's 502 page, Telegram's 401, a connection closed mid-answer) and
// checks the bot's token is in no error returned and no line logged, with
// a logger that masks nothing: the boundary itself keeps it out.
func TestTokenKeptOutOfErrors(t *testing.T) {
	refused := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}
	tlsServer := func(t *testing.T) string {
		srv := httptest.NewTLSServer(http.NotFoundHandler()) // a certificate no one trusts
		t.Cleanup(srv.Close)
		return srv.URL
	}
	faked := func(f botapifake.Failure) func(t *testing.T) string {
		return func(t *testing.T) string {
			fake := botapifake.Start(t, botapifake.Config{Token: token})
			fake.Fail("*", f)
			return fake.URL
		}
	}
	tests := []struct {
		name     string
		endpoint func(t *testing.T) string
		want     string // in the error
	}{
		{"refused connection", refused, "connection refused"},
		{"time-out", faked(botapifake.Failure{Hang: true}), "Timeout"},
		{"TLS failure", tlsServer, "certificate"},
		{"5xx with an HTML body", faked(botapifake.Failure{Status: http.StatusBadGateway, ContentType: "text/html",
			Body: "<html><body><h1>502 Bad Gateway</h1><p>/bot" + token + "/sendMessage</p></body></html>"}), "invalid character"},
		{"401", faked(botapifake.Failure{Status: http.StatusUnauthorized, ContentType: "application/json",
			Body: `{"ok":false,"error_code":401,"description":"Unauthorized"}`}), "Unauthorized"},
		{"connection closed", faked(botapifake.Failure{Close: true}), "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
			// A short time-out for the hanging server; room for a TLS
			// handshake on a busy machine for the others.
			timeout := 5 * time.Second
			if tt.name == "time-out" {
				timeout = 300 * time.Millisecond
			}
			tg, err := telegram.New(context.Background(), telegram.Config{Token: token, APIEndpoint: tt.endpoint(t),
				Logger: log, PollTimeout: time.Second, HTTPClient: &http.Client{Timeout: timeout}})
			if err != nil {
				t.Fatal(err)
			}
			_, sendErr := tg.Send(context.Background(), bot.Outbound{ChatID: "12", Text: "hello"})
			if sendErr == nil {
				t.Fatal("Send succeeded")
			}
			if !strings.Contains(sendErr.Error(), tt.want) {
				t.Errorf("Send's error %q does not say %q", sendErr, tt.want)
			}
			// Run logs getMe's failures while it retries.
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			runErr := tg.Run(ctx, nothing{})
			var all strings.Builder
			for err := sendErr; err != nil; err = errors.Unwrap(err) {
				all.WriteString(err.Error() + "\n")
			}
			if runErr != nil {
				all.WriteString(runErr.Error() + "\n")
			}
			all.WriteString(logged.String())
			if logged.Len() == 0 && runErr == nil {
				t.Error("Run logged nothing and returned no error")
			}
			for _, part := range []string{token, strings.Split(token, ":")[1]} {
				if strings.Contains(all.String(), part) {
					t.Errorf("the token is in an error or the log:\n%s", all.String())
				}
			}
		})
	}
}

// nothing handles no event.
type nothing struct{}

func (nothing) HandleEvent(context.Context, bot.Event) error { return nil }
