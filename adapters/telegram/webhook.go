package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/lograte"
)

// secretHeader carries the webhook's secret token on every request.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdate bounds a webhook request body.
const maxUpdate = 1 << 20

// runWebhook registers the webhook with its secret and takes updates from
// WebhookHandler until ctx ends. The webhook stays registered on exit, so
// Telegram keeps updates while Huddle restarts.
func (t *Telegram) runWebhook(ctx context.Context, h bot.Handler) error {
	t.mu.Lock()
	t.handler = h
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.handler = nil
		t.mu.Unlock()
	}()
	params := tgbotapi.Params{"url": t.cfg.WebhookURL, "secret_token": t.cfg.WebhookSecret, "allowed_updates": allowedUpdates}
	for attempt := 0; ; attempt++ {
		_, err := t.call(ctx, "setWebhook", params)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		t.log.Warn("setWebhook failed; retrying", "err", err)
		if !sleep(ctx, retryAfter(err, min(time.Second<<min(attempt, 6), time.Minute))) {
			return nil
		}
	}
	t.log.Info("webhook registered", "url", t.cfg.WebhookURL)
	<-ctx.Done()
	return nil
}

// WebhookHandler serves Telegram's webhook requests. A request without the
// configured secret token is refused with 401 before its body is read.
// Routes serves the webhook, in webhook mode, at WebhookPath: reached by
// Telegram, which the secret token checks. It implements bot.WebChannel.
func (t *Telegram) Routes() []bot.Route {
	if !t.cfg.Webhook {
		return nil
	}
	return []bot.Route{{Pattern: WebhookPath, Handler: t.WebhookHandler(), Public: true}}
}

func (t *Telegram) WebhookHandler() http.Handler {
	secret := []byte(t.cfg.WebhookSecret)
	// Anyone can knock: one line a minute, with the count, keeps the log
	// readable and the disk from filling.
	refused := lograte.New(t.log, time.Minute, nil)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get(secretHeader))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			refused.Warn("wrong secret", "webhook request without the right secret token refused", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		t.mu.Lock()
		h := t.handler
		t.mu.Unlock()
		if h == nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdate))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		var u update
		if err := json.Unmarshal(body, &u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		ev, ok := t.convert(u)
		t.noteMembers(u)
		if ok {
			ev.ChatSize = t.groupSize(r.Context(), ev)
			// Answer 200 only once the update is durably handled; on an
			// error Telegram delivers it again and deduplication holds.
			if err := h.HandleEvent(r.Context(), ev); err != nil {
				t.log.Error("webhook update failed", "err", err)
				http.Error(w, "try again", http.StatusInternalServerError)
				return
			}
		}
		if u.CallbackQuery != nil && !ok {
			// A press Huddle does not handle (no chat): stop its spinner; a
			// handled press is answered through the outbox, with its verdict.
			t.answerCallback(r.Context(), u.CallbackQuery.ID)
		}
		w.WriteHeader(http.StatusOK)
	})
}
