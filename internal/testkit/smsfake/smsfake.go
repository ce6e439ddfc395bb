// Package smsfake stands in for the SMS gateways on loopback, as strict
// as the real ones where it matters to Huddle: Twilio's Messages API and
// Africa's Talking's SMS API, each checking its credentials, its request
// format and its rate limit, and each calling the channel's webhook the
// way the gateway does (Twilio's signed, Africa's Talking's at a secret
// address), with members' texts and the reports of texts that did not
// reach a phone switched off. Tests read what reached each phone.
package smsfake

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/smstext"
)

// Text is one SMS that reached a phone.
type Text struct {
	ID, From, To, Body string
	Segments           int
	At                 time.Time
}

// phones is what the fakes share: the texts each phone received.
type phones struct {
	mu      sync.Mutex
	texts   []Text
	refused []string
	optOut  map[string]bool
	// off are the phones switched off: the gateway takes texts to them,
	// then reports each undelivered, as it does.
	off map[string]bool
	n   int
}

// SwitchOff makes number a phone switched off: the gateway takes texts to
// it, then reports them undelivered to the channel, each its own way.
func (p *phones) SwitchOff(number string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.off == nil {
		p.off = map[string]bool{}
	}
	p.off[number] = true
}

// isOff reports whether number was switched off.
func (p *phones) isOff(number string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.off[number]
}

func (p *phones) add(t Text) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.texts = append(p.texts, t)
}

func (p *phones) refuse(why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refused = append(p.refused, why)
}

func (p *phones) nextID(prefix string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	return prefix + strings.Repeat("0", 6) + itoa(p.n)
}

func itoa(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// Texts lists what reached number, oldest first.
func (p *phones) Texts(number string) []Text {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Text
	for _, t := range p.texts {
		if t.To == number {
			out = append(out, t)
		}
	}
	return out
}

// All lists every text sent, oldest first.
func (p *phones) All() []Text {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts)
}

// Refused lists the requests the fake refused, and why.
func (p *phones) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.refused)
}

// bucket is a rate limit: perSecond units a second, with a second's
// worth of burst.
type bucket struct {
	mu        sync.Mutex
	perSecond float64
	level     float64
	at        time.Time
}

// take takes n units, or reports false when they are not there.
func (b *bucket) take(n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if b.at.IsZero() {
		b.level = b.perSecond
	} else {
		b.level = min(b.perSecond, b.level+now.Sub(b.at).Seconds()*b.perSecond)
	}
	b.at = now
	// A request larger than a second's worth goes when the bucket is
	// full (the gateway would queue it), and empties it.
	if float64(n) > b.level && !(float64(n) > b.perSecond && b.level >= b.perSecond) {
		return false
	}
	b.level -= float64(n)
	return true
}

// post sends form to address as a gateway's callback, with header.
func post(t testing.TB, address string, form url.Values, header http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, address, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("callback to %s: %v", address, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// isNumber is an E.164 number, as the gateways want it.
func isNumber(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if !strings.HasPrefix(s, "+") || len(d) < 8 || len(d) > 15 {
		return false
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// segments counts text's segments as the gateways bill them.
func segments(text string) int { return smstext.Measure(text).Segments }

// serve starts h on loopback until the test ends.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
