// Package whatsapp is Huddle's WhatsApp channel, on whatsmeow: the bot is a
// linked device of an ordinary WhatsApp account, added to the members'
// existing groups.
//
// Inbound messages become bot.Events only after whatsmeow's acknowledgement
// waits for them (SynchronousAck), so a message is acknowledged once it is
// durably handled. Outbound messages are built deterministically from their
// outbox row: the message id and a poll's secret derive from the row's
// idempotency key, so a message resent after a crash is the same message,
// and a recipient's retry request is served from the outbox after a
// restart. Quiz options become native polls (or numbered text); votes are
// decrypted and mapped back to options by the hash of their names.
// Sending is paced per chat and overall, with jitter, and stops when the
// account is logged out, replaced or banned.
package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// Name is the channel's name.
const Name = "whatsapp"

// Option styles.
const (
	// OptionsPoll sends quiz options as a native WhatsApp poll.
	OptionsPoll = "poll"
	// OptionsNumbered sends them as numbered lines, answered by "1", "B"
	// or the option's text.
	OptionsNumbered = "numbered"
)

// Outbox is what the adapter reads of the store: sent messages by their
// WhatsApp id (for poll votes and retry requests), and whether a chat has
// written to the bot (it never writes first).
type Outbox interface {
	SentMessage(ctx context.Context, channel, platformID string) (bot.OutboxItem, error)
	ChatKnown(ctx context.Context, channel, platformID string) (bool, error)
	// RemovedChats lists the groups that removed the bot (as the
	// adapter's BotRemoved events recorded them), read at the start.
	RemovedChats(ctx context.Context, channel string) ([]string, error)
	// Notebook keeps the messages whose files are still to fetch, one
	// note each under the event's id, about its sender, until handled;
	// read at the start (fetch.go).
	bot.Notebook
}

