package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
)

func TestConvert(t *testing.T) {
	tests := []struct {
		file string
		want *bot.Event // nil: ignored
	}{
		{"group_message.json", &bot.Event{ID: "telegram:-100123:11:77", Kind: bot.Message, Channel: "telegram",
			ChatID: "-100123", ChatType: bot.Group, ChatTitle: "Ward 7 midwives", SenderID: "11",
			SenderName: "Amina Otieno", SenderLang: "sw", MessageID: "77", Text: "/lesson@HuddleBot pph-first-hour"}},
		{"reply_private.json", &bot.Event{ID: "telegram:12:12:5", Kind: bot.Message, Channel: "telegram",
			ChatID: "12", ChatType: bot.Direct, SenderID: "12", SenderName: "Brigitte", SenderLang: "fr",
			MessageID: "5", Text: "20", ReplyTo: "4"}},
		{"photo_caption.json", &bot.Event{ID: "telegram:-100123:13:78", Kind: bot.Message, Channel: "telegram",
			ChatID: "-100123", ChatType: bot.Group, ChatTitle: "Ward 7 midwives", SenderID: "13", SenderName: "Chinedu",
			MessageID: "78", Text: "Our new hand-rub station"}},
		{"callback.json", &bot.Event{ID: "telegram:-100123:11:cb4410", Kind: bot.OptionChosen, Channel: "telegram",
			ChatID: "-100123", ChatType: bot.Group, ChatTitle: "Ward 7 midwives", SenderID: "11", SenderName: "Amina",
			MessageID: "90", Option: "q12.3.2", PressID: "4410"}},
		{"migrate_to.json", &bot.Event{ID: "telegram:-4001::migrate", Kind: bot.ChatMigrated, Channel: "telegram",
			ChatID: "-4001", ChatType: bot.Group, MigrateTo: "-1004001"}},
		{"migrate_from.json", &bot.Event{ID: "telegram:-4001::migrate", Kind: bot.ChatMigrated, Channel: "telegram",
			ChatID: "-4001", ChatType: bot.Group, MigrateTo: "-1004001"}},
		{"topic_message.json", &bot.Event{ID: "telegram:-100456:14:120", Kind: bot.Message, Channel: "telegram",
			ChatID: "-100456", ChatType: bot.Group, ChatTitle: "Sages-femmes Thiès", SenderID: "14", SenderName: "Fatou",
			SenderLang: "fr", MessageID: "120", Text: "Avez-vous vérifié la tension ?", ReplyTo: "118", Thread: "118", Forum: true}},
		{"forum_general.json", &bot.Event{ID: "telegram:-100456:14:121", Kind: bot.Message, Channel: "telegram",
			ChatID: "-100456", ChatType: bot.Group, ChatTitle: "Sages-femmes Thiès", SenderID: "14", SenderName: "Fatou",
			SenderLang: "fr", MessageID: "121", Text: "Bonjour à toutes", Forum: true}},
		{"reply_mention.json", &bot.Event{ID: "telegram:-100123:11:91", Kind: bot.Message, Channel: "telegram",
			ChatID: "-100123", ChatType: bot.Group, ChatTitle: "Ward 7 midwives", SenderID: "11", SenderName: "Amina Otieno",
			SenderLang: "sw", MessageID: "91", Text: "/mentor add obstetrics Chinedu", ReplyTo: "78", ReplyToSender: "13",
			Mentions: []string{"13"}}},
		{"left_member.json", &bot.Event{ID: "telegram:-100123:13:left-95", Kind: bot.Left, Channel: "telegram",
			ChatID: "-100123", ChatType: bot.Group, SenderID: "13"}},
		{"member_kicked.json", &bot.Event{ID: "telegram:-100123:12:left-1772440260", Kind: bot.Left, Channel: "telegram",
			ChatID: "-100123", ChatType: bot.Group, SenderID: "12"}},
		{"edited_message.json", &bot.Event{ID: "telegram:-100123:11:77-edit-1772440500-b4636467", Kind: bot.Edited, Channel: "telegram",
			ChatID: "-100123", ChatType: bot.Group, ChatTitle: "Ward 7 midwives", SenderID: "11", SenderName: "Amina Otieno",
			SenderLang: "sw", MessageID: "77", Text: "/case Woman of 34, heavy bleeding after delivery. What next?", Target: "77"}},
		{"member_promoted.json", nil},
		{"bot_left.json", nil}, // the bot itself removed: no member left
		{"channel_post.json", nil},
		{"from_bot.json", nil},
	}
	tg := &Telegram{}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "updates", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var u update
			if err := json.Unmarshal(data, &u); err != nil {
				t.Fatal(err)
			}
			got, ok := tg.convert(u)
			if tt.want == nil {
				if ok {
					t.Fatalf("got %+v, want the update ignored", got)
				}
				return
			}
			if !ok {
				t.Fatal("update ignored")
			}
			got.Time = time.Time{} // checked apart: the platform's date
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", *tt.want) {
				t.Errorf("event\n got %+v\nwant %+v", got, *tt.want)
			}
		})
	}
}

