package whatsapp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/huddletest"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// recorder is a channel that records what it is asked to send: the staff's
// other channel.
type recorder struct {
	name string
	mu   sync.Mutex
	got  []bot.Outbound
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }

func (r *recorder) Send(_ context.Context, m bot.Outbound) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return "r1", nil
}

func (r *recorder) wait(t *testing.T, n int) []bot.Outbound {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		got := append([]bot.Outbound(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
	}
	t.Fatalf("%s: fewer than %d messages arrived", r.name, n)
	return nil
}

// TestLoggedOutStopsSendingAndTellsStaff delivers whatsmeow's LoggedOut
// event: sending stops (messages wait in the outbox) and the staff on
// Telegram are told.
func TestLoggedOutStopsSendingAndTellsStaff(t *testing.T) {
	ref := &storeRef{}
	var connected atomic.Int32
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: ref, OnConnected: func() { connected.Add(1) }})
	tg := &recorder{name: "telegram"}
	app := huddletest.Start(t, huddletest.Options{Staff: []bot.StaffRef{{Channel: "telegram", ID: "42"}, {Channel: Name, ID: "254700000001"}}}, h.w, tg)
	ref.db = app.DB
	ctx := context.Background()
	for deadline := time.Now().Add(5 * time.Second); connected.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Run did not connect")
		}
	}
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "before", Key: "a"}); err != nil {
		t.Fatalf("send while connected: %v", err)
	}

	h.w.onEvent(&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut})
	got := tg.wait(t, 1)
	if got[0].ChatID != "42" || !strings.Contains(got[0].Text, "whatsapp") || !strings.Contains(got[0].Text, "huddle whatsapp pair") {
		t.Fatalf("staff told %+v; want a message to 42 naming the channel and how to pair", got[0])
	}
	var retry *bot.RetryError
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "after", Key: "b"}); !errors.As(err, &retry) {
		t.Fatalf("send after logout: %v; want a RetryError (the message waits in the outbox)", err)
	}
	if n := len(h.net.messages()); n != 1 {
		t.Fatalf("%d messages reached WhatsApp; want only the one before the logout", n)
	}
}

// TestTemporaryBanPausesSending delivers whatsmeow's TemporaryBan event:
// nothing is sent until it expires, then sending resumes.
func TestTemporaryBanPausesSending(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	ctx := context.Background()
	h.w.onEvent(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour})
	var retry *bot.RetryError
	_, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"})
	if !errors.As(err, &retry) || retry.After != time.Hour {
		t.Fatalf("send during the ban: %v; want to retry after 1h", err)
	}
	h.clock.Advance(time.Hour)
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"}); err != nil {
		t.Fatalf("send after the ban: %v", err)
	}
}

// TestStreamReplaced delivers whatsmeow's StreamReplaced event: another
// client took the session, so this one stops for good.
func TestStreamReplaced(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	h.w.onEvent(&events.StreamReplaced{})
	var retry *bot.RetryError
	if _, err := h.w.Send(context.Background(), bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"}); !errors.As(err, &retry) ||
		!strings.Contains(err.Error(), "another client") {
		t.Fatalf("send after the stream was replaced: %v", err)
	}
}

// TestDisconnectedWaits checks that messages wait while the connection is
// down and go once whatsmeow reconnects.
func TestDisconnectedWaits(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	h.connect()
	h.w.onEvent(&events.Disconnected{})
	var retry *bot.RetryError
	if _, err := h.w.Send(context.Background(), bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"}); !errors.As(err, &retry) {
		t.Fatalf("send while disconnected: %v; want a RetryError", err)
	}
	h.connect()
	if _, err := h.w.Send(context.Background(), bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"}); err != nil {
		t.Fatalf("send after reconnecting: %v", err)
	}
}

// TestUnpairedRun checks that an unpaired session neither connects nor
// blocks the others: Run waits, and messages wait in the outbox.
func TestUnpairedRun(t *testing.T) {
	w, err := New(context.Background(), Config{SessionDB: t.TempDir() + "/wa.db", Outbox: &memOutbox{}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Paired() {
		t.Fatal("a new session says it is paired")
	}
	dialed := false
	w.dial = func(context.Context) error { dialed = true; return nil }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx, nil) }()
	time.Sleep(20 * time.Millisecond)
	var retry *bot.RetryError
	if _, err := w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"}); !errors.As(err, &retry) || !strings.Contains(err.Error(), "pair") {
		t.Fatalf("send unpaired: %v; want a RetryError saying to pair", err)
	}
	cancel()
	if err := <-done; err != nil || dialed {
		t.Fatalf("Run: %v, dialed %v; want nil without dialing", err, dialed)
	}
}