// Config holds what the WhatsApp channel needs.
type Config struct {
	// SessionDB is the SQLite file whatsmeow keeps the linked device in,
	// or a PostgreSQL database's postgres:// URL (see InDatabase): there
	// every instance of several finds the session, and the lease decides
	// which one connects.
	SessionDB string
	// PushName is the name the bot shows until its account's own arrives
	// (a number paired moments ago has none yet); "Huddle" by default.
	PushName string
	// Options is OptionsPoll (the default) or OptionsNumbered.
	Options string
	// ChatGap is the least time between two messages to one chat; 2s by
	// default.
	ChatGap time.Duration
	// PerMinute is the most messages a minute in all; 30 by default.
	PerMinute float64
	// Jitter is the most random time added to each gap; 1s by default.
	Jitter time.Duration
	// TypingFrom is the length in runes from which a message is preceded by
	// a typing indicator; 120 by default.
	TypingFrom int
	// LateAfter is how old a message may arrive and still run commands and
	// answer quizzes; older ones (caught up after the bot was offline) are
	// recorded only. 30 minutes by default.
	LateAfter time.Duration
	// MaxAge is how long a queued message stays worth sending: after an
	// outage, a ban or a logout, older ones are given up rather than sent
	// hours or days late. 6 hours by default.
	MaxAge time.Duration
	// Outbox is read for poll votes, retry requests and the
	// never-write-first rule. Required for Run and Send.
	Outbox Outbox
	// OnConnected is called on every (re)connection. (The handler Run was
	// given is woken too, when it is a bot.Waker, so the outbox is
	// flushed.)
	OnConnected func()
	// Clock paces sending; the real clock by default.
	Clock Clock
	// Leases, when set, makes the number's session a leader's: this
	// instance (named Instance) connects only while it holds the lease
	// "whatsapp:" + the number, renewed every third of LeaseTTL (30 s by
	// default), and disconnects before it could lapse when it cannot
	// renew it; another instance takes over once it lapses, so within a
	// minute of this one's death.
	Leases   bot.Leases
	Instance string
	LeaseTTL time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// WhatsApp is the WhatsApp channel. It implements bot.Channel.
type WhatsApp struct {
	cfg       Config
	container *sqlstore.Container
	lock      *os.File
	cli       *whatsmeow.Client
	// net is cli, or a test's stand-in for WhatsApp's servers.
	net  transport
	log  *slog.Logger
	pace *pacer
	// idKey derives message ids and poll secrets from outbox keys.
	idKey []byte
	// dial connects to WhatsApp: cli.ConnectContext, or a test's stand-in.
	dial func(ctx context.Context) error
	// leading is set while this instance holds the number's lease;
	// replaced says another client took the session over (with several
	// instances, the lease is then given up).
	leading  atomic.Bool
	replaced chan struct{}
	// pairing reaches whatsmeow's pairing, or a test's stand-in.
	pairing pairing
	// loggedIn is closed at the first connection after Pair linked the
	// device.
	loggedIn  chan struct{}
	loginOnce sync.Once
	// fetchVersion asks WhatsApp for the current WhatsApp Web version, or
	// a test's stand-in.
	fetchVersion func(ctx context.Context) (*store.WAVersionContainer, error)

	// life ends at Close; the reconnections that wait run under it, and
	// Close waits for them.
	life    context.Context
	stop    context.CancelFunc
	waiting sync.WaitGroup
	// healthMu orders writes of the health file with Close.
	healthMu sync.Mutex

	mu        sync.Mutex
	handler   bot.Handler
	runCtx    context.Context
	down      string    // why sending stopped for good (logged out, replaced); "" when not
	pauseTill time.Time // a temporary ban's end
	connected bool
	// outage says why sending paused (a ban, a refused connection) until
	// the next connection, which tells the staff it resumed; "" when none.
	outage string
	// redialing is set while a reconnection waits, so only one does.
	redialing bool
	// refused counts connection failures in a row, for the back-off.
	refused int
	// versionAt is when the WhatsApp Web version was last fetched.
	versionAt time.Time
	// removed are the groups the bot was removed from: nothing more is
	// sent to them.
	removed map[types.JID]bool
	// undecryptable counts messages whatsmeow could not decrypt.
	undecryptable int
	// senders keeps the identity recent messages went out with.
	senders map[types.MessageID]types.JID
	groups  map[types.JID]*groupInfo
	// pictures are the pictures, sounds and videos uploaded lately, by
	// their SHA-256: sent again by their media key rather than uploaded
	// anew.
	pictures map[string]uploaded
	// fetchQ queues parked messages for the fetchers; reuploads waits,
	// by message id, for a phone's answer to a request for a file again.
	fetchQ    chan parkedMessage
	reuploads map[types.MessageID]chan *events.MediaRetry
	// queued holds the ids of the events in fetchQ or being fetched;
	// spilled says one found fetchQ full and waits in the store alone.
	fetchMu sync.Mutex
	queued  map[string]bool
	spilled bool
}

// transport is the part of whatsmeow's client that reaches WhatsApp's
// servers; tests stand in for it and record what would be sent.
type transport interface {
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	SendPresence(ctx context.Context, state types.Presence) error
	GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error)
	// Upload encrypts a file and uploads it to WhatsApp's media servers.
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	// Download fetches a message's file from WhatsApp's media servers
	// and decrypts it, checking its hashes.
	DownloadToFile(ctx context.Context, msg whatsmeow.DownloadableMessage, file whatsmeow.File) error
	// SendMediaRetryReceipt asks the sender's phone to upload a message's
	// file again.
	SendMediaRetryReceipt(ctx context.Context, message *types.MessageInfo, mediaKey []byte) error
}

var (
	_ bot.Channel       = (*WhatsApp)(nil)
	_ bot.Expiring      = (*WhatsApp)(nil)
	_ bot.SingleSession = (*WhatsApp)(nil)
)

// ErrNotPaired says the session holds no linked device yet.
var ErrNotPaired = errors.New("whatsapp is not paired: run `huddle whatsapp pair`")