func TestSendParams(t *testing.T) {
	got := sendParams(bot.Outbound{ChatID: "-100123", Text: "❓ First drug?", ReplyTo: "77",
		Options: []bot.Option{{Label: "1. Oxytocin", Data: "q1.2.1"}, {Label: "2. Ergometrine", Data: "q1.2.2"}}})
	want := tgbotapi.Params{
		"chat_id": "-100123", "text": "❓ First drug?", "reply_to_message_id": "77", "allow_sending_without_reply": "true",
		"reply_markup": `{"inline_keyboard":[[{"text":"1. Oxytocin","callback_data":"q1.2.1"}],[{"text":"2. Ergometrine","callback_data":"q1.2.2"}]]}`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("params\n got %v\nwant %v", got, want)
	}
	long := sendParams(bot.Outbound{ChatID: "1", Text: strings.Repeat("é", 5000)})
	if n := len([]rune(long["text"])); n != maxMessage {
		t.Errorf("a 5000-character text is sent as %d characters, want %d", n, maxMessage)
	}
}

// fakeAPI answers every Bot API method with the given status and body, and
// records the requests.
func fakeAPI(t *testing.T, status int, body string) (*Telegram, *[]url.Values) {
	t.Helper()
	return fakeAPIFunc(t, func(url.Values) (int, string) { return status, body })
}

