package smsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// AfricasTalking stands in for Africa's Talking's SMS API: POST
// /version1/messaging with the apiKey header, Accept: application/json,
// the app's username, a comma-separated "to" and a "message"; 201 with a
// result and a cost for each number. It refuses (429) a request that
// would send more than PerSecond segments a second, with a second's
// worth of burst. A number that opted out gets status 406
// (UserInBlacklist), an invalid one 403 (InvalidPhoneNumber).
type AfricasTalking struct {
	phones
	Username, APIKey string
	// Callback is the channel's incoming-messages address (with its
	// secret), for Text.
	Callback string
	// Cost is the price of one segment, "KES 0.8000" by default.
	Cost float64

	url  string
	rate *bucket
}

// NewAfricasTalking starts the fake until the test ends, at perSecond
// segments a second.
func NewAfricasTalking(t testing.TB, perSecond float64) *AfricasTalking {
	f := &AfricasTalking{Username: "huddle-pilot", APIKey: "atsk_0123456789abcdef0123456789", Cost: 0.8,
		rate: &bucket{perSecond: perSecond}}
	f.optOut = map[string]bool{}
	f.url = serve(t, http.HandlerFunc(f.serve)).URL
	return f
}

// URL is the fake API's address.
func (f *AfricasTalking) URL() string { return f.url }

func (f *AfricasTalking) serve(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		f.refuse(fmt.Sprintf("%d %s", status, msg))
		http.Error(w, msg, status)
	}
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/version1/messaging":
		fail(http.StatusNotFound, "Not Found")
		return
	case r.Header.Get("apiKey") != f.APIKey:
		fail(http.StatusUnauthorized, "The supplied authentication is invalid")
		return
	case r.Header.Get("Accept") != "application/json":
		fail(http.StatusNotAcceptable, "this fake answers JSON alone: send Accept: application/json")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, err.Error())
		return
	}
	f2 := r.PostForm
	switch {
	case f2.Get("username") != f.Username:
		fail(http.StatusUnauthorized, "The supplied authentication is invalid")
		return
	case f2.Get("message") == "" || f2.Get("to") == "":
		fail(http.StatusBadRequest, "Request is missing required form field 'to' or 'message'")
		return
	}
	to := strings.Split(f2.Get("to"), ",")
	segs := segments(f2.Get("message"))
	if !f.rate.take(segs * len(to)) {
		fail(http.StatusTooManyRequests, "Too many requests")
		return
	}
	type recipient struct {
		StatusCode int    `json:"statusCode"`
		Number     string `json:"number"`
		Status     string `json:"status"`
		Cost       string `json:"cost"`
		MessageID  string `json:"messageId"`
	}
	var out []recipient
	sent := 0
	for _, n := range to {
		n = strings.TrimSpace(n)
		f.phones.mu.Lock()
		stopped, off := f.optOut[n], f.off[n] // off: reported failed to the callback
		f.phones.mu.Unlock()
		switch {
		case !isNumber(n):
			out = append(out, recipient{StatusCode: 403, Number: n, Status: "InvalidPhoneNumber", Cost: "0", MessageID: "None"})
		case stopped:
			out = append(out, recipient{StatusCode: 406, Number: n, Status: "UserInBlacklist", Cost: "0", MessageID: "None"})
		default:
			id := f.nextID("ATXid_")
			if off {
				go f.report(id, n, "Failed", "DeliveryFailure")
			} else {
				f.add(Text{ID: id, From: f2.Get("from"), To: n, Body: f2.Get("message"), Segments: segs, At: time.Now()})
			}
			out = append(out, recipient{StatusCode: 101, Number: n, Status: "Success", Cost: fmt.Sprintf("KES %.4f", f.Cost*float64(segs)), MessageID: id})
			sent++
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"SMSMessageData": map[string]any{
		"Message":    fmt.Sprintf("Sent to %d/%d Total Cost: KES %.4f", sent, len(to), f.Cost*float64(segs*sent)),
		"Recipients": out}})
}

// Text has number text body to the bot: Africa's Talking posts it to the
// callback, and the status it answered is returned.
func (f *AfricasTalking) Text(t testing.TB, number, body string) int {
	t.Helper()
	form := url.Values{"date": {time.Now().UTC().Format(time.RFC3339)}, "from": {number}, "id": {f.nextID("at-in-")},
		"linkId": {f.nextID("link-")}, "text": {body}, "to": {"24273"}, "networkCode": {"63902"}}
	return post(t, f.Callback, form, http.Header{})
}

// report posts a delivery report for text id to the callback (as the
// Delivery Reports callback, set to the same address).
func (f *AfricasTalking) report(id, number, status, reason string) {
	callBack(f.Callback, url.Values{"id": {id}, "status": {status}, "phoneNumber": {number}, "networkCode": {"63902"},
		"failureReason": {reason}, "retryCount": {"0"}}, nil)
}

// OptOut opts number out at the gateway, as a member's STOP to a short
// code's opt-out does there.
func (f *AfricasTalking) OptOut(number string) {
	f.phones.mu.Lock()
	defer f.phones.mu.Unlock()
	f.optOut[number] = true
}
