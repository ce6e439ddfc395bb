package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
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
	var got []bot.Outbound
	testkit.Eventually(t, 5*time.Second, fmt.Sprintf("%d messages on %s", n, r.name), func() bool {
		r.mu.Lock()
		got = append([]bot.Outbound(nil), r.got...)
		r.mu.Unlock()
		return len(got) >= n
	}, func() string { return fmt.Sprintf("%d arrived", len(got)) })
	return got
}

// waitText waits up to 5 s for a message holding text; false when none
// came (the staff may be told other things first).
func (r *recorder) waitText(t *testing.T, text string) bool {
	t.Helper()
	return testkit.Until(5*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, m := range r.got {
			if strings.Contains(m.Text, text) {
				return true
			}
		}
		return false
	})
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
	testkit.Eventually(t, 5*time.Second, "Run to connect", func() bool { return connected.Load() != 0 })
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
	h.w.cfg.Clock = manualClock{h.clock.Clock}
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
	var retry *bot.RetryError
	var err2 error
	testkit.Eventually(t, 5*time.Second, "a RetryError saying to pair", func() bool {
		_, err2 = w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"})
		return errors.As(err2, &retry) && strings.Contains(err2.Error(), "pair")
	}, func() string { return fmt.Sprintf("send unpaired: %v", err2) })
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

// outageWorld is the adapter on a fake network inside a running Huddle,
// with a member of staff on Telegram, a count of the adapter's dials with
// the clock's time at each, and a clock the test moves: the adapter's
// waits end only when the test advances past them.
type outageWorld struct {
	h     *harness
	tg    *recorder
	clock *huddletest.Clock
	mu    sync.Mutex
	dials []time.Time
	// refuse makes a dial fail to connect (no Connected event).
	refuse bool
}

// manualClock is a clock whose Sleep waits, in real time, until the test
// has moved the clock past the wake-up time.
type manualClock struct{ *huddletest.Clock }

func (c manualClock) Sleep(ctx context.Context, d time.Duration) error {
	until := c.Now().Add(d)
	for c.Now().Before(until) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}

func newOutageWorld(t *testing.T) *outageWorld {
	t.Helper()
	ref := &storeRef{}
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: ref})
	o := &outageWorld{h: h, tg: &recorder{name: "telegram"}}
	clk := huddletest.NewClock() // set before the adapter runs: it reads it
	h.net.clock, h.w.cfg.Clock, h.clock = clock{clk}, manualClock{clk}, clock{clk}
	app := huddletest.Start(t, huddletest.Options{Staff: []bot.StaffRef{{Channel: "telegram", ID: "42"}}, Clock: clk}, h.w, o.tg)
	ref.db = app.DB
	o.clock = app.Clock
	h.running(t)
	h.w.dial = func(context.Context) error {
		o.mu.Lock()
		o.dials = append(o.dials, app.Clock.Now())
		refuse := o.refuse
		o.mu.Unlock()
		if !refuse {
			h.w.onEvent(&events.Connected{})
		}
		return nil
	}
	return o
}

// waitDials waits for n dials and returns their times.
func (o *outageWorld) waitDials(t *testing.T, n int) []time.Time {
	t.Helper()
	var got []time.Time
	testkit.Eventually(t, 5*time.Second, fmt.Sprintf("%d reconnections", n), func() bool {
		o.mu.Lock()
		got = append([]time.Time(nil), o.dials...)
		o.mu.Unlock()
		return len(got) >= n
	}, func() string { return fmt.Sprintf("%d came", len(got)) })
	return got
}

// TestTemporaryBanEnds: whatsmeow takes a ban as an expected disconnection
// and does not reconnect; the adapter does, by itself, when the ban
// expires. The staff hear when sending pauses and when it resumes, and
// nothing is sent in between. Before, only a pause was set: after the ban
// every send failed until someone restarted huddle.
func TestTemporaryBanEnds(t *testing.T) {
	o := newOutageWorld(t)
	h, ctx := o.h, context.Background()
	start := h.clock.Now()
	h.w.onEvent(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour})
	h.w.onEvent(&events.Disconnected{}) // whatsmeow closes the connection
	got := o.tg.wait(t, 1)
	if !strings.Contains(got[0].Text, "temporarily banned") || !strings.Contains(got[0].Text, "reconnects by itself") {
		t.Errorf("staff told %q", got[0].Text)
	}
	var retry *bot.RetryError
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "during the ban", Key: "during"}); !errors.As(err, &retry) {
		t.Errorf("send during the ban: %v; want it to wait", err)
	}
	if hl := h.w.Health(); hl.BannedUntil.IsZero() || hl.Connected {
		t.Errorf("health during the ban: %+v", hl)
	}
	o.clock.Advance(59 * time.Minute)
	time.Sleep(30 * time.Millisecond)
	if n := len(o.waitDialsNow()); n != 0 {
		t.Fatalf("reconnected %d times before the ban ended", n)
	}
	o.clock.Advance(time.Minute)
	dials := o.waitDials(t, 1)
	if d := dials[0].Sub(start); d < time.Hour {
		t.Errorf("reconnected %s after the ban; want once it expired (1h)", d)
	}
	got = o.tg.wait(t, 2)
	if !strings.Contains(got[1].Text, "sending resumed after the temporary ban") {
		t.Errorf("staff told %q; want that sending resumed", got[1].Text)
	}
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "after the ban", Key: "after"}); err != nil {
		t.Errorf("send after the ban: %v", err)
	}
	if h.net.presenceCount() == 0 {
		t.Error("the bot was not shown as available after connecting")
	}
}