// fakeAPIFunc answers each Bot API request (its form values, with the
// method under "method") as answer says, and records the requests.
func fakeAPIFunc(t *testing.T, answer func(url.Values) (int, string)) (*Telegram, *[]url.Values) {
	t.Helper()
	var reqs []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		v, _ := url.ParseQuery(string(data))
		v.Set("method", r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		reqs = append(reqs, v)
		status, body := answer(v)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	tg, err := New(context.Background(), Config{Token: "1:x", APIEndpoint: srv.URL, Rate: 1000, WebhookSecret: "s3cret-s3cret-s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	return tg, &reqs
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		check  func(error) bool
	}{
		{"429 waits retry_after", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`,
			func(err error) bool { var r *bot.RetryError; return errors.As(err, &r) && r.After == 7*time.Second }},
		{"group became a supergroup", 400, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1004001}}`,
			func(err error) bool { var m *bot.MigratedError; return errors.As(err, &m) && m.NewChatID == "-1004001" }},
		{"bot removed from the group", 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the group chat"}`,
			func(err error) bool { var p *bot.PermanentError; return errors.As(err, &p) }},
		{"server error is retried", 502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`,
			func(err error) bool {
				var p *bot.PermanentError
				return err != nil && !errors.As(err, &p)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, _ := fakeAPI(t, tt.status, tt.body)
			_, err := tg.Send(context.Background(), bot.Outbound{ChatID: "-4001", Text: "hi", Key: "k"})
			if !tt.check(err) {
				t.Errorf("Send error = %#v", err)
			}
		})
	}
}

// TestTakeDown: a member's message to take down is deleted; one gone
// already is done; a refusal (no admin) sends the text instead, replying
// to it; too many requests is retried later, nothing sent meanwhile.
func TestTakeDown(t *testing.T) {
	const sent = `{"ok":true,"result":{"message_id":90,"date":1,"chat":{"id":-4001,"type":"group"}}}`
	tests := []struct {
		name    string
		deleted string // deleteMessage's answer
		status  int
		methods string // the requests made
		retry   bool
	}{
		{"deleted", `{"ok":true,"result":true}`, 200, "deleteMessage", false},
		{"gone already", `{"ok":false,"error_code":400,"description":"Bad Request: message to delete not found"}`, 400, "deleteMessage", false},
		{"no admin", `{"ok":false,"error_code":400,"description":"Bad Request: message can't be deleted"}`, 400, "deleteMessage sendMessage", false},
		{"too many requests", `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`, 429, "deleteMessage", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, reqs := fakeAPIFunc(t, func(v url.Values) (int, string) {
				if v.Get("method") == "deleteMessage" {
					return tt.status, tt.deleted
				}
				return 200, sent
			})
			_, err := tg.Send(context.Background(), bot.Outbound{ChatID: "-4001", Delete: "77", Text: "Please delete it.", Key: "k"})
			var retry *bot.RetryError
			if got := errors.As(err, &retry); got != tt.retry || (err != nil && !tt.retry) {
				t.Errorf("Send error = %v, want a retry: %v", err, tt.retry)
			}
			var methods []string
			for _, r := range *reqs {
				methods = append(methods, r.Get("method"))
				if r.Get("method") == "sendMessage" && (r.Get("reply_to_message_id") != "77" || r.Get("text") != "Please delete it.") {
					t.Errorf("sent %v, want the text replying to message 77", r)
				}
				if r.Get("method") == "deleteMessage" && (r.Get("message_id") != "77" || r.Get("chat_id") != "-4001") {
					t.Errorf("deleted %v, want message 77 of -4001", r)
				}
			}
			if got := strings.Join(methods, " "); got != tt.methods {
				t.Errorf("requests %q, want %q", got, tt.methods)
			}
		})
	}
}

func TestWebhookSecret(t *testing.T) {
	tg, reqs := fakeAPI(t, 200, `{"ok":true,"result":true}`)
	var got []bot.Event
	tg.handler = handlerFunc(func(_ context.Context, ev bot.Event) error { got = append(got, ev); return nil })
	update, _ := os.ReadFile(filepath.Join("testdata", "updates", "callback.json"))
	tests := []struct {
		name   string
		method string
		secret string
		body   string
		want   int
	}{
		{"no secret", http.MethodPost, "", string(update), http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, "s3cret-s3cret-s3creX", string(update), http.StatusUnauthorized},
		{"not POST", http.MethodGet, "s3cret-s3cret-s3cret", "", http.StatusMethodNotAllowed},
		{"garbage", http.MethodPost, "s3cret-s3cret-s3cret", "{not json", http.StatusBadRequest},
		{"right secret", http.MethodPost, "s3cret-s3cret-s3cret", string(update), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, WebhookPath, strings.NewReader(tt.body))
			if tt.secret != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tt.secret)
			}
			rec := httptest.NewRecorder()
			tg.WebhookHandler().ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
	if len(got) != 1 || got[0].Option != "q12.3.2" || got[0].PressID != "4410" {
		t.Errorf("handled events = %+v, want only the one with the secret, with its press id", got)
	}
	// A handled press is answered through the outbox (with its verdict),
	// not at once with nothing.
	for _, r := range *reqs {
		if r.Get("method") == "answerCallbackQuery" {
			t.Errorf("requests to Telegram = %v, want no answerCallbackQuery from the webhook itself", *reqs)
		}
	}
}

type handlerFunc func(context.Context, bot.Event) error

func (f handlerFunc) HandleEvent(ctx context.Context, ev bot.Event) error { return f(ctx, ev) }

// TestPollStopsOnCancel checks that the polling loop ends promptly when its
// context ends, even in the middle of a long poll.
func TestPollStopsOnCancel(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getUpdates") {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"H","username":"HuddleBot"}}`)
	}))
	defer srv.Close()
	defer close(block)
	tg, _ := New(context.Background(), Config{Token: "1:x", APIEndpoint: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tg.Run(ctx, handlerFunc(func(context.Context, bot.Event) error { return nil })) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not stop within 3s of cancel")
	}
}

// TestGroupPacing sends 25 messages to one group: 20 go out, the rest are
// deferred without a request, and a private chat is not held up.
func TestGroupPacing(t *testing.T) {
	tg, reqs := fakeAPI(t, 200, `{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":-5,"type":"group"}}}`)
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tg.now = func() time.Time { return now }
	tg.sleep = func(_ context.Context, d time.Duration) error { now = now.Add(d); return nil }
	// A group wants a message every half second for three minutes: it gets
	// one a second (a chat's limit: the second message waits out the
	// gap) until twenty are in the last minute, then as the window
	// slides, never more than twenty in any minute.
	var sent []time.Time
	for i := 0; i < 360; i++ {
		_, err := tg.Send(context.Background(), bot.Outbound{ChatID: "-5", Text: fmt.Sprint(i), Key: fmt.Sprint(i)})
		var r *bot.RetryError
		switch {
		case errors.As(err, &r):
			if r.After <= 0 || r.After > time.Minute || !r.Pace {
				t.Fatalf("deferred by %s (pacing %v), want a pacing wait up to a minute", r.After, r.Pace)
			}
		case err != nil:
			t.Fatal(err)
		default:
			sent = append(sent, now) // after any sleep
		}
		now = now.Add(500 * time.Millisecond)
	}
	if len(*reqs) != len(sent) {
		t.Fatalf("%d requests for %d sent", len(*reqs), len(sent))
	}
	for i := range sent {
		if i > 0 && sent[i].Sub(sent[i-1]) < time.Second {
			t.Errorf("two messages %s apart; want at least a second", sent[i].Sub(sent[i-1]))
		}
		if i >= 20 && sent[i].Sub(sent[i-20]) < time.Minute {
			t.Errorf("21 messages within %s; want at most 20 in any minute", sent[i].Sub(sent[i-20]))
		}
	}
	// Not slower than the limits need: twenty in every whole minute.
	if span := sent[len(sent)-1].Sub(sent[0]); len(sent) < 20*int(span/time.Minute) || span < 2*time.Minute {
		t.Errorf("%d messages in %s; want 20 a minute", len(sent), span)
	}
	if _, err := tg.Send(context.Background(), bot.Outbound{ChatID: "42", Text: "private", Key: "p"}); err != nil {
		t.Errorf("a private chat was held up: %v", err)
	}
}

// orderHandler records the order in which events finish; a migration
// takes a while, as a database write does.
type orderHandler struct {
	mu   sync.Mutex
	done []bot.EventKind
}

func (o *orderHandler) HandleEvent(_ context.Context, ev bot.Event) error {
	if ev.Kind == bot.ChatMigrated {
		time.Sleep(50 * time.Millisecond)
	}
	o.mu.Lock()
	o.done = append(o.done, ev.Kind)
	o.mu.Unlock()
	return nil
}

func (o *orderHandler) Submit(ctx context.Context, ev bot.Event) <-chan error {
	done := make(chan error, 1)
	go func() { done <- o.HandleEvent(ctx, ev) }() // other chats run concurrently
	return done
}

// TestMigrationIsABarrier: in one batch, a migration notice and then a
// message in the new supergroup: the message is handled after the
// migration, or it would land in a chat without the group's run.
func TestMigrationIsABarrier(t *testing.T) {
	var updates []update
	for _, f := range []string{"migrate_to.json", "group_message.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata", "updates", f))
		var u update
		if err := json.Unmarshal(data, &u); err != nil {
			t.Fatal(err)
		}
		updates = append(updates, u)
	}
	tg, _ := fakeAPI(t, 200, `{"ok":true,"result":true}`)
	h := &orderHandler{}
	next, err := tg.handleBatch(context.Background(), h, updates)
	if err != nil || next != 1002 {
		t.Fatalf("handleBatch = %d, %v", next, err)
	}
	if fmt.Sprint(h.done) != "[migrated message]" {
		t.Errorf("handled in the order %v, want the migration first", h.done)
	}
}

