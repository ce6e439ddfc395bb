// Package outbox delivers what the router and the scheduler committed to
// the store's outbox: the Sender drains it through each channel, in order
// per chat, waiting as the platform asks and giving up what keeps failing.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Store is what the Sender reads and writes: the outbox, and
// transactions (to move a migrated chat's messages).
type Store interface {
	bot.Updater
	// PendingOutbox lists up to limit unsent messages of a channel that are
	// due at now, oldest first. Those for which skip (when not nil) returns
	// true, given the row's chat and key, count towards limit but are left
	// out, undecoded: the sender's chats still busy with earlier messages.
	PendingOutbox(ctx context.Context, channel string, now time.Time, limit int, skip func(chatID, key string) bool) ([]bot.OutboxItem, error)
	// MarkSent records that an outbox message was delivered.
	// The row is found by it.ID and it.Key together: a row deleted
	// meanwhile may have left its id to a new one.
	MarkSent(ctx context.Context, it bot.OutboxItem, platformID string, at time.Time) error
	// SentID returns the platform id of the outbox message with key.
	// settled is false while that message is still to be sent; once it is
	// settled, an empty id says it was given up (or never queued).
	SentID(ctx context.Context, key string) (id string, settled bool, err error)
	// MarkRetry records an attempt that failed at at; the message is
	// retried at next, or given up when next is zero.
	MarkRetry(ctx context.Context, it bot.OutboxItem, reason string, at, next time.Time) error
	// Defer moves an outbox message's next attempt to next without
	// counting an attempt: the channel is pacing itself.
	Defer(ctx context.Context, it bot.OutboxItem, next time.Time) error
}

// Config holds what a Sender needs.
type Config struct {
	Store    Store
	Channels []bot.Channel
	Clock    bot.Clock
	Logger   *slog.Logger
	// Poll is how often the outbox is looked at without a wake-up; 1s by
	// default.
	Poll time.Duration
	// MaxAttempts is how many times a message that keeps failing (other
	// than on the platform's rate limit or while the channel is down,
	// which wait as the platform asks) is tried before it is given up:
	// 10 by default, about a quarter of an hour with the waits between
	// (1 s doubling, at most 5 minutes). It then waits in the list of
	// messages not delivered, for staff to see and send again, and its
	// chat goes on without it.
	MaxAttempts int
	// Notice tells the staff something about a channel (how many late
	// messages were given up); nothing when nil.
	Notice func(channel, text string)
	// Redact masks the configured secrets in an error's text before it
	// is stored as a message's last error; nothing is masked when nil.
	Redact func(string) string
	// Concurrency is how many chats of one channel are sent to at once;
	// 64 by default: at about one message a second to a chat, enough
	// chats at once to keep Telegram's 30 a second busy.
	Concurrency int
}

// Sender drains the outbox: one loop per channel, messages in the order they
// were queued, each marked sent once the platform took it. A message to a
// chat that is failing waits, and so do the messages behind it in that
// chat, while other chats go on.
type Sender struct {
	cfg  Config
	wake map[string]chan struct{}

	mu sync.Mutex
	// expired counts, per channel, the late messages given up and not yet
	// reported, with the oldest's time.
	expired map[string]expiredRun
}

// expiredRun is a run of late messages given up on one channel.
type expiredRun struct {
	n      int
	oldest time.Time
}

// New returns a Sender for the given channels.
func New(cfg Config) *Sender {
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.Redact == nil {
		cfg.Redact = func(s string) string { return s }
	}
	s := &Sender{cfg: cfg, wake: make(map[string]chan struct{}), expired: make(map[string]expiredRun)}
	for _, ch := range cfg.Channels {
		s.wake[ch.Name()] = make(chan struct{}, 1)
	}
	return s
}

// Wake tells every channel's loop to look at the outbox now.
func (s *Sender) Wake() {
	for _, w := range s.wake {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Run drains the outbox until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, ch := range s.cfg.Channels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, bot.CapsOf(ch))
		}()
	}
	wg.Wait()
	return nil
}

