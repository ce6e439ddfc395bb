package smsfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// SMSGate stands in for SMS Gateway for Android's API: POST /messages with
// the app's basic credentials and a JSON body of a textMessage's text and
// E.164 phoneNumbers; 202 with the request's state. A request whose id it
// has taken already is answered again and sent no more (the app's ids make
// sending idempotent). More than PerSecond segments a second get 429, as
// the phone's own limits would fail them. Its webhook requests carry the
// app's X-Timestamp and X-Signature, and numbers as the phone's network
// gives them: "0700000001".
type SMSGate struct {
	phones
	Username, Password, SigningKey string
	// Webhook is the channel's webhook address, for Text.
	Webhook string
	url     string
	rate    *bucket
	ids     map[string]bool
}

// NewSMSGate starts the fake until the test ends, at perSecond segments a
// second.
func NewSMSGate(t testing.TB, perSecond float64) *SMSGate {
	f := &SMSGate{Username: "sms", Password: "phone-password-1", SigningKey: "signing-key-0123456789",
		rate: &bucket{perSecond: perSecond}, ids: map[string]bool{}}
	f.optOut = map[string]bool{}
	f.url = serve(t, http.HandlerFunc(f.serve)).URL
	return f
}

// URL is the fake API's address.
func (f *SMSGate) URL() string { return f.url }

func (f *SMSGate) serve(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		f.refuse(fmt.Sprintf("%d %s", status, msg))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
	user, pass, ok := r.BasicAuth()
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/messages":
		fail(http.StatusNotFound, "not found")
		return
	case !ok || user != f.Username || pass != f.Password:
		fail(http.StatusUnauthorized, "Unauthorized")
		return
	case r.Header.Get("Content-Type") != "application/json":
		fail(http.StatusBadRequest, "want application/json")
		return
	}
	var m struct {
		ID          string `json:"id"`
		TextMessage *struct {
			Text string `json:"text"`
		} `json:"textMessage"`
		PhoneNumbers []string `json:"phoneNumbers"`
	}
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.TextMessage == nil || m.TextMessage.Text == "" || len(m.PhoneNumbers) == 0 {
		fail(http.StatusBadRequest, "textMessage.text and phoneNumbers are required")
		return
	}
	for _, n := range m.PhoneNumbers {
		if !isNumber(n) {
			fail(http.StatusBadRequest, "invalid phone number "+n)
			return
		}
	}
	f.phones.mu.Lock()
	seen := m.ID != "" && f.ids[m.ID]
	f.ids[m.ID] = true
	f.phones.mu.Unlock()
	if !seen {
		segs := segments(m.TextMessage.Text)
		if !f.rate.take(segs * len(m.PhoneNumbers)) {
			f.phones.mu.Lock()
			delete(f.ids, m.ID)
			f.phones.mu.Unlock()
			fail(http.StatusTooManyRequests, "too many requests")
			return
		}
		for _, n := range m.PhoneNumbers {
			if f.isOff(n) {
				// Reported once the request is answered, as the phone
				// tries to send it.
				go f.failed(m.ID, n)
				continue
			}
			f.add(Text{ID: m.ID, To: n, Body: m.TextMessage.Text, Segments: segs, At: time.Now()})
		}
	}
	var recipients []map[string]string
	for _, n := range m.PhoneNumbers {
		recipients = append(recipients, map[string]string{"phoneNumber": n, "state": "Pending"})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]any{"id": m.ID, "state": "Pending", "recipients": recipients})
}

// Text has the phone receive body from number (as its network gives it,
// "0700000001") and post it to the webhook, signed; the status the
// webhook answered is returned.
func (f *SMSGate) Text(t testing.TB, number, body string) int {
	t.Helper()
	return f.post(t, number, body, f.SigningKey, time.Now())
}

// Forged posts a text signed with another key, or stamped at another
// time.
func (f *SMSGate) Forged(t testing.TB, number, body, key string, at time.Time) int {
	t.Helper()
	return f.post(t, number, body, key, at)
}

func (f *SMSGate) post(t testing.TB, number, body, key string, at time.Time) int {
	req, err := f.request("sms:received", map[string]any{"messageId": "abc123", "message": body, "phoneNumber": number,
		"simNumber": 1, "receivedAt": time.Now().Format("2006-01-02T15:04:05.000-07:00")}, key, at)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("webhook: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// failed posts the app's report that its text id to number failed; a
// channel gone by then is no matter.
func (f *SMSGate) failed(id, number string) {
	req, err := f.request("sms:failed", map[string]any{"messageId": id, "phoneNumber": number, "simNumber": 1,
		"failedAt": time.Now().Format("2006-01-02T15:04:05.000-07:00"), "reason": "RESULT_ERROR_NO_SERVICE"}, f.SigningKey, time.Now())
	if err != nil {
		return
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// request is the app's webhook request of event, signed with key at at.
func (f *SMSGate) request(event string, payload map[string]any, key string, at time.Time) (*http.Request, error) {
	raw, _ := json.Marshal(map[string]any{"deviceId": "ffffffffceb0b1db0000018e937c815b", "event": event, "id": f.nextID("ev-"),
		"payload": payload, "webhookId": "wh-1"})
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(append(raw, ts...))
	req, err := http.NewRequest(http.MethodPost, f.Webhook, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Timestamp", ts)
	req.Header.Set("X-Signature", hex.EncodeToString(mac.Sum(nil)))
	return req, nil
}