// TestWebhookRegistration: webhook mode registers the URL and the secret
// token with setWebhook, for the update kinds Huddle handles.
func TestWebhookRegistration(t *testing.T) {
	var mu sync.Mutex
	var got []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		v, _ := url.ParseQuery(string(data))
		v.Set("method", r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		mu.Lock()
		got = append(got, v)
		mu.Unlock()
		io.WriteString(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"H","username":"HuddleBot"}}`)
	}))
	defer srv.Close()
	tg, err := New(context.Background(), Config{Token: "1:x", APIEndpoint: srv.URL, Webhook: true,
		WebhookURL: "https://huddle.example.org/telegram/webhook", WebhookSecret: "s3cret-s3cret-s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tg.Run(ctx, handlerFunc(func(context.Context, bot.Event) error { return nil })) }()
	testkit.Until(3*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 2
	})
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[1].Get("method") != "setWebhook" {
		t.Fatalf("requests = %v, want getMe then setWebhook", got)
	}
	set := got[1]
	if set.Get("url") != "https://huddle.example.org/telegram/webhook" || set.Get("secret_token") != "s3cret-s3cret-s3cret" ||
		set.Get("allowed_updates") != `["message","edited_message","callback_query","chat_member"]` {
		t.Errorf("setWebhook = %v", set)
	}
}

// TestPrivacyModeWarning: with privacy mode on, Run says so and how to fix
// it; with it off, it says nothing.
func TestPrivacyModeWarning(t *testing.T) {
	for _, c := range []struct {
		name string
		me   string
		warn bool
	}{
		{"privacy on", `{"id":1,"is_bot":true,"first_name":"H","username":"HuddleBot"}`, true},
		{"privacy off", `{"id":1,"is_bot":true,"first_name":"H","username":"HuddleBot","can_read_all_group_messages":true}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/getMe") {
					io.WriteString(w, `{"ok":true,"result":`+c.me+`}`)
					return
				}
				<-r.Context().Done() // getUpdates: a long poll
			}))
			defer srv.Close()
			var logs syncBuf
			tg, _ := New(context.Background(), Config{Token: "1:x", APIEndpoint: srv.URL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { tg.Run(ctx, handlerFunc(func(context.Context, bot.Event) error { return nil })); close(done) }()
			testkit.Until(3*time.Second, func() bool { return strings.Contains(logs.String(), "connected to Telegram") })
			cancel()
			<-done
			if got := strings.Contains(logs.String(), "/setprivacy"); got != c.warn {
				t.Errorf("warning shown = %v, want %v:\n%s", got, c.warn, logs.String())
			}
		})
	}
}

