// Package smsgate is the SMS channel's gateway through an Android phone
// and its SIM card, running SMS Gateway for Android (https://sms-gate.app),
// for programmes with no budget for a commercial gateway: the phone sends
// the texts at its carrier's prices and posts those it receives to the
// channel's webhook, signed.
//
// The app takes texts at its API (on the phone itself, on the local
// network, or through its cloud or a private server), each request with an
// id the app keeps, so a request sent again is not sent twice ("use unique
// IDs for idempotency"); and signs each webhook request with HMAC-SHA256 of
// the raw body followed by the X-Timestamp header, keyed with the app's
// signing key, hex in X-Signature
// (https://docs.sms-gate.app/features/webhooks/#payload-signing). A request
// whose timestamp is more than five minutes off is refused too, as its
// documentation advises against replays.
package smsgate

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
)

// Cloud is the app's cloud server's API.
const Cloud = "https://api.sms-gate.app/3rdparty/v1"

// Config holds what the gateway needs.
type Config struct {
	// API is the app's API: Cloud, a private server's, or the phone's own
	// on the local network (http://192.168.1.10:8080).
	API string
	// Username and Password are the app's (its Home tab shows them).
	Username string
	Password string
	// SigningKey is the app's webhook signing key (Settings → Webhooks →
	// Signing Key).
	SigningKey string
	// Country is the calling code of numbers the phone reports without
	// one ("0712…" becomes "+254712…" with "+254"): a phone gives senders
	// as its network does.
	Country string
	// PerSecond is how many segments a second to hand the phone: 0.5 by
	// default. The app and Android pace the SIM further, and a carrier may
	// block a SIM that sends too fast: set the app's own limits too.
	PerSecond float64
	// Batch is how many numbers a request carries; 20 by default.
	Batch int
	HTTP  *http.Client
	// Now is the clock the webhook's timestamps are checked against.
	Now func() time.Time
}

// Gateway is SMS Gateway for Android, as the SMS channel sees it.
type Gateway struct{ cfg Config }

