// Package botapifake is a fake Telegram Bot API on loopback for load tests
// and benchmarks. It holds to Telegram's limits, answering 429 with
// retry_after past them as Telegram does, answers after a set latency, and
// counts every call; a driver injects messages and button presses as
// updates, which the bot long-polls for through the real client.
//
// It speaks the part of the Bot API Huddle uses: getMe, deleteWebhook,
// setWebhook, getUpdates (or Deliver, posting to webhooks), sendMessage, answerCallbackQuery, setMessageReaction,
// pinChatMessage and getChatMemberCount. Unlike tgemu (the npm emulator,
// for behaviour) it is built for many groups and members at once.
package botapifake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limits are the rates past which the fake answers 429. The zero value
// means Telegram's: 30 messages a second in all, 20 in any minute to a
// group, and one a second to a chat.
type Limits struct {
	PerSecond      int
	GroupPerMinute int
	ChatGap        time.Duration
	// Slack is how much closer than ChatGap two messages to one chat may
	// arrive (network and scheduling jitter); 250 ms by default. The fake
	// counts a message when its handler runs, in the test's process, which
	// beside other packages' tests on two cores can handle two messages
	// sent a second apart 150 ms closer (a CI run's TestBigGroupLesson).
	Slack time.Duration
	// Bunch is how many messages past PerSecond one second may count when
	// they arrive bunched; 10 by default. Telegram's own figure is
	// approximate ("no more than ~30 users per second", the Bot FAQ,
	// https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this),
	// and a process starved of CPU sends what fell due meanwhile at once,
	// its pacing notwithstanding: CI runs of TestManyGroupsStart counted
	// 33 and 36 in a second from a sender that keeps to 25 by its own
	// window. A sender that keeps above PerSecond still goes past it
	// within seconds.
	Bunch int
}

// Config configures a fake.
type Config struct {
	// Latency delays every answer but getUpdates', as a round trip to
	// Telegram's servers would.
	Latency time.Duration
	Limits  Limits
	// Token is the bot token it accepts; "4242:FAKE-token" when empty.
	Token string
}

// Failure is how the fake fails a method (Fail): with an answer of its
// own (Status, ContentType and Body: a 5xx page of a proxy, Telegram's
// 401), by holding the request until the client gives up (Hang), or by
// closing the connection without an answer (Close).
type Failure struct {
	Status      int
	ContentType string
	Body        string
	Hang        bool
	Close       bool
}

// Server is a running fake Bot API.
type Server struct {
	// URL is the base URL, for channels.telegram.api_endpoint.
	URL string
	// Token is the bot token it accepts.
	Token string

	cfg Config
	srv *httptest.Server

	mu        sync.Mutex
	updates   []json.RawMessage // update_id = index + 1
	chatOf    []int64           // each update's chat
	arrived   chan struct{}     // closed when an update arrives
	nextMsg   int
	calls     map[string]int
	tooMany   int
	tooManyBy map[string]int
	global    []time.Time
	chatLast  map[int64]time.Time
	group     map[int64][]time.Time
	sizes     map[int64]int
	sent      []Message
	answers   map[string]Answer
	pressed   map[string]time.Time
	reactions int
	delivery  Delivery
	failures  map[string]Failure // by method; "*" for every method but getUpdates
	// polling counts getUpdates requests under way; conflicts those
	// refused because another was (Telegram's 409); confirmed the
	// updates a getUpdates offset has confirmed, which no later one gets.
	polling, conflicts, confirmed int
}

// Message is a message the bot sent.
type Message struct {
	ChatID int64
	ID     int
	Text   string
	// Buttons holds each inline button's callback data.
	Buttons []string
	At      time.Time
}

// Answer is the bot's answer to a button press.
type Answer struct {
	Text string
	At   time.Time
	// After is how long after the press the answer came.
	After time.Duration
}

