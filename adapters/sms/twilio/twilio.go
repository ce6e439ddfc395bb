// Package twilio is the SMS channel's gateway through Twilio's Messaging
// API: texts sent with one request each (Twilio's Messages resource takes
// one recipient), and members' texts received by the webhook Twilio calls,
// checked against its X-Twilio-Signature.
package twilio

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
)

// API is Twilio's API address.
const API = "https://api.twilio.com"

// Config holds what the gateway needs.
type Config struct {
	// AccountSID and AuthToken are the account's (the token signs
	// Twilio's webhook requests too).
	AccountSID string
	AuthToken  string
	// From is the sending number; MessagingService, when set, is a
	// Messaging Service's SID to send through instead (a pool of numbers).
	From             string
	MessagingService string
	// Webhook is the webhook's address as set in Twilio's console
	// (https://huddle.example.org/sms/twilio): Twilio's signature covers
	// it, so it must be the very address Twilio calls.
	Webhook string
	// PerSecond is how many segments a second the sender may send: 1 by
	// default, a long code's rate ("a US long code number can send one
	// message segment per second": https://www.twilio.com/docs/api/errors/21611);
	// a short code or a Messaging Service's pool takes more.
	PerSecond float64
	// API is Twilio's address (a test's fake's); API when empty.
	API  string
	HTTP *http.Client
}

// Gateway is Twilio, as the SMS channel sees it.
type Gateway struct{ cfg Config }

// New checks cfg.
func New(cfg Config) (*Gateway, error) {
	switch {
	case cfg.AccountSID == "" || cfg.AuthToken == "":
		return nil, errors.New("twilio: the account SID and auth token are needed")
	case cfg.From == "" && cfg.MessagingService == "":
		return nil, errors.New("twilio: a sending number (from) or a messaging service is needed")
	}
	if u, err := url.Parse(cfg.Webhook); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("twilio: the webhook address %q: want the full address Twilio calls (https://…/sms/twilio)", cfg.Webhook)
	}
	if cfg.API == "" {
		cfg.API = API
	}
	if cfg.PerSecond <= 0 {
		cfg.PerSecond = 1
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	return &Gateway{cfg: cfg}, nil
}

// Name is "twilio".
func (g *Gateway) Name() string { return "twilio" }

// Pattern is the webhook's.
func (g *Gateway) Pattern() string { return "POST /sms/twilio" }

// Limits: one recipient a request, at the sender's rate.
func (g *Gateway) Limits() sms.Limits { return sms.Limits{Batch: 1, PerSecond: g.cfg.PerSecond} }

// apiError is Twilio's error body.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  int    `json:"status"`
}

// Error codes that decide what the channel does
// (https://www.twilio.com/docs/api/errors).
const (
	codeUnsubscribed = 21610 // the member texted STOP to the number
	codeTooMany      = 20429 // too many requests at once
	codeQueueFull    = 21611 // more than the sender's queue holds
)

// Send sends text to each number of to, one request each.
func (g *Gateway) Send(ctx context.Context, _, text string, to []string) ([]sms.Result, error) {
	var out []sms.Result
	for _, number := range to {
		// Twilio reports each text's fate to its StatusCallback, signed
		// as the webhook is: the same address takes both.
		form := url.Values{"To": {number}, "Body": {text}, "StatusCallback": {g.cfg.Webhook}}
		if g.cfg.MessagingService != "" {
			form.Set("MessagingServiceSid", g.cfg.MessagingService)
		} else {
			form.Set("From", g.cfg.From)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost,
			g.cfg.API+"/2010-04-01/Accounts/"+url.PathEscape(g.cfg.AccountSID)+"/Messages.json", strings.NewReader(form.Encode()))
		if err != nil {
			return out, err
		}
		req.SetBasicAuth(g.cfg.AccountSID, g.cfg.AuthToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := g.cfg.HTTP.Do(req)
		if err != nil {
			return out, fmt.Errorf("twilio: %w", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
			var m struct {
				SID   string  `json:"sid"`
				Price *string `json:"price"`
			}
			if err := json.Unmarshal(body, &m); err != nil || m.SID == "" {
				return out, fmt.Errorf("twilio: a message created without a sid: %.200s", body)
			}
			r := sms.Result{To: number, ID: m.SID}
			if m.Price != nil {
				r.Cost = *m.Price
			}
			out = append(out, r)
			continue
		}
		var e apiError
		_ = json.Unmarshal(body, &e)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || e.Code == codeTooMany || e.Code == codeQueueFull:
			return out, &bot.RetryError{After: sms.RetryAfter(resp.Header, time.Second),
				Err: fmt.Errorf("twilio %d: %s", e.Code, e.Message)}
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode >= 500:
			return out, fmt.Errorf("twilio: HTTP %d %d: %s", resp.StatusCode, e.Code, e.Message)
		}
		out = append(out, sms.Result{To: number, Stopped: e.Code == codeUnsubscribed,
			Err: fmt.Errorf("twilio %d: %s", e.Code, e.Message)})
	}
	return out, nil
}

// Receive reads a member's text from Twilio's webhook, refusing a request
// whose signature is not Twilio's over the configured address.
func (g *Gateway) Receive(r *http.Request) ([]sms.Inbound, error) {
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("twilio webhook: %w", err)
	}
	want := Signature(g.cfg.AuthToken, g.cfg.Webhook, r.PostForm)
	if got := r.Header.Get("X-Twilio-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		return nil, errors.New("twilio webhook: the signature is not Twilio's (is the webhook address in the settings the one set at Twilio?)")
	}
	id := r.PostForm.Get("MessageSid")
	if id == "" {
		id = r.PostForm.Get("SmsSid")
	}
	if status := r.PostForm.Get("MessageStatus"); status != "" {
		// A text the bot sent changed status: only one that did not
		// arrive is passed on ("undelivered": the carrier could not
		// deliver it; "failed": it was not sent). Twilio calls the
		// StatusCallback with MessageStatus and ErrorCode
		// (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
		if status != "undelivered" && status != "failed" {
			return nil, nil
		}
		why := "Twilio: " + status
		if code := r.PostForm.Get("ErrorCode"); code != "" {
			words := undelivered[code]
			if words == "" {
				words = status
			}
			why = "Twilio " + code + ", " + words
		}
		return []sms.Inbound{{ID: id, To: r.PostForm.Get("To"), Undelivered: why}}, nil
	}
	return []sms.Inbound{{ID: id, From: r.PostForm.Get("From"), To: r.PostForm.Get("To"), Text: r.PostForm.Get("Body")}}, nil
}

// undelivered words the error codes of texts that did not arrive
// (https://www.twilio.com/docs/api/errors, 30003 to 30008).
var undelivered = map[string]string{
	"30003": "the phone is unreachable (switched off or out of coverage)",
	"30004": "the member blocked the number",
	"30005": "the number is unknown or no longer in service",
	"30006": "a landline, or a carrier that cannot be reached",
	"30007": "the carrier filtered it",
	"30008": "an unknown error at the carrier",
}

// Ack answers with an empty TwiML response: nothing to send back now (the
// channel's answers go through the API, paced).
func (g *Gateway) Ack(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`)
}

// Signature is Twilio's signature of a webhook request: HMAC-SHA1, keyed
// with the auth token, of the full address followed by each POST
// parameter's name and value, sorted by name, base64-encoded
// (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
func Signature(token, address string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mac := hmac.New(sha1.New, []byte(token))
	io.WriteString(mac, address)
	for _, k := range keys {
		vs := append([]string(nil), form[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			io.WriteString(mac, k+v)
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