// New opens the session and returns the channel. It does not reach
// WhatsApp: Run connects.
func New(ctx context.Context, cfg Config) (*WhatsApp, error) {
	if cfg.Options == "" {
		cfg.Options = OptionsPoll
	}
	if cfg.Options != OptionsPoll && cfg.Options != OptionsNumbered {
		return nil, fmt.Errorf("whatsapp: options %q: want %s or %s", cfg.Options, OptionsPoll, OptionsNumbered)
	}
	if cfg.ChatGap < 0 {
		cfg.ChatGap = 0 // tests: no gap
	} else if cfg.ChatGap == 0 {
		cfg.ChatGap = 2 * time.Second
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = 30
	}
	if cfg.Jitter < 0 {
		cfg.Jitter = 0
	} else if cfg.Jitter == 0 {
		cfg.Jitter = time.Second
	}
	if cfg.TypingFrom <= 0 {
		cfg.TypingFrom = 120
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.LateAfter <= 0 {
		cfg.LateAfter = 30 * time.Minute
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 6 * time.Hour
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.PushName == "" {
		cfg.PushName = "Huddle"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.OnConnected == nil {
		cfg.OnConnected = func() {}
	}
	log := cfg.Logger.With("channel", Name)
	s, err := openSession(ctx, cfg.SessionDB, log)
	if err != nil {
		return nil, err
	}
	w := &WhatsApp{
		cfg:       cfg,
		container: s.container,
		lock:      s.lock,
		cli:       s.client,
		net:       s.client,
		log:       log,
		pace:      newPacer(cfg.ChatGap, time.Duration(float64(time.Minute)/cfg.PerMinute), cfg.Jitter),
		idKey:     s.idKey(),
		groups:    make(map[types.JID]*groupInfo),
	}
	w.life, w.stop = context.WithCancel(context.Background())
	w.loggedIn, w.replaced = make(chan struct{}), make(chan struct{}, 1)
	w.fetchQ = make(chan parkedMessage, 64)
	w.pairing = pairing{
		qrChannel: w.cli.GetQRChannel,
		pairPhone: func(ctx context.Context, num string) (string, error) {
			return w.cli.PairPhone(ctx, num, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
		},
		settle: time.Minute,
	}
	w.dial = w.cli.ConnectContext
	w.fetchVersion = func(ctx context.Context) (*store.WAVersionContainer, error) {
		return whatsmeow.GetLatestVersion(ctx, nil)
	}
	// A message is acknowledged only once every handler returned success,
	// and its decrypted form is kept until then, so a message whose
	// handling failed (or was cut short by a kill) is delivered again and
	// can still be read: Signal sessions cannot decrypt a message twice.
	w.cli.SynchronousAck = true
	w.cli.EnableDecryptedEventBuffer = true
	w.cli.GetMessageForRetry = w.messageForRetry
	w.cli.AddEventHandlerWithSuccessStatus(w.onEvent)
	return w, nil
}

// Name returns "whatsapp".
func (w *WhatsApp) Name() string { return Name }

// MaxAge is how long a queued message stays worth sending (bot.Expiring).
func (w *WhatsApp) MaxAge() time.Duration { return w.cfg.MaxAge }

// Paired reports whether the session holds a linked device.
func (w *WhatsApp) Paired() bool { return w.cli.Store.ID != nil }

// DirectLink returns WhatsApp's click-to-chat link to the bot's number,
// with "/command" written for the member to send
// (https://faq.whatsapp.com/5913398998672934: wa.me/NUMBER?text=…); ""
// before the number is paired.
func (w *WhatsApp) DirectLink(command string) string {
	id := w.cli.Store.ID
	if id == nil || command == "" {
		return ""
	}
	return "https://wa.me/" + id.User + "?text=" + url.QueryEscape("/"+command)
}

// Close disconnects and releases the session.
func (w *WhatsApp) Close() error {
	w.stop()
	w.waiting.Wait()
	w.healthMu.Lock() // a write of the health file under way ends first
	w.healthMu.Unlock()
	w.cli.Disconnect()
	err := w.container.Close()
	if w.lock != nil {
		w.lock.Close()
	}
	return err
}

// Run connects and passes every inbound message to h until ctx ends. An
// unpaired session logs how to pair and waits, so the other channels run.
func (w *WhatsApp) Run(ctx context.Context, h bot.Handler) error {
	w.mu.Lock()
	w.handler, w.runCtx = h, ctx
	w.mu.Unlock()
	if !w.Paired() {
		w.setDown(ErrNotPaired.Error())
		w.log.Warn("WhatsApp is enabled but not paired: the other channels run, and WhatsApp's messages wait in the outbox. To pair, stop huddle and run: huddle whatsapp pair",
			"session_db", sessionName(w.cfg.SessionDB))
		<-ctx.Done()
		return nil
	}
	w.loadRemoved(ctx)
	fetching, stop := context.WithCancel(ctx)
	wait := w.runFetchers(fetching)
	defer func() { stop(); wait() }()
	// whatsmeow reconnects by itself, the first dial included.
	w.cli.InitialAutoReconnect = true
	if w.cfg.Leases != nil {
		return w.lead(ctx)
	}
	if err := w.dial(ctx); err != nil {
		return fmt.Errorf("whatsapp: connect: %w", err)
	}
	<-ctx.Done()
	w.hangUp()
	return nil
}

// handle passes ev to the router; it returns once ev is durably handled,
// and false when it was not (the platform should deliver it again).
func (w *WhatsApp) handle(ev bot.Event) bool {
	w.mu.Lock()
	h, ctx := w.handler, w.runCtx
	w.mu.Unlock()
	if h == nil {
		w.log.Error("event before Run; not acknowledged", "message", ev.MessageID, "kind", ev.Kind)
		return false
	}
	if err := h.HandleEvent(ctx, ev); err != nil {
		if ctx.Err() == nil {
			w.log.Error("handle event", "message", ev.MessageID, "kind", ev.Kind, "err", err)
		}
		return false
	}
	return true
}

// onEvent receives every whatsmeow event, in whatsmeow's order. It returns
// false for a message that was not durably handled, which whatsmeow then
// leaves unacknowledged.
func (w *WhatsApp) onEvent(raw any) bool {
	switch raw.(type) {
	case *events.Connected, *events.Disconnected, *events.LoggedOut, *events.StreamReplaced, *events.TemporaryBan,
		*events.ConnectFailure, *events.ClientOutdated, *events.UndecryptableMessage, *events.GroupInfo, *events.JoinedGroup:
		defer w.saveHealth()
	}
	ctx := w.context()
	switch evt := raw.(type) {
	case *events.Message:
		if ev, ok := w.translate(ctx, evt); ok {
			if toFetch(ev) {
				return w.park(ctx, ev, evt.Message, evt.Info)
			}
			return w.handle(ev)
		}
	case *events.MediaRetry:
		w.reuploaded(evt)
	case *events.Connected:
		w.mu.Lock()
		w.connected, w.refused = true, 0
		resumed := w.outage
		w.outage = ""
		w.mu.Unlock()
		w.log.Info("connected to WhatsApp")
		if w.Paired() {
			w.loginOnce.Do(func() { close(w.loggedIn) })
		}
		// A number paired moments ago has no push name until its account's
		// settings arrive, and presence needs one (whatsmeow's
		// ErrNoPushName): the configured name stands in meanwhile.
		if w.cli != nil && w.cli.Store.PushName == "" {
			w.cli.Store.PushName = w.cfg.PushName
		}
		// Shown as online, as WhatsApp Web is: typing indicators and read
		// receipts work only then.
		if err := w.net.SendPresence(ctx, types.PresenceAvailable); err != nil {
			w.log.Warn("set presence", "err", err)
		}
		if resumed != "" {
			w.notice("sending resumed after " + resumed)
		}
		w.cfg.OnConnected()
		w.mu.Lock()
		h := w.handler
		w.mu.Unlock()
		if wk, ok := h.(bot.Waker); ok {
			wk.Wake() // what waited in the outbox goes now
		}
	case *events.Disconnected:
		w.mu.Lock()
		w.connected = false
		w.mu.Unlock()
		w.log.Warn("disconnected from WhatsApp; reconnecting")
	case *events.LoggedOut:
		w.fail("the account logged this device out (removed under Linked devices, or the phone was unlinked); pair again with `huddle whatsapp pair`")
	case *events.StreamReplaced:
		w.fail("another client connected with this session (a second huddle?); this one stopped sending")
		w.cli.Disconnect()
		select {
		case w.replaced <- struct{}{}: // lead gives the lease up
		default:
		}
	case *events.TemporaryBan:
		w.ban(ctx, evt)
	case *events.ConnectFailure:
		w.connectFailed(ctx, evt)
	case *events.StreamError:
		// whatsmeow closes the connection and reconnects by itself.
		w.log.Error("WhatsApp sent an unknown stream error; reconnecting", "code", evt.Code)
	case *events.ClientOutdated:
		w.outdated(ctx)
	case *events.UndecryptableMessage:
		w.mu.Lock()
		w.undecryptable++
		w.mu.Unlock()
		w.log.Warn("a message could not be decrypted (WhatsApp asks the sender's phone again)", "chat", evt.Info.Chat, "unavailable", evt.IsUnavailable)
	case *events.HistorySync:
		// Past conversations the phone shares after pairing: never
		// commands, never answers.
		w.log.Info("history sync ignored", "conversations", len(evt.Data.GetConversations()))
	case *events.JoinedGroup:
		w.mu.Lock()
		_, was := w.removed[evt.JID.ToNonAD()]
		delete(w.removed, evt.JID.ToNonAD())
		w.mu.Unlock()
		w.cacheGroup(&evt.GroupInfo)
		w.log.Info("added to a group", "group", evt.JID, "name", evt.Name)
		if was {
			w.tellRemoved(evt.JID.ToNonAD(), false)
		}
	case *events.GroupInfo:
		if w.leftBy(evt) {
			w.removedFrom(evt.JID)
		}
		left := w.leavers(ctx, evt)
		w.groupChanged(evt)
		for _, ev := range left {
			w.handle(ev) // a failure is logged: the question waits until it times out
		}
	}
	return true
}

// context is Run's context, or a background one before Run.
func (w *WhatsApp) context() context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.runCtx == nil {
		return context.Background()
	}
	return w.runCtx
}
