// Package africastalking is the SMS channel's gateway through Africa's
// Talking's SMS API: one request carries a text to many numbers, and
// members' texts arrive at the incoming-messages callback.
//
// Africa's Talking does not sign its callbacks (its callback requests
// carry the message's fields and nothing that proves where they come
// from), so the callback's address holds a secret (/sms/africastalking/
// SECRET, set in its dashboard): a request to any other address is
// refused, as the Community Health Toolkit's integration does with its
// key parameter (https://docs.communityhealthtoolkit.org/building/messaging/gateways/africas-talking/).
package africastalking

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
)

// API is Africa's Talking's live API; Sandbox its sandbox's.
const (
	API     = "https://api.africastalking.com"
	Sandbox = "https://api.sandbox.africastalking.com"
)

// Config holds what the gateway needs.
type Config struct {
	// Username is the app's ("sandbox" for the sandbox); APIKey its key.
	Username string
	APIKey   string
	// From is the short code or sender id to send from; the account's
	// default when empty.
	From string
	// Secret is the callback address's last part, at least 16 characters.
	Secret string
	// PerSecond is how many segments a second to send: Africa's Talking
	// publishes no figure (throughput is the carriers' and the account's),
	// so 10 by default; raise it with what the account manager gives.
	PerSecond float64
	// Batch is how many numbers a request carries; 100 by default.
	Batch int
	// API is the address (Sandbox, or a test's fake); API when empty.
	API  string
	HTTP *http.Client
}

// Gateway is Africa's Talking, as the SMS channel sees it.
type Gateway struct{ cfg Config }

// New checks cfg.
func New(cfg Config) (*Gateway, error) {
	switch {
	case cfg.Username == "" || cfg.APIKey == "":
		return nil, errors.New("africastalking: the username and API key are needed")
	case len(cfg.Secret) < 16:
		return nil, errors.New("africastalking: the callback secret must be at least 16 characters (it is all that protects the callback)")
	case strings.ContainsAny(cfg.Secret, "/?#% "):
		return nil, errors.New("africastalking: the callback secret may hold letters, digits, - and _ alone")
	}
	if cfg.API == "" {
		cfg.API = API
	}
	if cfg.PerSecond <= 0 {
		cfg.PerSecond = 10
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	return &Gateway{cfg: cfg}, nil
}

// Name is "africastalking".
func (g *Gateway) Name() string { return "africastalking" }

// Pattern is the callback's.
func (g *Gateway) Pattern() string { return "POST /sms/africastalking/{secret}" }

// Limits: Batch numbers a request, at PerSecond.
func (g *Gateway) Limits() sms.Limits {
	return sms.Limits{Batch: g.cfg.Batch, PerSecond: g.cfg.PerSecond}
}

// recipient is one number's result in the API's answer.
type recipient struct {
	StatusCode int    `json:"statusCode"`
	Number     string `json:"number"`
	Status     string `json:"status"`
	Cost       string `json:"cost"`
	MessageID  string `json:"messageId"`
}

// Status codes (Africa's Talking's SMS API reference): 100 processed, 101
// sent, 102 queued; 406 the number blacklisted the sender (opted out).
const (
	statusSent        = 101
	statusBlacklisted = 406
)

// Send sends text to the numbers in one request.
func (g *Gateway) Send(ctx context.Context, _, text string, to []string) ([]sms.Result, error) {
	form := url.Values{"username": {g.cfg.Username}, "to": {strings.Join(to, ",")}, "message": {text}}
	if g.cfg.From != "" {
		form.Set("from", g.cfg.From)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.API+"/version1/messaging", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("apiKey", g.cfg.APIKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := g.cfg.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("africastalking: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &bot.RetryError{After: sms.RetryAfter(resp.Header, 5*time.Second), Err: fmt.Errorf("africastalking: %.200s", body)}
	case resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("africastalking: HTTP %d: %.200s", resp.StatusCode, body)
	}
	var answer struct {
		Data struct {
			Message    string      `json:"Message"`
			Recipients []recipient `json:"Recipients"`
		} `json:"SMSMessageData"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, fmt.Errorf("africastalking: an answer that is not the API's: %w", err)
	}
	var out []sms.Result
	for _, r := range answer.Data.Recipients {
		res := sms.Result{To: r.Number, ID: r.MessageID, Cost: r.Cost}
		if r.StatusCode < 100 || r.StatusCode > statusSent+1 {
			res.ID = ""
			res.Err = fmt.Errorf("africastalking %d: %s", r.StatusCode, r.Status)
			res.Stopped = r.StatusCode == statusBlacklisted
		}
		out = append(out, res)
	}
	return out, nil
}

// Receive reads a member's text from the incoming-messages callback,
// refusing a request to an address without the secret.
func (g *Gateway) Receive(r *http.Request) ([]sms.Inbound, error) {
	if subtle.ConstantTimeCompare([]byte(r.PathValue("secret")), []byte(g.cfg.Secret)) != 1 {
		return nil, errors.New("africastalking callback: not the configured address (its secret differs)")
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("africastalking callback: %w", err)
	}
	f := r.PostForm
	if status := f.Get("status"); status != "" && f.Get("from") == "" {
		// A delivery report (the dashboard's Delivery Reports callback,
		// set to this address too): id, status, phoneNumber and, for a
		// text that failed, failureReason. Rejected and Failed are the
		// final statuses of a text that did not reach the handset
		// (https://build.at-labs.io/docs/sms%2Fnotifications, as the
		// Community Health Toolkit reads it: cht-core's
		// api/src/controllers/africas-talking.js); the others are passed
		// over.
		if status != "Rejected" && status != "Failed" {
			return nil, nil
		}
		why := "Africa's Talking: " + strings.ToLower(status)
		if reason := f.Get("failureReason"); reason != "" {
			why += " (" + reason + ")"
		}
		return []sms.Inbound{{ID: f.Get("id"), To: f.Get("phoneNumber"), Undelivered: why}}, nil
	}
	in := sms.Inbound{ID: f.Get("id"), From: f.Get("from"), To: f.Get("to"), Text: f.Get("text")}
	if t, err := time.Parse(time.RFC3339, f.Get("date")); err == nil {
		in.At = t
	}
	return []sms.Inbound{in}, nil
}

// Ack answers 200 with nothing.
func (g *Gateway) Ack(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }
