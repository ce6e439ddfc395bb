package sms

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Gateway is one SMS gateway's API (Twilio's, Africa's Talking's), behind
// a small adapter of its own: the channel decides what goes to whom and
// when; the gateway only sends and receives.
type Gateway interface {
	// Name names it in routes, logs and the dashboard ("twilio").
	Name() string
	// Send sends text to each number of to (E.164, "+254…"), in one
	// request when the gateway takes several recipients (Limits.Batch),
	// and says for each what became of it. key names the request: the
	// same texts sent again (after a crash, before their sending was
	// recorded) come with the same key, which a gateway that keeps its
	// requests' ids sends once. An error for the whole request
	// is a *bot.RetryError when the gateway asks to wait (its rate limit),
	// and any other error when it could not be reached or refused it all
	// (its credentials).
	Send(ctx context.Context, key, text string, to []string) ([]Result, error)
	// Receive reads an inbound request to the gateway's webhook, verified
	// as the gateway documents (Twilio's signature; Africa's Talking's
	// secret in the address): an error when it is not the gateway's.
	Receive(r *http.Request) ([]Inbound, error)
	// Ack answers a webhook request once what it carried is kept.
	Ack(w http.ResponseWriter)
	// Pattern is the webhook's http.ServeMux pattern.
	Pattern() string
	// Limits are what the gateway allows.
	Limits() Limits
}

// Limits are what a gateway allows the bot to send.
type Limits struct {
	// Batch is how many recipients one request may carry (1 when each
	// needs a request of its own).
	Batch int
	// PerSecond is how many segments a second the sender may send; the
	// channel paces itself to it.
	PerSecond float64
}

// Result is what became of a text sent to one number.
type Result struct {
	To string
	// ID is the gateway's id for the text, when it took it.
	ID string
	// Err says why it did not; Stopped that the member opted out at the
	// gateway (they texted STOP there), so nothing more goes to them.
	Err     error
	Stopped bool
	// Cost is what the gateway says the text cost ("KES 0.8000"), when it
	// says.
	Cost string
}

// Inbound is a text a member sent, or the gateway's report that a text
// the bot sent did not arrive (Undelivered).
type Inbound struct {
	// ID is the gateway's id for it, unique: a webhook repeated is
	// recognised by it.
	ID   string
	From string
	To   string
	Text string
	At   time.Time
	// Undelivered, when set, makes it not a member's text but the
	// gateway's report that the bot's text ID did not reach the phone of
	// To, and why ("Twilio 30003, the phone is unreachable"). Reports of
	// texts that arrived are not passed on.
	Undelivered string
}

// RetryAfter is how long a gateway's 429 asks to wait: its Retry-After
// header's seconds, or fallback when it gives none.
func RetryAfter(h http.Header, fallback time.Duration) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return fallback
}