func (s *Sender) loop(ctx context.Context, ch bot.Caps) {
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	l := &lanes{busy: make(map[string]bool), endedAt: make(map[string]int), slots: make(chan struct{}, s.cfg.Concurrency)}
	defer l.wg.Wait()
	for {
		for s.drain(ctx, ch, l) {
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake[ch.Name()]:
			// Wake-ups come in bursts (commits, lanes ending): a moment's
			// pause lets one read of the outbox serve the burst.
			select {
			case <-ctx.Done():
				return
			case <-time.After(coalesce):
			}
		case <-tick.C:
		}
	}
}

// coalesce is how long the sender lets wake-ups gather before it reads
// the outbox: short beside any platform's round trip.
const coalesce = 2 * time.Millisecond

// lanes are one channel's chats being sent to.
type lanes struct {
	wg    sync.WaitGroup
	slots chan struct{} // one per lane running, up to Concurrency
	mu    sync.Mutex
	busy  map[string]bool // lanes running
	// ended counts lanes finished; endedAt is each lane's count when it
	// last finished, so a drain can tell a lane that finished after it
	// read the outbox: its read may list messages since marked sent.
	ended   int
	endedAt map[string]int
	// expired says a lane gave up a late message since the last drain.
	expired atomic.Bool
}

// drain starts sending what is due; it reports whether there may be more
// to start now. Different chats go at once (up to Concurrency), each in
// a lane of its own that sends the chat's messages in order, one after
// another, and wakes the loop when done: a platform's latency and a chat's
// pacing then cost that chat only, and a chat that frees up is refilled
// at once, not when a whole batch is done. A chat whose message fails
// waits, with the rest of its messages; the others go on.
func (s *Sender) drain(ctx context.Context, ch bot.Caps, l *lanes) bool {
	const batch = 100
	l.mu.Lock()
	readAt := l.ended
	l.mu.Unlock()
	// Rows of lanes still sending are left undecoded: they are skipped
	// below all the same.
	busy := func(chatID, key string) bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		press, ok := bot.PressOf(key)
		return l.busy[laneOf(chatID, press, ok)]
	}
	items, err := s.cfg.Store.PendingOutbox(ctx, ch.Name(), s.cfg.Clock.Now(), batch, busy)
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Error("read outbox", "channel", ch.Name(), "err", err)
		}
		return false
	}
	maxAge := ch.MaxAge()
	// Lanes: a chat's messages, in order; a press's answer is not a
	// message in the chat, and goes at once, past the chat's waiting
	// messages and beside the other presses' answers (a press is answered
	// within seconds or not at all). A lane still sending keeps its chat:
	// its later messages wait for it; so does one that finished since the
	// read (what was read of it may be sent already: the next drain,
	// which its end asked for, reads it afresh).
	var order []string
	byLane := make(map[string][]bot.OutboxItem)
	l.mu.Lock()
	for lane, at := range l.endedAt {
		if at <= readAt {
			delete(l.endedAt, lane) // no drain from now on read before it
		}
	}
	for _, it := range items {
		lane := laneOfItem(it)
		if l.busy[lane] || l.endedAt[lane] > readAt {
			continue
		}
		if _, ok := byLane[lane]; !ok {
			order = append(order, lane)
		}
		byLane[lane] = append(byLane[lane], it)
	}
	for _, lane := range order {
		l.busy[lane] = true
	}
	// A lane still busy may yet give up late messages: the notice waits
	// for all of them.
	idle := len(l.busy) == 0
	l.mu.Unlock()
	if idle && !l.expired.Swap(false) {
		s.reportExpired(ch.Name())
	}
	for i, lane := range order {
		select {
		case l.slots <- struct{}{}:
		case <-ctx.Done():
			l.mu.Lock()
			for _, rest := range order[i:] {
				delete(l.busy, rest)
			}
			l.mu.Unlock()
			return false
		}
		l.wg.Add(1)
		go func(lane string, its []bot.OutboxItem) {
			defer func() {
				l.mu.Lock()
				delete(l.busy, lane)
				l.ended++
				l.endedAt[lane] = l.ended
				l.mu.Unlock()
				<-l.slots
				l.wg.Done()
				select {
				case s.wake[ch.Name()] <- struct{}{}:
				default:
				}
			}()
			for _, it := range its {
				if ctx.Err() != nil {
					return
				}
				if maxAge > 0 && s.cfg.Clock.Now().Sub(it.Created) > maxAge {
					s.expire(ctx, ch, it, maxAge)
					l.expired.Store(true)
					continue
				}
				if !it.Claimed.IsZero() && s.cfg.Clock.Now().After(it.Claimed.Add(-claimMargin)) {
					// The claim runs out: another instance may take the
					// chat's messages now (this one was slow, or lost
					// the chat); the next read claims them afresh.
					return
				}
				if !s.send(ctx, ch, it) {
					return
				}
			}
		}(lane, byLane[lane])
	}
	// More may be due beyond this batch, for chats not in it.
	return len(items) == batch && len(order) > 0
}