// syncBuf is a buffer safe for a logger and a reader at once.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTopics: a case's topic is opened with createForumTopic; a message to
// a topic an admin deleted goes to the group instead of being lost; a bot
// without the right to manage topics gets a permanent error, so the sender
// gives the topic up and the case is posted in the group.
func TestTopics(t *testing.T) {
	tg, sent := fakeAPIFunc(t, func(v url.Values) (int, string) {
		switch {
		case v.Get("method") == "createForumTopic" && v.Get("chat_id") == "-100456":
			return 200, `{"ok":true,"result":{"message_thread_id":118,"name":"#C3","icon_color":7322096}}`
		case v.Get("method") == "createForumTopic":
			return 400, `{"ok":false,"error_code":400,"description":"Bad Request: not enough rights to manage topics"}`
		case v.Get("message_thread_id") == "99":
			return 400, `{"ok":false,"error_code":400,"description":"Bad Request: message thread not found"}`
		}
		return 200, `{"ok":true,"result":{"message_id":130,"date":1772440200,"chat":{"id":-100456,"type":"supergroup"}}}`
	})
	ctx := context.Background()
	long := strings.Repeat("é", 200)
	if id, err := tg.Send(ctx, bot.Outbound{ChatID: "-100456", Topic: "#C3 " + long}); err != nil || id != "118" {
		t.Fatalf("open topic = %q, %v; want the thread id 118", id, err)
	}
	if n := len([]rune((*sent)[0].Get("name"))); n != maxTopicName || (*sent)[0].Get("text") != "" {
		t.Errorf("createForumTopic name has %d characters (want %d) and text %q", n, maxTopicName, (*sent)[0].Get("text"))
	}
	if id, err := tg.Send(ctx, bot.Outbound{ChatID: "-100456", Thread: "118", Text: "case"}); err != nil || id != "130" {
		t.Fatalf("send in topic = %q, %v", id, err)
	}
	if got := (*sent)[1].Get("message_thread_id"); got != "118" {
		t.Errorf("message_thread_id = %q, want 118", got)
	}
	*sent = nil
	if _, err := tg.Send(ctx, bot.Outbound{ChatID: "-100456", Thread: "99", Text: "answer"}); err != nil {
		t.Fatalf("send to a deleted topic: %v", err)
	}
	if len(*sent) != 2 || (*sent)[1].Has("message_thread_id") || (*sent)[1].Get("text") != "answer" {
		t.Errorf("requests = %v, want the message sent again without the topic", *sent)
	}
	_, err := tg.Send(ctx, bot.Outbound{ChatID: "-100789", Topic: "#C4"})
	var perm *bot.PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("open topic without the right = %v, want a permanent error", err)
	}
}