// Start runs a fake until the test ends.
func Start(tb testing.TB, cfg Config) *Server {
	l := &cfg.Limits
	if l.PerSecond == 0 {
		l.PerSecond = 30
	}
	if l.GroupPerMinute == 0 {
		l.GroupPerMinute = 20
	}
	if l.ChatGap == 0 {
		l.ChatGap = time.Second
	}
	if l.Slack == 0 {
		l.Slack = 250 * time.Millisecond
	}
	if l.Bunch == 0 {
		l.Bunch = 10
	}
	if cfg.Token == "" {
		cfg.Token = "4242:FAKE-token"
	}
	s := &Server{Token: cfg.Token, cfg: cfg, failures: map[string]Failure{}, arrived: make(chan struct{}), calls: map[string]int{},
		chatLast: map[int64]time.Time{}, group: map[int64][]time.Time{}, sizes: map[int64]int{}, answers: map[string]Answer{},
		pressed: map[string]time.Time{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Chat is a chat as updates describe it.
type Chat struct {
	ID    int64
	Title string // a group's
}

// User is a member.
type User struct {
	ID   int64
	Name string
}

func (c Chat) json() map[string]any {
	if c.ID < 0 {
		return map[string]any{"id": c.ID, "type": "supergroup", "title": c.Title}
	}
	return map[string]any{"id": c.ID, "type": "private"}
}

func (u User) json() map[string]any {
	return map[string]any{"id": u.ID, "is_bot": false, "first_name": u.Name}
}

// push queues an update in chat, its update_id set here.
func (s *Server) push(chat int64, u map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u["update_id"] = len(s.updates) + 1
	raw, _ := json.Marshal(u)
	s.updates = append(s.updates, raw)
	s.chatOf = append(s.chatOf, chat)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// Send queues a text message from a member in a chat; it returns the
// message's id.
func (s *Server) Send(chat Chat, from User, text string) int {
	s.mu.Lock()
	s.nextMsg++
	id := s.nextMsg
	s.mu.Unlock()
	s.push(chat.ID, map[string]any{"message": map[string]any{"message_id": id, "date": time.Now().Unix(),
		"chat": chat.json(), "from": from.json(), "text": text}})
	return id
}

// Press queues a member's press of a button with data on message msgID;
// it returns the press's id (the callback query's).
func (s *Server) Press(chat Chat, from User, msgID int, data string) string {
	s.mu.Lock()
	id := fmt.Sprintf("cq%d-%d-%d", chat.ID, from.ID, len(s.updates)+1)
	s.pressed[id] = time.Now()
	s.mu.Unlock()
	s.push(chat.ID, map[string]any{"callback_query": map[string]any{"id": id, "from": from.json(), "data": data,
		"chat_instance": "x", "message": map[string]any{"message_id": msgID, "date": time.Now().Unix(), "chat": chat.json()}}})
	return id
}

// SetSize sets what getChatMemberCount answers for a chat (the bot
// included, as Telegram counts).
func (s *Server) SetSize(chat Chat, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sizes[chat.ID] = n
}

// Fail makes every later call of method ("*": of every method but
// getUpdates) fail as f says; Fail(method, Failure{}) mends it.
func (s *Server) Fail(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Failure{}) {
		delete(s.failures, method)
		return
	}
	s.failures[method] = f
}

// failure returns how method is to fail, if it is.
func (s *Server) failure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.failures[method]; ok {
		return f, true
	}
	f, ok := s.failures["*"]
	return f, ok && method != "getUpdates"
}

// fail answers a request as f says.
func fail(w http.ResponseWriter, r *http.Request, f Failure) {
	switch {
	case f.Hang:
		<-r.Context().Done()
	case f.Close:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
	default:
		if f.ContentType != "" {
			w.Header().Set("Content-Type", f.ContentType)
		}
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
	}
}

// Stats are the fake's counts.
type Stats struct {
	// Calls counts requests by method.
	Calls map[string]int
	// TooMany counts 429 answers; TooManyBy counts them by the limit
	// passed ("second", "chat", "group").
	TooMany   int
	TooManyBy map[string]int
	// Reactions counts setMessageReaction calls answered.
	Reactions int
	// Conflicts counts getUpdates refused because another was under way,
	// as Telegram refuses a second poller with 409.
	Conflicts int
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		calls[k] = v
	}
	return Stats{Calls: calls, TooMany: s.tooMany, TooManyBy: maps.Clone(s.tooManyBy), Reactions: s.reactions, Conflicts: s.conflicts}
}

// Sent returns the messages the bot sent, in order.
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// Answered returns the answer to press id, if any.
func (s *Server) Answered(id string) (Answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[id]
	return a, ok
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) != 2 || parts[0] != "bot"+s.Token {
		reply(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	method := parts[1]
	if err := r.ParseForm(); err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": err.Error()})
		return
	}
	arrived := time.Now()
	if ns, err := strconv.ParseInt(r.Header.Get(sentAtHeader), 10, 64); err == nil {
		// Sent through Client: counted when it left the client, as
		// Telegram counts it when it arrives over the network, not when
		// this test's starved process got round to it.
		arrived = time.Unix(0, ns)
	}
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
	if f, ok := s.failure(method); ok {
		fail(w, r, f)
		return
	}
	if method == "getUpdates" {
		s.getUpdates(w, r)
		return
	}
	status, body := s.handle(method, r, arrived)
	select {
	case <-time.After(s.cfg.Latency):
	case <-r.Context().Done():
		return
	}
	reply(w, status, body)
}

func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func ok(result any) (int, any) { return http.StatusOK, map[string]any{"ok": true, "result": result} }

func bad(desc string) (int, any) {
	return http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: " + desc}
}

// handle answers one request other than getUpdates.
func (s *Server) handle(method string, r *http.Request, at time.Time) (int, any) {
	chatID, _ := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
	switch method {
	case "getMe":
		return ok(map[string]any{"id": 4242, "is_bot": true, "first_name": "Huddle", "username": "FakeHuddleBot",
			"can_read_all_group_messages": true})
	case "deleteWebhook", "setWebhook", "pinChatMessage":
		return ok(true)
	case "getChatMemberCount":
		s.mu.Lock()
		defer s.mu.Unlock()
		return ok(s.sizes[chatID])
	case "setMessageReaction":
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reactions++
		return ok(true)
	case "answerCallbackQuery":
		id := r.Form.Get("callback_query_id")
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, done := s.answers[id]; done {
			return bad("query is too old and response timeout expired or query ID is invalid")
		}
		s.answers[id] = Answer{Text: r.Form.Get("text"), At: at, After: at.Sub(s.pressed[id])}
		return ok(true)
	case "sendMessage":
		s.mu.Lock()
		defer s.mu.Unlock()
		// Counted at the time the limits are checked, under the lock:
		// requests that arrived at once may take the lock in another
		// order, and the windows must stay in time order (a time taken
		// before the lock once put an older time after a newer one,
		// which the window's trim then kept: false 429s).
		at = time.Now()
		if wait := s.limit(chatID, at); wait > 0 {
			s.tooMany++
			secs := int((wait + time.Second - 1) / time.Second)
			return http.StatusTooManyRequests, map[string]any{"ok": false, "error_code": 429,
				"description": fmt.Sprintf("Too Many Requests: retry after %d", secs), "parameters": map[string]any{"retry_after": secs}}
		}
		s.nextMsg++
		m := Message{ChatID: chatID, ID: s.nextMsg, Text: r.Form.Get("text"), At: at}
		if kb := r.Form.Get("reply_markup"); kb != "" {
			var markup struct {
				Rows [][]struct {
					Data string `json:"callback_data"`
				} `json:"inline_keyboard"`
			}
			json.Unmarshal([]byte(kb), &markup)
			for _, row := range markup.Rows {
				for _, b := range row {
					m.Buttons = append(m.Buttons, b.Data)
				}
			}
		}
		s.sent = append(s.sent, m)
		chat := map[string]any{"id": chatID, "type": "private"}
		if chatID < 0 {
			chat["type"] = "supergroup"
		}
		return ok(map[string]any{"message_id": m.ID, "date": at.Unix(), "chat": chat, "text": m.Text})
	}
	return http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found: method " + method}
}

// limit records a message to chatID arriving at at, or says how long
// until it would be within the limits (recording nothing); mu held.
func (s *Server) limit(chatID int64, at time.Time) time.Duration {
	l := s.cfg.Limits
	var wait time.Duration
	past := func(by string, w time.Duration) {
		if s.tooManyBy == nil {
			s.tooManyBy = map[string]int{}
		}
		s.tooManyBy[by]++
		wait = max(wait, w)
	}
	s.global = trim(s.global, at.Add(-time.Second))
	if len(s.global) >= l.PerSecond+l.Bunch {
		past("second", s.global[0].Add(time.Second).Sub(at))
	}
	if last, ok := s.chatLast[chatID]; ok && at.Sub(last) < l.ChatGap-l.Slack {
		past("chat", last.Add(l.ChatGap).Sub(at))
	}
	if chatID < 0 {
		g := trim(s.group[chatID], at.Add(-time.Minute))
		s.group[chatID] = g
		if len(g) >= l.GroupPerMinute {
			past("group", g[0].Add(time.Minute).Sub(at))
		}
	}
	if wait > 0 {
		return wait
	}
	s.global = append(s.global, at)
	s.chatLast[chatID] = at
	if chatID < 0 {
		s.group[chatID] = append(s.group[chatID], at)
	}
	return 0
}

// trim drops the times before since.
func trim(ts []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(since) {
		i++
	}
	return ts[i:]
}

// getUpdates long-polls: the updates from offset on (none an earlier
// offset confirmed), waiting up to the request's timeout for one to
// arrive. A second getUpdates while one is under way is refused with 409,
// as Telegram refuses a second instance of a bot polling.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.polling > 0 {
		s.conflicts++
		s.mu.Unlock()
		reply(w, http.StatusConflict, map[string]any{"ok": false, "error_code": 409,
			"description": "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
		return
	}
	s.polling++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.polling--
		s.mu.Unlock()
	}()
	offset, _ := strconv.Atoi(r.Form.Get("offset"))
	timeout, _ := strconv.Atoi(r.Form.Get("timeout"))
	limit, _ := strconv.Atoi(r.Form.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(timeout)*time.Second)
	defer cancel()
	for {
		s.mu.Lock()
		s.confirmed = max(s.confirmed, offset-1)
		from := s.confirmed
		var out []json.RawMessage
		if from < len(s.updates) {
			out = s.updates[from:min(len(s.updates), from+limit)]
		}
		arrived := s.arrived
		s.mu.Unlock()
		if len(out) > 0 {
			reply(w, http.StatusOK, map[string]any{"ok": true, "result": out})
			return
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			if r.Context().Err() == nil {
				reply(w, http.StatusOK, map[string]any{"ok": true, "result": []any{}})
			}
			return
		}
	}
}

// sentAtHeader carries, on a request sent through Client, when it left.
const sentAtHeader = "X-Fake-Sent-At"

// Client returns an HTTP client for the channel under test that stamps
// each request with when it left, so that the fake counts Telegram's
// limits by that, not by when its handler runs: in one process with the
// channel, starved beside other tests, the fake can handle a second and a
// half's requests within one second (a CI run's TestManyGroupsStart saw
// 36 in a second from a sender that keeps to 25 by its own clock).
func (s *Server) Client() *http.Client {
	return &http.Client{Timeout: 2 * time.Minute, Transport: stamped{http.DefaultTransport}}
}

// stamped is a transport that stamps each request with when it left.
type stamped struct{ base http.RoundTripper }

func (t stamped) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(sentAtHeader, strconv.FormatInt(time.Now().UnixNano(), 10))
	return t.base.RoundTrip(r)
}
