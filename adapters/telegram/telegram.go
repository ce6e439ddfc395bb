// Package telegram is Huddle's Telegram channel, on go-telegram-bot-api v5.
//
// The library's GetUpdatesChan cannot be cancelled and ignores retry_after,
// so this package polls with its own loop over the library's MakeRequest,
// every request bound to a context. Webhook mode registers a secret token
// with setWebhook and refuses requests that do not carry it. Options become
// inline keyboards; every callback query is answered.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/huddlebot/huddle/bot"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// Name is the channel's name.
const Name = "telegram"

// WebhookPath is where the webhook is served on Huddle's HTTP server.
const WebhookPath = "/telegram/webhook"

// allowedUpdates are the update kinds Huddle asks Telegram for.
//
// chat_member tells when a member leaves or is removed, where the bot is
// an administrator; Telegram sends it only to a bot that asks: "The bot
// must be an administrator in the chat and must explicitly specify
// "chat_member" in the list of allowed_updates to receive these updates"
// (https://core.telegram.org/bots/api#update). Elsewhere the service
// message with left_chat_member tells it. edited_message carries a
// member's edit, checked as the original was (a case could otherwise gain
// a patient's name after its check).
const allowedUpdates = `["message","edited_message","callback_query","chat_member"]`

// Config holds what the Telegram channel needs.
type Config struct {
	Token string
	// APIEndpoint is the Bot API's base URL ("http://127.0.0.1:8081") or a
	// format with two %s for token and method; Telegram's by default.
	APIEndpoint string
	// Webhook selects webhook mode; polling otherwise.
	Webhook       bool
	WebhookURL    string
	WebhookSecret string
	// Rate is the most messages a second the bot sends in all; 25 by
	// default, under Telegram's 30. Several instances share it
	// (ShareRate).
	Rate float64
	// PollTimeout is the long-poll time; 30s by default.
	PollTimeout time.Duration
	// HTTPClient defaults to a client with sensible timeouts.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Leases, when set, has several instances sharing a database take
	// turns at long polling (Telegram serves one getUpdates at a time and
	// answers another 409): the holder of the lease polls, named by
	// Instance, renewed every LeaseTTL/3 (30s by default); the others
	// stand by and take over when it lapses. Not needed in webhook mode.
	Leases   bot.Leases
	Instance string
	LeaseTTL time.Duration
}

// Telegram is the Telegram channel. It implements bot.Channel.
type Telegram struct {
	cfg Config
	api *tgbotapi.BotAPI
	// files is the format of a file's download URL: token, then path.
	files   string
	http    *http.Client
	limiter *rate.Limiter
	log     *slog.Logger

	mu      sync.Mutex
	handler bot.Handler

	// username is the bot's, as getMe named it ("" until then).
	username atomic.Pointer[string]
	// noReactions is set once the Bot API server said it has no
	// setMessageReaction: reactions go as their words from then on.
	noReactions atomic.Bool

	// chatLocks make a chat's messages go one at a time (chatStripe).
	chatLocks [chatStripes]sync.Mutex
	// lastSecond is the bot's requests of the last second (paceBot);
	// guarded by paceMu.
	lastSecond recent
	// chatPace paces each chat; guarded by paceMu.
	paceMu   sync.Mutex
	chatPace map[string]*chatPace
	// slowedAt is when the overall rate last changed after a "too many
	// requests", halvedAt when it was last halved; guarded by paceMu.
	slowedAt, halvedAt time.Time
	// firstSend is when this process first paced a message; guarded by
	// paceMu.
	firstSend time.Time
	// share is how many instances share Rate (ShareRate); guarded by
	// paceMu.
	share int
	// now and sleep are the clock of pacing: real time but in tests.
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	// sizes caches each group's member count; guarded by sizeMu.
	sizeMu sync.Mutex
	sizes  map[string]groupSize

	// photos maps a picture's (a sound's, a video's) SHA-256 to the
	// file_id Telegram gave it when it was first uploaded; guarded by
	// photoMu.
	photoMu sync.Mutex
	photos  map[string]string
}