// TestConnectFailureBacksOff: a connection WhatsApp refuses for a reason
// whatsmeow does not retry is retried by the adapter after a minute, then
// two, then four: never in a loop; the staff are told once. A server error
// (503) is left to whatsmeow. Before, such failures went unhandled: a
// silent outage.
func TestConnectFailureBacksOff(t *testing.T) {
	o := newOutageWorld(t)
	h := o.h
	h.w.onEvent(&events.ConnectFailure{Reason: events.ConnectFailureServiceUnavailable})
	time.Sleep(50 * time.Millisecond)
	if n := len(o.waitDialsNow()); n != 0 {
		t.Fatalf("the adapter reconnected %d times after a 503, which whatsmeow retries itself", n)
	}
	o.mu.Lock()
	o.refuse = true // each reconnection is refused again
	o.mu.Unlock()
	var waits []time.Duration
	for i := 1; i <= 3; i++ {
		before := o.clock.Now()
		h.w.onEvent(&events.ConnectFailure{Reason: events.ConnectFailureGeneric, Message: "bad request"})
		waits = append(waits, o.advanceTill(t, i)[i-1].Sub(before))
	}
	if waits[0] < time.Minute || waits[1] < 2*time.Minute || waits[2] < 4*time.Minute {
		t.Errorf("waits before reconnecting: %v; want 1m, 2m, 4m", waits)
	}
	time.Sleep(50 * time.Millisecond)
	downs := 0
	for _, m := range o.tg.wait(t, 1) {
		if strings.Contains(m.Text, "refused the connection") {
			downs++
		}
	}
	if downs != 1 {
		t.Errorf("staff told of the refusal %d times; want once", downs)
	}
}

// advanceTill moves the clock ten seconds at a time until n dials were
// made, and returns them.
func (o *outageWorld) advanceTill(t *testing.T, n int) []time.Time {
	t.Helper()
	testkit.Eventually(t, 5*time.Second, fmt.Sprintf("%d reconnections", n), func() bool {
		if len(o.waitDialsNow()) >= n {
			return true
		}
		o.clock.Advance(10 * time.Second)
		return false
	})
	return o.waitDialsNow()
}

// waitDialsNow returns the dials so far.
func (o *outageWorld) waitDialsNow() []time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]time.Time(nil), o.dials...)
}

// TestClientOutdatedOnceInAWindow: told the client is outdated, the adapter
// fetches the current version at most once in six hours and reconnects
// after a back-off; told again within the window it does not fetch, and
// tells the staff to update huddle. Before, each rejection fetched and
// reconnected at once: a loop.
func TestClientOutdatedOnceInAWindow(t *testing.T) {
	o := newOutageWorld(t)
	h := o.h
	var fetches atomic.Int32
	h.w.fetchVersion = func(context.Context) (*store.WAVersionContainer, error) {
		fetches.Add(1)
		return &store.WAVersionContainer{2, 3000, 1}, nil
	}
	start := o.clock.Now()
	h.w.onEvent(&events.ClientOutdated{})
	dials := o.advanceTill(t, 1)
	h.w.onEvent(&events.ClientOutdated{})
	o.advanceTill(t, 2)
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d version fetches within six hours; want 1", n)
	}
	if d := dials[0].Sub(start); d < time.Minute {
		t.Errorf("reconnected %s after the rejection; want a back-off", d)
	}
	if !o.tg.waitText(t, "update huddle") {
		t.Error("the staff were not told to update huddle")
	}
	o.clock.Advance(7 * time.Hour)
	h.w.onEvent(&events.ClientOutdated{})
	o.advanceTill(t, 3)
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d version fetches after the window; want 2", n)
	}
}

// TestRemovedFromGroup: when the bot is removed from a group its queued
// messages are given up (a permanent error, not twenty retries), the staff
// told; added again, it sends there again.
func TestRemovedFromGroup(t *testing.T) {
	o := newOutageWorld(t)
	h, ctx := o.h, context.Background()
	h.w.onEvent(&events.GroupInfo{JID: group, Leave: []types.JID{botLID}})
	var perm *bot.PermanentError
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "x", Key: "a"}); !errors.As(err, &perm) {
		t.Fatalf("send to the group the bot left: %v; want a permanent error", err)
	}
	got := o.tg.wait(t, 1)
	if !strings.Contains(got[0].Text, "removed from the group") {
		t.Errorf("staff told %q", got[0].Text)
	}
	h.w.onEvent(&events.JoinedGroup{GroupInfo: *nurseGroup(theBot)})
	if _, err := h.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "x", Key: "b"}); err != nil {
		t.Errorf("send after being added again: %v", err)
	}
}