// New checks cfg.
func New(cfg Config) (*Gateway, error) {
	switch {
	case cfg.API == "" || cfg.Username == "" || cfg.Password == "":
		return nil, errors.New("smsgate: the app's API address, username and password are needed")
	case len(cfg.SigningKey) < 8:
		return nil, errors.New("smsgate: the app's webhook signing key is needed (Settings → Webhooks → Signing Key)")
	case cfg.Country != "" && !strings.HasPrefix(cfg.Country, "+"):
		return nil, fmt.Errorf("smsgate: country %q: give the calling code with its +, such as +254", cfg.Country)
	}
	cfg.API = strings.TrimRight(cfg.API, "/")
	if cfg.PerSecond <= 0 {
		cfg.PerSecond = 0.5
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Gateway{cfg: cfg}, nil
}

// Name is "smsgate".
func (g *Gateway) Name() string { return "smsgate" }

// Pattern is the webhook's.
func (g *Gateway) Pattern() string { return "POST /sms/smsgate" }

// Limits: Batch numbers a request, at PerSecond.
func (g *Gateway) Limits() sms.Limits {
	return sms.Limits{Batch: g.cfg.Batch, PerSecond: g.cfg.PerSecond}
}

// message is the app's request to send a text.
type message struct {
	ID           string   `json:"id"`
	Text         text     `json:"textMessage"`
	PhoneNumbers []string `json:"phoneNumbers"`
	// TTL: a text the phone could not send within a day is given up
	// there, as the channel gives up its own.
	TTL                int  `json:"ttl"`
	WithDeliveryReport bool `json:"withDeliveryReport"`
}

type text struct {
	Text string `json:"text"`
}

// Send hands the text to the phone, for the numbers in one request, under
// an id made of key: the app sends a request it has already taken once.
func (g *Gateway) Send(ctx context.Context, key, body string, to []string) ([]sms.Result, error) {
	id := "huddle-" + key
	payload, err := json.Marshal(message{ID: id, Text: text{body}, PhoneNumbers: to, TTL: 86400})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.API+"/messages", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(g.cfg.Username, g.cfg.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.cfg.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("smsgate: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &bot.RetryError{After: sms.RetryAfter(resp.Header, 10*time.Second), Err: fmt.Errorf("smsgate: %.200s", answer)}
	case resp.StatusCode/100 != 2:
		return nil, fmt.Errorf("smsgate: HTTP %d: %.200s", resp.StatusCode, answer)
	}
	out := make([]sms.Result, len(to))
	for i, n := range to {
		out[i] = sms.Result{To: n, ID: id}
	}
	return out, nil
}

// event is the app's webhook request.
type event struct {
	ID      string `json:"id"`
	Event   string `json:"event"`
	Payload struct {
		Message     string    `json:"message"`
		PhoneNumber string    `json:"phoneNumber"`
		ReceivedAt  time.Time `json:"receivedAt"`
		// Reason is why a text failed (sms:failed).
		Reason string `json:"reason"`
	} `json:"payload"`
}

// maxSkew is how far a webhook's timestamp may be from the clock.
const maxSkew = 5 * time.Minute

// Receive reads a text the phone received, or its report that a text it
// sent failed ("sms:failed": "when an SMS fails to send or is not
// delivered", https://docs.sms-gate.app/features/webhooks/), refusing a
// request whose signature is not the app's or whose timestamp is stale.
// Other events (sent, delivered) are not passed on.
func (g *Gateway) Receive(r *http.Request) ([]sms.Inbound, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("smsgate webhook: %w", err)
	}
	ts := r.Header.Get("X-Timestamp")
	if !hmac.Equal([]byte(r.Header.Get("X-Signature")), []byte(Signature(g.cfg.SigningKey, body, ts))) {
		return nil, errors.New("smsgate webhook: the signature is not the app's (is the signing key the one in its settings?)")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || math.Abs(g.cfg.Now().Sub(time.Unix(secs, 0)).Seconds()) > maxSkew.Seconds() {
		return nil, fmt.Errorf("smsgate webhook: timestamp %q is more than %s off (is the phone's clock right?)", ts, maxSkew)
	}
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("smsgate webhook: %w", err)
	}
	switch ev.Event {
	case "sms:received":
	case "sms:failed":
		why := "the Android phone could not send it"
		if r := strings.TrimSpace(ev.Payload.Reason); r != "" {
			why += " (" + r + ")"
		}
		return []sms.Inbound{{ID: ev.ID, To: g.international(ev.Payload.PhoneNumber), Undelivered: why}}, nil
	default:
		return nil, nil
	}
	// The event's id, not the message's: the app makes a message's id
	// from its words, so two texts alike would share one.
	return []sms.Inbound{{ID: ev.ID, From: g.international(ev.Payload.PhoneNumber), Text: ev.Payload.Message, At: ev.Payload.ReceivedAt}}, nil
}

// international is number in E.164: "0712…" in Country, "254712…" with
// its + (the channel takes the spaces out: sms.Number).
func (g *Gateway) international(number string) string {
	n := strings.TrimSpace(number)
	switch {
	case strings.HasPrefix(n, "+"):
		return n
	case strings.HasPrefix(n, "00"):
		return "+" + n[2:]
	case strings.HasPrefix(n, "0") && g.cfg.Country != "":
		return g.cfg.Country + n[1:]
	}
	return "+" + n
}

// Ack answers 200 with nothing.
func (g *Gateway) Ack(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

// Signature is the app's signature of a webhook request: HMAC-SHA256,
// keyed with the signing key, of the raw body followed by the timestamp,
// in hex.
func Signature(key string, body []byte, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	io.WriteString(mac, timestamp)
	return hex.EncodeToString(mac.Sum(nil))
}