// groupSize is a group's member count, bots left out, and when it was
// asked for.
type groupSize struct {
	n  int
	at time.Time
}

// sizeEvery is how long a group's member count is trusted; a member
// joining or leaving asks again at once.
const sizeEvery = time.Hour

var (
	_ bot.Channel    = (*Telegram)(nil)
	_ bot.RateShared = (*Telegram)(nil)
)

// New returns the Telegram channel. It does not reach Telegram: Run checks
// the token and keeps trying while Telegram cannot be reached.
func New(_ context.Context, cfg Config) (*Telegram, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 25
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: cfg.PollTimeout + 30*time.Second}
	}
	endpoint, files := tgbotapi.APIEndpoint, tgbotapi.FileEndpoint
	if e := cfg.APIEndpoint; e != "" {
		endpoint = e
		if !strings.Contains(e, "%s") {
			endpoint = strings.TrimRight(e, "/") + "/bot%s/%s"
			files = strings.TrimRight(e, "/") + "/file/bot%s/%s"
		}
	}
	api := &tgbotapi.BotAPI{Token: cfg.Token, Client: client, Buffer: 100}
	api.SetAPIEndpoint(endpoint)
	return &Telegram{
		cfg:      cfg,
		api:      api,
		files:    files,
		http:     client,
		limiter:  rate.NewLimiter(rate.Limit(cfg.Rate), 1),
		log:      cfg.Logger.With("channel", Name),
		chatPace: make(map[string]*chatPace),
		now:      time.Now,
		sleep:    bot.SystemClock{}.Sleep,
	}, nil
}

// Name returns "telegram".
func (t *Telegram) Name() string { return Name }

// call makes one Bot API request bound to ctx.
func (t *Telegram) call(ctx context.Context, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	return t.upload(ctx, method, params, nil)
}

// upload makes one Bot API request bound to ctx, with files as a multipart
// form (UploadFiles) when there are any.
func (t *Telegram) upload(ctx context.Context, method string, params tgbotapi.Params, files []tgbotapi.RequestFile) (*tgbotapi.APIResponse, error) {
	api := *t.api
	var seen answerSeen
	api.Client = ctxClient{ctx: ctx, base: t.http, token: t.cfg.Token, answer: &seen}
	var (
		resp *tgbotapi.APIResponse
		err  error
	)
	if len(files) > 0 {
		resp, err = api.UploadFiles(method, params, files)
	} else {
		resp, err = api.MakeRequest(method, params)
	}
	if err != nil {
		// The library's own errors (a request it could not build, a
		// body it could not read) may quote the URL too.
		err = withoutToken(err, t.cfg.Token)
		if seen.noMethod() {
			err = &noMethodError{method: method, err: err}
		}
		return resp, fmt.Errorf("telegram %s: %w", method, err)
	}
	return resp, nil
}

// Run receives updates, by long polling or through the webhook, and passes
// them to h until ctx ends.
func (t *Telegram) Run(ctx context.Context, h bot.Handler) error {
	me, err := t.getMe(ctx)
	if ctx.Err() != nil {
		return nil // stopped before Telegram could be reached
	}
	if err != nil {
		return err
	}
	t.username.Store(&me.UserName)
	t.log.Info("connected to Telegram", "bot", "@"+me.UserName)
	if !me.CanReadAllGroupMessages {
		t.log.Warn("privacy mode is on: in groups the bot sees only commands and button presses, not typed answers. "+
			"Turn it off in @BotFather (/setprivacy, Disable), then remove and re-add the bot to its groups; or make the bot a group admin",
			"bot", "@"+me.UserName)
	}
	if t.cfg.Webhook {
		return t.runWebhook(ctx, h)
	}
	if t.cfg.Leases != nil {
		return t.pollInTurn(ctx, h, fmt.Sprint("telegram-poll:", me.ID))
	}
	return t.poll(ctx, h)
}