// TestUndecryptableCounted: messages whatsmeow could not decrypt are
// counted, for huddle whatsapp status and the dashboard.
func TestUndecryptableCounted(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	for range 3 {
		h.w.onEvent(&events.UndecryptableMessage{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: group}}})
	}
	if got := h.w.Health().Undecryptable; got != 3 {
		t.Errorf("undecryptable = %d, want 3", got)
	}
	// The running adapter keeps it beside the session, for the status
	// command.
	if hl, ok, err := ReadHealth(h.w.cfg.SessionDB); err != nil || !ok || hl.Undecryptable != 3 {
		t.Errorf("health file: %+v, %v, %v; want 3 undecryptable", hl, ok, err)
	}
}

// waker is a handler that counts how often a channel woke it.
type waker struct{ n atomic.Int32 }

func (*waker) HandleEvent(context.Context, bot.Event) error { return nil }
func (w *waker) Wake()                                      { w.n.Add(1) }

// TestConnectedWakesTheHandler: each (re)connection wakes the handler Run
// was given, when it is a bot.Waker (the router, which wakes the sender),
// so the messages that waited in the outbox go at once.
func TestConnectedWakesTheHandler(t *testing.T) {
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6})
	wk := &waker{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- h.w.Run(ctx, wk) }()
	defer func() { cancel(); <-done }()
	h.running(t) // its dial connects once
	h.w.onEvent(&events.Disconnected{})
	h.connect()
	if n := wk.n.Load(); n != 2 {
		t.Errorf("woken %d times in two connections, want 2", n)
	}
}

// TestPresenceAfterPairing: a number paired moments ago has no push name
// yet, and whatsmeow refuses presence without one; the bot shows itself
// available all the same, under the configured name until the account's
// own arrives, and a name it has is kept.
func TestPresenceAfterPairing(t *testing.T) {
	h := newHarness(t, Config{PushName: "Ward bot"})
	h.w.cli.Store.PushName = ""
	h.connect()
	if h.net.presenceCount() == 0 || h.w.cli.Store.PushName != "Ward bot" {
		t.Errorf("after pairing: %d presences, push name %q; want one, under Ward bot", h.net.presenceCount(), h.w.cli.Store.PushName)
	}
	h2 := newHarness(t, Config{})
	h2.w.cli.Store.PushName = "Kisumu CPD"
	h2.connect()
	if h2.w.cli.Store.PushName != "Kisumu CPD" || h2.net.presenceCount() == 0 {
		t.Errorf("an account with its name: push name %q", h2.w.cli.Store.PushName)
	}
}

// TestRemovedRemembered: a group that removed the bot is kept in the
// store, so that the adapter started again sends nothing there (a
// permanent error, without a request to WhatsApp); added again, the store
// forgets it.
func TestRemovedRemembered(t *testing.T) {
	ref := &storeRef{}
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: ref})
	app := huddletest.Start(t, huddletest.Options{}, h.w)
	ref.db = app.DB
	h.running(t)
	ctx := context.Background()
	h.w.onEvent(incoming(0, false, "M1", app.Clock.Now(), &waE2E.Message{Conversation: proto.String("hello")}))
	h.w.onEvent(&events.GroupInfo{JID: group, Leave: []types.JID{botLID}})
	removed := func() []string {
		ids, err := app.DB.RemovedChats(ctx, Name)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	testkit.Eventually(t, 5*time.Second, "the removal stored", func() bool { return slices.Equal(removed(), []string{group.String()}) },
		func() string { return fmt.Sprint(removed()) })

	// Started again (a new adapter on the same store).
	again := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: ref})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go again.w.Run(rctx, handlerFunc(func(context.Context, bot.Event) error { return nil }))
	again.running(t)
	var perm *bot.PermanentError
	if _, err := again.w.Send(ctx, bot.Outbound{ChatID: group.String(), Text: "x", Key: "after"}); !errors.As(err, &perm) {
		t.Errorf("send after a restart to the group that removed the bot: %v; want a permanent error", err)
	}
	if n := len(again.net.messages()); n != 0 {
		t.Errorf("%d messages went to WhatsApp; want none", n)
	}

	h.w.onEvent(&events.JoinedGroup{GroupInfo: *nurseGroup(theBot)})
	testkit.Eventually(t, 5*time.Second, "the store to forget the removal", func() bool { return len(removed()) == 0 },
		func() string { return fmt.Sprint(removed()) })
}