func TestClipUTF16(t *testing.T) {
	long := "✅ " + strings.Repeat("a", 300)
	for _, s := range []string{"short", long, strings.Repeat("😀", 150), strings.Repeat("x", 200)} {
		got := clipUTF16(s, 200)
		if n := utf16Len(got); n > 200 {
			t.Errorf("clipUTF16(%d runes) has %d UTF-16 units", len([]rune(s)), n)
		}
		if utf16Len(s) <= 200 && got != s {
			t.Errorf("clipUTF16 cut a text that fits: %q", got)
		}
	}
}

// TestTooManyRequestsSlowsDown: a 429 makes its chat wait retry_after and
// halves the overall rate, once for the refusals of one second; after a
// quiet minute the rate doubles back up to the configured one, and no
// further. Shared by several instances, each climbs back to its share.
func TestTooManyRequestsSlowsDown(t *testing.T) {
	calls := 0
	tg, _ := fakeAPIFunc(t, func(v url.Values) (int, string) {
		calls++
		if calls <= 3 || v.Get("chat_id") == "45" {
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`
		}
		return 200, `{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":42,"type":"private"}}}`
	})
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tg.now = func() time.Time { return now }
	tg.sleep = func(_ context.Context, d time.Duration) error { now = now.Add(d); return nil }
	send := func(chat string, burst bool) error {
		if !burst {
			now = now.Add(2 * time.Second) // past the chat's second
		}
		_, err := tg.Send(context.Background(), bot.Outbound{ChatID: chat, Text: "hi", Key: fmt.Sprint(now)})
		return err
	}
	steps := []struct {
		name   string
		chat   string
		later  time.Duration // clock moved before sending
		retry  bool
		perSec float64 // the overall rate after
		burst  bool    // sent in the same second as the step before
		share  int     // instances running, told before sending; 0 unchanged
	}{
		{"first 429", "42", 0, true, 500, false, 0},
		{"second 429, another chat", "43", 0, true, 250, false, 0},
		{"third 429 in the same second: one burst", "44", 0, true, 250, true, 0},
		{"sent, still slow", "42", 0, false, 250, false, 0},
		{"a quiet minute: doubled", "42", time.Minute, false, 500, false, 0},
		{"not yet another minute", "42", 10 * time.Second, false, 500, false, 0},
		{"another quiet minute: the configured rate", "42", time.Minute, false, 1000, false, 0},
		{"no higher", "42", time.Minute, false, 1000, false, 0},
		{"four instances: a quarter each", "42", 0, false, 250, false, 4},
		{"429 while shared: halved", "45", 0, true, 125, false, 0},
		{"two instances: still slow", "42", 0, false, 125, false, 2},
		{"a quiet minute: doubled", "42", time.Minute, false, 250, false, 0},
		{"another quiet minute: half the configured rate", "42", time.Minute, false, 500, false, 0},
		{"no higher than the share", "42", time.Minute, false, 500, false, 0},
		{"alone again: the configured rate", "42", 0, false, 1000, false, 1},
	}
	for _, s := range steps {
		if s.share > 0 {
			tg.ShareRate(s.share)
		}
		now = now.Add(s.later)
		err := send(s.chat, s.burst)
		var r *bot.RetryError
		if got := errors.As(err, &r); got != s.retry || (got && r.After != 3*time.Second) {
			t.Errorf("%s: err = %v; want a 3s wait: %v", s.name, err, s.retry)
		}
		if got := float64(tg.limiter.Limit()); got != s.perSec {
			t.Errorf("%s: %v a second; want %v", s.name, got, s.perSec)
		}
	}
}

// TestFirstSecondAfterStart: a process that just started cannot know what
// the one before it (killed a moment ago) sent to a chat: in its first
// second each chat's first message waits as if one went at the start;
// later a new chat's first message goes at once.
func TestFirstSecondAfterStart(t *testing.T) {
	tg, _ := fakeAPIFunc(t, func(url.Values) (int, string) {
		return 200, `{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":42,"type":"private"}}}`
	})
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	now := start
	tg.now = func() time.Time { return now }
	var slept []time.Duration
	tg.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); now = now.Add(d); return nil }
	for _, tc := range []struct {
		chat  string
		at    time.Duration // after the first send
		sleep time.Duration
	}{
		{"42", 0, time.Second},
		{"43", 400 * time.Millisecond, 600 * time.Millisecond},
		{"44", 5 * time.Second, 0},
	} {
		now = start.Add(tc.at)
		slept = nil
		if _, err := tg.Send(context.Background(), bot.Outbound{ChatID: tc.chat, Text: "hi", Key: tc.chat}); err != nil {
			t.Fatal(err)
		}
		var total time.Duration
		for _, d := range slept {
			total += d
		}
		if total != tc.sleep {
			t.Errorf("chat %s at +%s waited %s; want %s", tc.chat, tc.at, total, tc.sleep)
		}
	}
}

