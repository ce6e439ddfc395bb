package smsfake

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Twilio stands in for Twilio's Messages API: POST
// /2010-04-01/Accounts/SID/Messages.json with the account's basic
// credentials, a To in E.164, the configured From, a Body of at most 1,600
// characters. Like Twilio it queues what it takes at the sender's rate
// (PerSecond segments a second) and refuses with 21611 what would make
// the queue longer than QueueLimit (Twilio's is hours; a test's is
// seconds, so a sender that does not pace itself is caught); more than
// Concurrent requests at once get 429 (20429). A number that texted STOP
// gets 21610, as Twilio's opt-out handling does.
type Twilio struct {
	phones
	SID, Token, From string
	PerSecond        float64
	QueueLimit       time.Duration
	Concurrent       int
	// Webhook is the channel's webhook address, for Text.
	Webhook string

	url       string
	landlines map[string]bool
	mu        sync.Mutex
	queueEnd  time.Time
	inFlight  int
}

// NewTwilio starts the fake until the test ends.
func NewTwilio(t testing.TB) *Twilio {
	f := &Twilio{SID: "AC" + "0123456789abcdef0123456789abcdef", Token: "twilio-token-0123456789", From: "+15005550006",
		PerSecond: 1, QueueLimit: 3 * time.Second, Concurrent: 5}
	f.optOut = map[string]bool{}
	f.url = serve(t, http.HandlerFunc(f.serve)).URL
	return f
}

// URL is the fake API's address.
func (f *Twilio) URL() string { return f.url }

// fail writes Twilio's error body.
func (f *Twilio) fail(w http.ResponseWriter, status, code int, message string) {
	f.refuse(fmt.Sprintf("%d %d %s", status, code, message))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": message, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code)})
}

func (f *Twilio) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.inFlight++
	busy := f.inFlight > f.Concurrent
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	user, pass, ok := r.BasicAuth()
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+f.SID+"/Messages.json":
		f.fail(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	case !ok || user != f.SID || pass != f.Token:
		f.fail(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	case busy:
		f.fail(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	case r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
		f.fail(w, http.StatusBadRequest, 20001, "Content-Type must be form-encoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		f.fail(w, http.StatusBadRequest, 20001, err.Error())
		return
	}
	to, from, body, callback := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body"), r.PostForm.Get("StatusCallback")
	if u, err := url.Parse(callback); callback != "" && (err != nil || u.Host == "" || strings.Contains(u.Host, "_")) {
		f.fail(w, http.StatusBadRequest, 21609, "Invalid StatusCallback URL") // "a status callback URL must contain a valid hostname; underscores are not allowed"
		return
	}
	switch {
	case !isNumber(to):
		f.fail(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	case from != f.From:
		f.fail(w, http.StatusBadRequest, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account")
		return
	case body == "":
		f.fail(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	case len([]rune(body)) > 1600:
		f.fail(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return
	}
	f.phones.mu.Lock()
	stopped, landline, off := f.optOut[to], f.landlines[to], f.off[to] // off: reported undelivered (30003)
	f.phones.mu.Unlock()
	if landline {
		f.fail(w, http.StatusBadRequest, 21614, "'To' number is not a valid mobile number")
		return
	}
	if stopped {
		f.fail(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		return
	}
	segs := segments(body)
	f.mu.Lock()
	now := time.Now()
	start := f.queueEnd
	if start.Before(now) {
		start = now
	}
	if start.Sub(now) > f.QueueLimit {
		f.mu.Unlock()
		f.fail(w, http.StatusBadRequest, 21611, "This 'From' number has exceeded the maximum number of queued messages")
		return
	}
	f.queueEnd = start.Add(time.Duration(float64(segs) / f.PerSecond * float64(time.Second)))
	f.mu.Unlock()
	id := f.nextID("SM")
	status := url.Values{"MessageSid": {id}, "SmsSid": {id}, "AccountSid": {f.SID}, "From": {from}, "To": {to}, "MessageStatus": {"delivered"}, "SmsStatus": {"delivered"}}
	if off {
		status.Set("MessageStatus", "undelivered")
		status.Set("SmsStatus", "undelivered")
		status.Set("ErrorCode", "30003")
	} else {
		f.add(Text{ID: id, From: from, To: to, Body: body, Segments: segs, At: start})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": id, "account_sid": f.SID, "to": to, "from": from, "body": body,
		"status": "queued", "num_segments": fmt.Sprint(segs), "price": nil})
	if callback != "" {
		// What became of it, later, as Twilio calls the StatusCallback:
		// a form signed for that address.
		go callBack(callback, status, http.Header{"X-Twilio-Signature": {sign(f.Token, callback, status)}})
	}
}

// callBack posts a form to a channel's callback, as a gateway reports
// what became of a text once the request that sent it is answered; a
// channel gone by then is no matter.
func callBack(address string, form url.Values, header http.Header) {
	req, err := http.NewRequest(http.MethodPost, address, strings.NewReader(form.Encode()))
	if err != nil {
		return
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// Text has number text body to the bot: Twilio calls the webhook, signed,
// and the status it answered is returned. STOP opts the number out at
// Twilio too.
func (f *Twilio) Text(t testing.TB, number, body string) int {
	t.Helper()
	return f.TextVia(t, f.Webhook, number, body)
}

// TextVia is Text reaching the webhook at address (an instance behind a
// load balancer), signed for Webhook, the address set at Twilio.
func (f *Twilio) TextVia(t testing.TB, address, number, body string) int {
	t.Helper()
	id := f.nextID("SM")
	form := url.Values{"MessageSid": {id}, "SmsSid": {id}, "AccountSid": {f.SID}, "From": {number}, "To": {f.From},
		"Body": {body}, "NumMedia": {"0"}, "NumSegments": {fmt.Sprint(segments(body))}}
	switch strings.ToUpper(strings.TrimSpace(body)) {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT":
		f.phones.mu.Lock()
		f.optOut[number] = true
		f.phones.mu.Unlock()
	case "START", "UNSTOP", "YES":
		f.phones.mu.Lock()
		delete(f.optOut, number)
		f.phones.mu.Unlock()
	}
	return post(t, address, form, http.Header{"X-Twilio-Signature": {sign(f.Token, f.Webhook, form)}})
}

// Landline makes number one that cannot take texts (21614).
func (f *Twilio) Landline(number string) {
	f.phones.mu.Lock()
	defer f.phones.mu.Unlock()
	if f.landlines == nil {
		f.landlines = map[string]bool{}
	}
	f.landlines[number] = true
}

// Forged posts a text as someone without the token would.
func (f *Twilio) Forged(t testing.TB, number, body string) int {
	form := url.Values{"MessageSid": {f.nextID("SM")}, "From": {number}, "To": {f.From}, "Body": {body}}
	return post(t, f.Webhook, form, http.Header{"X-Twilio-Signature": {sign("not-the-token", f.Webhook, form)}})
}

// sign is Twilio's signature, written here on its own from Twilio's
// documentation, so that the adapter's is checked against another's.
func sign(token, address string, form url.Values) string {
	var keys []string
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := address
	for _, k := range keys {
		s += k + form.Get(k)
	}
	m := hmac.New(sha1.New, []byte(token))
	io.WriteString(m, s)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