// claimMargin is how long before its claim runs out a message is no
// longer sent: a send takes a round trip, and another instance may claim
// the message the moment the claim is over (a starved instance kept
// sending what the one that took its chats sent too, in a CI run of
// TestClusterKill).
const claimMargin = time.Second

// laneOf names the lane of a message to chatID: the chat's own, or one
// for the answer to press pressID.
func laneOf(chatID, pressID string, press bool) string {
	if !press {
		return chatID
	}
	return chatID + "\x00press\x00" + pressID
}

// laneOfItem names it's lane: a press's answer and an extra (Optional)
// each have one of their own, beside the chat's, so neither waits for
// the chat's messages nor holds them up.
func laneOfItem(it bot.OutboxItem) string {
	switch {
	case it.PressID != "":
		return laneOf(it.ChatID, it.PressID, true)
	case it.Optional():
		return it.ChatID + "\x00extra\x00" + it.Key
	}
	return it.ChatID
}

// An extra (a reaction) is tried at most extraTries times, each within
// extraTimeout, the second extraRetry after the first and within
// extraWithin of its queueing; then it is dropped with one log line.
const (
	extraTries   = 2
	extraTimeout = 10 * time.Second
	extraRetry   = 3 * time.Second
	extraWithin  = time.Minute
)

// sendExtra delivers an extra: tried twice within a minute at most, then
// dropped, so a platform that refuses it (a server without reactions, a
// chat where they are off, an outage) costs the chat nothing. It reports
// false only when the sender stops, or the channel paces itself.
func (s *Sender) sendExtra(ctx context.Context, ch bot.Channel, it bot.OutboxItem, log *slog.Logger) bool {
	var err error
	for try := range extraTries {
		if try > 0 {
			wait := extraRetry
			var retry *bot.RetryError
			if errors.As(err, &retry) {
				wait = max(wait, retry.After)
			}
			if s.cfg.Clock.Now().Add(wait).Sub(it.Created) > extraWithin {
				break
			}
			select {
			case <-ctx.Done():
				return false
			case <-time.After(wait):
			}
		}
		var id string
		tctx, cancel := context.WithTimeout(ctx, extraTimeout)
		id, err = ch.Send(tctx, it.Outbound)
		cancel()
		if err == nil {
			s.markSent(ctx, it, id, s.cfg.Clock.Now(), log)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		var (
			retry *bot.RetryError
			perm  *bot.PermanentError
		)
		if errors.As(err, &retry) && retry.Pace {
			// The channel pacing the chat: not a failure.
			if err := s.cfg.Store.Defer(ctx, it, s.cfg.Clock.Now().Add(retry.After)); err != nil {
				log.Error("defer", "err", err)
			}
			return false
		}
		if errors.As(err, &perm) {
			break
		}
	}
	log.Warn("an extra was dropped (a reaction, tried and failed); the chat's messages go on", "err", s.cfg.Redact(err.Error()))
	now := s.cfg.Clock.Now()
	if err := s.cfg.Store.MarkRetry(ctx, it, s.cfg.Redact("dropped: "+err.Error()), now, time.Time{}); err != nil {
		log.Error("mark dropped", "err", err)
	}
	return true
}

// expire gives up a message queued longer ago than the channel's MaxAge.
func (s *Sender) expire(ctx context.Context, ch bot.Channel, it bot.OutboxItem, maxAge time.Duration) {
	now := s.cfg.Clock.Now()
	reason := fmt.Sprintf("not sent: queued %s ago, longer than %s", now.Sub(it.Created).Round(time.Minute), maxAge)
	s.cfg.Logger.Warn("late message given up", "channel", ch.Name(), "outbox", it.ID, "queued", it.Created)
	if err := s.cfg.Store.MarkRetry(ctx, it, reason, now, time.Time{}); err != nil {
		s.cfg.Logger.Error("mark given up", "channel", ch.Name(), "outbox", it.ID, "err", err)
		return
	}
	s.mu.Lock()
	r := s.expired[ch.Name()]
	if r.n == 0 || it.Created.Before(r.oldest) {
		r.oldest = it.Created
	}
	r.n++
	s.expired[ch.Name()] = r
	s.mu.Unlock()
}

// reportExpired tells the staff, once the outbox holds no more of them,
// how many late messages of channel were given up: one notice a run.
func (s *Sender) reportExpired(channel string) {
	s.mu.Lock()
	r := s.expired[channel]
	delete(s.expired, channel)
	s.mu.Unlock()
	if r.n == 0 || s.cfg.Notice == nil {
		return
	}
	s.cfg.Notice(channel, fmt.Sprintf("%d messages queued while it could not send (the oldest at %s) were too late and were not sent; lessons went on by their timers", r.n, r.oldest.Format(time.DateTime)))
}

// send delivers one message and records the outcome; false when it failed.
func (s *Sender) send(ctx context.Context, ch bot.Channel, it bot.OutboxItem) bool {
	log := s.cfg.Logger.With("channel", ch.Name(), "outbox", it.ID)
	if it.Optional() {
		return s.sendExtra(ctx, ch, it, log)
	}
	var (
		id  string
		err error
	)
	if it.ThreadOf != "" && it.Thread == "" {
		// The topic opened by an earlier message: it was settled before
		// this one, since a chat's messages go in order.
		var settled bool
		it.Thread, settled, err = s.cfg.Store.SentID(ctx, it.ThreadOf)
		if err == nil && !settled {
			err = &bot.RetryError{After: time.Second, Err: errors.New("waiting for the topic to be opened")}
		}
	}
	if err == nil {
		id, err = ch.Send(ctx, it.Outbound)
	}
	now := s.cfg.Clock.Now()
	if err == nil {
		s.markSent(ctx, it, id, now, log)
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	var (
		retry    *bot.RetryError
		migrated *bot.MigratedError
		perm     *bot.PermanentError
		next     time.Time
	)
	switch {
	case errors.As(err, &migrated):
		// The chat moved: move its pending messages, then send again.
		log.Info("chat migrated", "to", migrated.NewChatID)
		mig := s.cfg.Store.Update(ctx, func(tx bot.Tx) error {
			return tx.MigrateChat(ch.Name(), it.ChatID, migrated.NewChatID)
		})
		if mig != nil {
			log.Error("migrate chat", "err", mig)
		}
		next = now
	case errors.As(err, &retry) && retry.Pace:
		// The adapter pacing itself under the platform's limits: not a
		// failed attempt. This chat waits; the others go on.
		if err := s.cfg.Store.Defer(ctx, it, now.Add(retry.After)); err != nil {
			log.Error("defer", "err", err)
		}
		return false
	case errors.As(err, &retry):
		// The platform's rate limit (a 429 with retry_after), or the
		// channel down for a while: this chat waits, the others go on.
		log.Info("chat waits before its next message", "after", retry.After, "reason", err)
		next = now.Add(retry.After)
	case errors.As(err, &perm) || it.Attempts+1 >= s.cfg.MaxAttempts:
		log.Error("message given up", "attempts", it.Attempts+1, "err", err)
	default:
		next = now.Add(backoff(it.Attempts))
		log.Warn("send failed; will retry", "attempt", it.Attempts+1, "at", next, "err", err)
	}
	if err := s.cfg.Store.MarkRetry(ctx, it, s.cfg.Redact(err.Error()), now, next); err != nil {
		log.Error("mark retry", "err", err)
	}
	return false
}

// markSent records it sent as platform message id, even when shutting
// down: the platform has it, and a mark lost now would send it again
// after the restart.
func (s *Sender) markSent(ctx context.Context, it bot.OutboxItem, id string, now time.Time, log *slog.Logger) {
	if err := s.cfg.Store.MarkSent(context.WithoutCancel(ctx), it, id, now); err != nil {
		log.Error("mark sent", "err", err)
	}
}

// backoff is the wait after the n-th failed attempt: 1s doubling up to
// 5 minutes, with jitter.
func backoff(n int) time.Duration {
	d := time.Second << min(n, 9)
	if d > 5*time.Minute {
		d = 5 * time.Minute
	}
	return d/2 + rand.N(d/2+1)
}