// TestWebhookKnocksLogged: a thousand requests with a wrong secret are
// refused each, and written to the log once, with their count to come.
func TestWebhookKnocksLogged(t *testing.T) {
	var logged strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), nil))
	tg, err := New(context.Background(), Config{Token: "1:x", WebhookSecret: "s3cret-s3cret-s3cret", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	h := tg.WebhookHandler()
	for i := range 1000 {
		req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader("{}"))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", fmt.Sprint("guess-", i))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logged.String(), "without the right secret token refused"); n != 1 {
		t.Errorf("%d log lines for 1,000 wrong secrets; want 1:\n%s", n, logged.String())
	}
}

// writerFunc is an io.Writer made of a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestStopWhileUnreachable: a bot stopped while Telegram cannot be
// reached (nothing answers, or something that is not Telegram answers)
// says only that it could not reach it: no "connected", no privacy mode.
func TestStopWhileUnreachable(t *testing.T) {
	for name, answer := range map[string]string{
		"no answer":       "",
		"an empty answer": `{"ok":true,"result":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if answer == "" {
					<-r.Context().Done()
					return
				}
				io.WriteString(w, answer)
			}))
			defer srv.Close()
			var logs syncBuf
			tg, _ := New(context.Background(), Config{Token: "1:x", APIEndpoint: srv.URL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tg.Run(ctx, handlerFunc(func(context.Context, bot.Event) error { return nil })) }()
			if answer != "" {
				testkit.Eventually(t, 5*time.Second, "a retry", func() bool { return strings.Contains(logs.String(), "cannot reach Telegram") }, logs.String)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			if out := logs.String(); strings.Contains(out, "connected to Telegram") || strings.Contains(out, "privacy mode") {
				t.Errorf("a bot never reached was said to be connected:\n%s", out)
			}
		})
	}
}