// TestSessionLocked checks that a second process cannot open the session.
func TestSessionLocked(t *testing.T) {
	path := t.TempDir() + "/wa.db"
	w, err := New(context.Background(), Config{SessionDB: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// flock locks are per open file: a second open in this process is
	// refused just as another process's would be.
	if _, err := New(context.Background(), Config{SessionDB: path}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v; want ErrLocked", err)
	}
}

// handlerFunc adapts a function to bot.Handler.
type handlerFunc func(context.Context, bot.Event) error

func (f handlerFunc) HandleEvent(ctx context.Context, ev bot.Event) error { return f(ctx, ev) }

// TestAckOnlyWhenHandled checks what whatsmeow is told: a message the
// router could not handle durably reports failure, so whatsmeow leaves it
// unacknowledged and WhatsApp delivers it again.
func TestAckOnlyWhenHandled(t *testing.T) {
	h := newHarness(t, Config{})
	var fail atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.w.Run(ctx, handlerFunc(func(context.Context, bot.Event) error {
		if fail.Load() {
			return errors.New("disk full")
		}
		return nil
	}))
	h.running(t)
	msg := func(id string) *events.Message {
		return incoming(0, false, id, h.clock.Now(), &waE2E.Message{Conversation: proto.String("20")})
	}
	if !h.w.onEvent(msg("A")) {
		t.Fatal("a handled message reported failure")
	}
	fail.Store(true)
	if h.w.onEvent(msg("B")) {
		t.Fatal("a message whose handling failed reported success: it would be acknowledged and lost")
	}
	if !h.w.onEvent(&events.Connected{}) {
		t.Fatal("a connection event reported failure")
	}
}

// TestReceiptsAndOtherEvents feeds whatsmeow events Huddle does not act
// on (receipts of every type, presence, history sync): each is accepted,
// and none reaches the router.
func TestReceiptsAndOtherEvents(t *testing.T) {
	h := newHarness(t, Config{})
	var got atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.w.Run(ctx, handlerFunc(func(context.Context, bot.Event) error { got.Add(1); return nil }))
	h.running(t)
	src := types.MessageSource{Chat: group, Sender: nurses[0].lid, SenderAlt: nurses[0].pn, IsGroup: true}
	for _, evt := range []any{
		&events.Receipt{MessageSource: src, MessageIDs: []types.MessageID{"3EB0AAAA"}, Type: types.ReceiptTypeDelivered, Timestamp: h.clock.Now()},
		&events.Receipt{MessageSource: src, MessageIDs: []types.MessageID{"3EB0AAAA", "3EB0BBBB"}, Type: types.ReceiptTypeRead, Timestamp: h.clock.Now()},
		&events.Receipt{MessageSource: src, MessageIDs: []types.MessageID{"3EB0AAAA"}, Type: types.ReceiptTypeRetry, Timestamp: h.clock.Now()},
		&events.ChatPresence{MessageSource: src, State: types.ChatPresenceComposing},
		&events.HistorySync{},
		&events.OfflineSyncCompleted{Count: 3},
	} {
		if !h.w.onEvent(evt) {
			t.Errorf("%T reported failure", evt)
		}
	}
	if n := got.Load(); n != 0 {
		t.Fatalf("%d events reached the router; want none", n)
	}
}