// getMe checks the token, retrying while Telegram cannot be reached. A
// token Telegram refuses is an error at once.
func (t *Telegram) getMe(ctx context.Context) (tgbotapi.User, error) {
	var me tgbotapi.User
	for attempt := 0; ; attempt++ {
		resp, err := t.call(ctx, "getMe", nil)
		if err == nil {
			if err := jsonUnmarshal(resp.Result, &me); err != nil {
				return me, fmt.Errorf("telegram getMe: %w", err)
			}
			if me.ID != 0 && me.UserName != "" {
				return me, nil
			}
			// An answer that names no bot is no answer from Telegram
			// (a proxy, a captive portal): nothing is said of a bot
			// that was not reached.
			err = errors.New("telegram getMe: the answer names no bot")
		}
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && (apiErr.Code == 401 || apiErr.Code == 404) {
			return me, fmt.Errorf("telegram refused the bot token (channels.telegram.token): %w", err)
		}
		wait := min(time.Second<<min(attempt, 6), time.Minute)
		t.log.Warn("cannot reach Telegram; retrying", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return me, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// poll is the long-polling loop. The offset moves past an update only once
// it is durably handled, so a crash replays it and deduplication drops it.
func (t *Telegram) poll(ctx context.Context, h bot.Handler) error {
	// getUpdates fails while a webhook is set.
	if _, err := t.call(ctx, "deleteWebhook", nil); err != nil && ctx.Err() == nil {
		t.log.Warn("could not delete the webhook", "err", err)
	}
	var offset int
	failures := 0
	for ctx.Err() == nil {
		params := tgbotapi.Params{}
		params.AddNonZero("offset", offset)
		params.AddNonZero("timeout", int(t.cfg.PollTimeout/time.Second))
		params["allowed_updates"] = allowedUpdates
		resp, err := t.call(ctx, "getUpdates", params)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait := retryAfter(err, min(time.Second<<min(failures, 6), time.Minute))
			t.log.Warn("getUpdates failed; retrying", "in", wait, "err", err)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		failures = 0
		var updates []update
		if err := jsonUnmarshal(resp.Result, &updates); err != nil {
			t.log.Error("bad getUpdates result", "err", err)
			continue
		}
		next, err := t.handleBatch(ctx, h, updates)
		if next > offset {
			offset = next
		}
		if err != nil && ctx.Err() == nil {
			t.log.Error("handling updates failed; they will be fetched again", "err", err)
			sleep(ctx, time.Second)
		}
	}
	return nil
}

// handleBatch submits a batch in order (so each chat's events keep their
// order), waits for all, answers callback queries, and returns the offset
// past the last update handled without error before any that failed. A
// chat migration is a barrier: it moves a chat to a new id, so everything
// before it is handled first, and everything after it waits for it.
func (t *Telegram) handleBatch(ctx context.Context, h bot.Handler, updates []update) (int, error) {
	type pending struct {
		update  update
		done    <-chan error
		err     error
		settled bool
	}
	var list []*pending
	// Each update converted once; joins and leaves noted first, so the
	// member counts asked for below are current for the whole batch.
	evs := make([]bot.Event, len(updates))
	oks := make([]bool, len(updates))
	var known []bot.Event
	for i, u := range updates {
		evs[i], oks[i] = t.convert(u)
		t.noteMembers(u)
		if oks[i] {
			known = append(known, evs[i])
		}
	}
	t.prefetchSizes(ctx, known)
	settle := func() {
		for _, p := range list {
			if !p.settled && p.done != nil {
				p.err, p.settled = <-p.done, true
			}
		}
	}
	for i, u := range updates {
		p := &pending{update: u}
		list = append(list, p)
		if !oks[i] {
			continue
		}
		ev := evs[i]
		ev.ChatSize = t.groupSize(ctx, ev)
		if u.Message != nil && ev.Kind == bot.Message {
			ev.File = t.fetchMedia(ctx, u.Message, ev)
		}
		if ev.Kind == bot.ChatMigrated {
			settle()
			p.err, p.settled = h.HandleEvent(ctx, ev), true
			continue
		}
		p.done = bot.Submit(ctx, h, ev)
	}
	settle()
	next := 0
	var firstErr error
	for _, p := range list {
		if p.update.CallbackQuery != nil && p.err != nil {
			// The press was not handled: stop its spinner now (a handled
			// press is answered through the outbox, with its verdict).
			t.answerCallback(ctx, p.update.CallbackQuery.ID)
		}
		if p.err != nil && firstErr == nil {
			firstErr = p.err
		}
		if firstErr == nil {
			next = p.update.UpdateID + 1
		}
	}
	return next, firstErr
}

// answerCallback stops the button's spinner on the member's phone.
func (t *Telegram) answerCallback(ctx context.Context, id string) {
	if _, err := t.call(ctx, "answerCallbackQuery", tgbotapi.Params{"callback_query_id": id}); err != nil && ctx.Err() == nil {
		t.log.Warn("answerCallbackQuery failed", "err", err)
	}
}

// retryAfter returns Telegram's retry_after when err carries one, else def.
func retryAfter(err error, def time.Duration) time.Duration {
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return time.Duration(apiErr.RetryAfter) * time.Second
	}
	return def
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool { return bot.SystemClock{}.Sleep(ctx, d) == nil }

// noteMembers forgets a group's member count when a member joins or
// leaves, so the next event asks again.
func (t *Telegram) noteMembers(u update) {
	var chat int64
	switch m := u.Message; {
	case m != nil && m.Chat != nil && (len(m.NewChatMembers) > 0 || m.LeftChatMember != nil):
		chat = m.Chat.ID
	case u.ChatMember != nil:
		chat = u.ChatMember.Chat.ID
	default:
		return
	}
	t.sizeMu.Lock()
	delete(t.sizes, id(chat))
	t.sizeMu.Unlock()
}

// prefetchSizes asks for the member counts of the events' groups not
// known yet, several at once: a bot just added to many groups would
// otherwise wait a round trip a group before handling each one's first
// message, in turn.
func (t *Telegram) prefetchSizes(ctx context.Context, evs []bot.Event) {
	seen := make(map[string]bool)
	var g errgroup.Group
	g.SetLimit(16)
	for _, ev := range evs {
		if ev.ChatType != bot.Group || seen[ev.ChatID] {
			continue
		}
		seen[ev.ChatID] = true
		g.Go(func() error { t.groupSize(ctx, ev); return nil })
	}
	g.Wait()
}

// groupSize is the member count of ev's group, bots left out, for the
// router (getChatMemberCount, at most hourly a group and after a join or
// leave); 0 for a private chat or when Telegram does not answer.
func (t *Telegram) groupSize(ctx context.Context, ev bot.Event) int {
	if ev.ChatType != bot.Group {
		return 0
	}
	now := time.Now()
	t.sizeMu.Lock()
	s, ok := t.sizes[ev.ChatID]
	t.sizeMu.Unlock()
	if ok && now.Sub(s.at) < sizeEvery {
		return s.n
	}
	resp, err := t.call(ctx, "getChatMemberCount", tgbotapi.Params{"chat_id": ev.ChatID})
	var n int
	if err == nil {
		err = jsonUnmarshal(resp.Result, &n)
	}
	if err != nil {
		// Not asked again for an hour: the seen members stand in.
		t.log.Debug("member count not known", "err", err)
		n = 1
	}
	n-- // the bot itself
	t.sizeMu.Lock()
	if t.sizes == nil {
		t.sizes = make(map[string]groupSize)
	}
	t.sizes[ev.ChatID] = groupSize{n: n, at: now}
	t.sizeMu.Unlock()
	return max(n, 0)
}

// DirectLink returns the link that opens a member's private chat with the
// bot, where pressing Start sends "/start command": Telegram's deep link
// (https://core.telegram.org/bots/features#deep-linking; the parameter is
// up to 64 of A-Z, a-z, 0-9, _ and -). "" before the bot has connected,
// or for a command that cannot be one.
func (t *Telegram) DirectLink(command string) string {
	name := t.username.Load()
	if name == nil || *name == "" || !deepLinkParam(command) {
		return ""
	}
	return "https://t.me/" + *name + "?start=" + command
}

// deepLinkParam reports whether s may be a deep link's start parameter.
func deepLinkParam(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
