// Package cluster runs several Huddle instances on one database
// (PostgreSQL's) behind one bot. Each chat is owned by one instance at a
// time, by a lease in the database that the owner renews: the owner
// handles the chat's events, in order, one at a time, fires its timers
// and sends its messages. An instance that receives an event for a chat
// another instance owns (a Telegram webhook behind a load balancer goes
// to any) keeps it in the database's inbox for the owner; one that
// receives an event for a chat no one owns takes the chat. When an
// instance dies its leases lapse and the others adopt its chats, with the
// events, messages and timers waiting for them. Each instance also holds
// a lease of its own, by which the instances count each other: they share
// the bot's rate on its channels, and one running alone skips the inbox.
package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Store is what a Node needs of the database.
type Store interface {
	// ChatLease names the lease of the chat key (bot.ChatKey), without
	// the chat's platform id in it; every name begins with
	// ChatLeasePrefix.
	ChatLease(key string) string
	ChatLeasePrefix() string
	// Lease takes or renews the lease name for holder until now+ttl and
	// reports whether holder has it.
	Lease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	// RenewLeases extends every lease holder holds whose name starts
	// with prefix, and returns their names.
	RenewLeases(ctx context.Context, holder, prefix string, ttl time.Duration, now time.Time) ([]string, error)
	// Forward keeps an event, as JSON, for the holder of its chat's
	// lease.
	Forward(ctx context.Context, lease string, event []byte, at time.Time) error
	// Inbox lists the events waiting for the chats whose leases holder
	// holds (of lease's chat only, when set), oldest first.
	Inbox(ctx context.Context, holder, lease string, now time.Time, limit int) ([]bot.InboxItem, error)
	// InboxWaiting reports whether events wait in the inbox for lease's
	// chat.
	InboxWaiting(ctx context.Context, lease string) (bool, error)
	// DoneInbox deletes handled events.
	DoneInbox(ctx context.Context, ids []int64) error
	// Orphans lists the chats with work waiting and no owner, but those
	// of the channels in except.
	Orphans(ctx context.Context, now time.Time, limit int, except []string) ([]bot.Orphan, error)
	// LiveLeases lists the leases starting with prefix someone holds.
	LiveLeases(ctx context.Context, prefix string, now time.Time) ([]string, error)
	// Release gives up holder's lease name.
	Release(ctx context.Context, name, holder string) error
}

// instancePrefix begins each running instance's own lease, which it
// renews with its chats': the instances alive are those whose lease is.
const instancePrefix = "instance:"

// Router is where a Node passes the events and the scheduler's work of
// the chats it owns: the bot's Router.
type Router interface {
	bot.Submitter
	bot.ChatQueue
}

// Config holds what a Node needs.
type Config struct {
	Store  Store
	Router Router
	// Name is this instance's, unique among those sharing the database.
	Name string
	// TTL is how long a chat's lease lasts unrenewed: how long an
	// instance's chats wait after it dies. 15s by default.
	TTL time.Duration
	// Poll is how often the inbox is read; 50ms by default.
	Poll  time.Duration
	Clock bot.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Elsewhere, when set, lists the channels whose chats this instance
	// may not own now: a single-session channel (bot.SingleSession) that
	// another instance leads, which alone can send on it.
	Elsewhere func() []string
	// OnInstances, when set, is told how many instances are running
	// (this one among them) when Run starts and whenever that changes:
	// the channels share the bot's rate among them.
	OnInstances func(n int)
}

// Node is one instance's part: a bot.Handler for its channels and a
// bot.ChatQueue for its scheduler, which passes on the work of the
// chats it owns and forwards or leaves the rest.
type Node struct {
	cfg Config

	// passing serialises passInbox, so an inbox row is passed on once.
	passing sync.Mutex
	mu      sync.Mutex
	// owned holds the leases of the chats this instance owns, each until
	// when it may act for the chat without asking the database again:
	// well short of the lease's end, so an instance that cannot renew
	// stops first.
	owned map[string]time.Time
	// channelOf holds the channel of each chat owned, where known.
	channelOf map[string]string
	// others holds the leases of chats another instance owned when this
	// one last asked, each until when it takes that the other still does
	// (trust): their events go to the inbox without a lease query each
	// (BenchmarkInstances: two of every three events with three
	// instances asked in vain). Adoption, which takes a chat whose owner
	// is gone, asks anyway.
	others map[string]time.Time
	// inFlight holds the inbox rows passed on and not yet known, by
	// passInbox, to be deleted: a row deleted while passInbox holds an
	// earlier read of the inbox stays here until the next read, so that
	// read's copy of it is not passed on again.
	inFlight map[int64]bool
	// finished holds the inbox rows handled and deleted since passInbox
	// last read the inbox.
	finished []int64
	// instances is how many instances were running at the last count,
	// and running their names.
	instances int
	running   []string
	// aloneUntil is until when (by the monotonic clock) this instance
	// may take it that it runs alone: its last count, begun then, found
	// no other; zero when it did not.
	aloneUntil time.Time
	// settled is closed once the other instances have counted this one;
	// settleTimer closes it, started when this instance's lease is first
	// written.
	settled     chan struct{}
	settledOnce sync.Once
	settleTimer *time.Timer
}

var (
	_ bot.Submitter = (*Node)(nil)
	_ bot.ChatQueue = (*Node)(nil)
)

// New returns a Node; Run keeps its leases and reads its inbox.
func New(cfg Config) *Node {
	if cfg.TTL <= 0 {
		cfg.TTL = 15 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 50 * time.Millisecond
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Node{cfg: cfg, owned: make(map[string]time.Time), channelOf: make(map[string]string), inFlight: make(map[int64]bool),
		settled: make(chan struct{})}
}

// TTL is how long a chat's lease lasts unrenewed.
func (n *Node) TTL() time.Duration { return n.cfg.TTL }

// maxOthers bounds the chats remembered as another instance's; past it,
// the memory starts afresh.
const maxOthers = 100_000

// trust is how long after a renewal a Node acts for a chat without asking
// again: half the lease, so that it stops well before another instance
// may take the chat over.
func (n *Node) trust() time.Duration { return n.cfg.TTL / 2 }

// HandleEvent handles ev where its chat's owner is, and returns once it
// is durably handled here or kept for the owner.
func (n *Node) HandleEvent(ctx context.Context, ev bot.Event) error {
	select {
	case err := <-n.Submit(ctx, ev):
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit passes ev to the router when this instance owns (or takes) its
// chat, and otherwise keeps it in the inbox for the owner.
func (n *Node) Submit(ctx context.Context, ev bot.Event) <-chan error {
	lease := n.cfg.Store.ChatLease(bot.ChatKey(ev.Channel, ev.ChatID))
	mine, err := n.own(ctx, lease, ev.Channel)
	if err != nil {
		return result(err)
	}
	if mine {
		// Events another instance kept for the chat came first: they go
		// before this one.
		if err := n.passWaiting(ctx, lease); err != nil {
			return result(err)
		}
		return n.cfg.Router.Submit(ctx, ev)
	}
	// An owner that has not counted this instance yet takes it that it
	// runs alone and does not look in the inbox before its own events:
	// nothing is kept for it until it has.
	select {
	case <-n.settled:
	case <-ctx.Done():
		return result(ctx.Err())
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return result(fmt.Errorf("forward event %s: %w", ev.ID, err))
	}
	return result(n.cfg.Store.Forward(ctx, lease, data, n.cfg.Clock.Now()))
}

// InTurn runs fn in the chat's turn when this instance owns (or takes)
// the chat; the owner does it otherwise, and the result is nil.
func (n *Node) InTurn(ctx context.Context, key string, fn func(ctx context.Context) error) <-chan error {
	lease := n.cfg.Store.ChatLease(key)
	channel, _, _ := strings.Cut(key, ":")
	mine, err := n.own(ctx, lease, channel)
	if err != nil {
		return result(err)
	}
	if !mine {
		return result(nil)
	}
	if err := n.passWaiting(ctx, lease); err != nil {
		return result(err)
	}
	return n.cfg.Router.InTurn(ctx, key, fn)
}

// Alone wraps a program-wide job (spaced review, weekly summaries,
// mentors' digests, retention's purge) so that one instance at a time
// runs it: the one that holds the lease "job:" and its name, renewed by
// each run for two periods (two minutes at least); another takes it over
// once the holder has missed a run.
func (n *Node) Alone(j bot.Job) bot.Job {
	ttl := max(n.cfg.TTL, 2*time.Minute, 2*j.Every)
	run := j.Run
	j.Run = func(ctx context.Context, turns bot.ChatQueue) error {
		held, err := n.cfg.Store.Lease(ctx, "job:"+j.Name, n.cfg.Name, ttl, n.cfg.Clock.Now())
		if err != nil || !held {
			return err
		}
		return run(ctx, turns)
	}
	return j
}

// result is a channel holding err.
func result(err error) <-chan error {
	done := make(chan error, 1)
	done <- err
	return done
}

// own reports whether this instance owns the chat of lease, on channel
// ("" when not known), taking it when no one does; never a chat of a
// channel whose chats it may not own now (Elsewhere).
func (n *Node) own(ctx context.Context, lease, channel string) (bool, error) {
	if n.elsewhere(channel) {
		return false, nil
	}
	now := n.cfg.Clock.Now()
	n.mu.Lock()
	until, ok := n.owned[lease]
	other, elsewhere := n.others[lease]
	n.mu.Unlock()
	if ok && now.Before(until) {
		return true, nil
	}
	if elsewhere && now.Before(other) {
		return false, nil
	}
	got, err := n.cfg.Store.Lease(ctx, lease, n.cfg.Name, n.cfg.TTL, now)
	if err != nil {
		return false, err
	}
	n.mu.Lock()
	if !got {
		delete(n.owned, lease)
		if n.others == nil || len(n.others) >= maxOthers {
			n.others = map[string]time.Time{}
		}
		n.others[lease] = now.Add(n.trust())
		n.mu.Unlock()
		return false, nil
	}
	delete(n.others, lease)
	n.owned[lease] = now.Add(n.trust())
	if channel != "" {
		n.channelOf[lease] = channel
	}
	n.mu.Unlock()
	return true, nil
}

// elsewhere reports whether another instance must own channel's chats
// now.
func (n *Node) elsewhere(channel string) bool {
	return channel != "" && n.cfg.Elsewhere != nil && slices.Contains(n.cfg.Elsewhere(), channel)
}

// Owned lists the leases of the chats this instance owns now.
func (n *Node) Owned() []string {
	now := n.cfg.Clock.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for k, until := range n.owned {
		if now.Before(until) {
			out = append(out, k)
		}
	}
	return out
}

// adopt takes the chats that have work waiting and no owner (their owner
// died): their events, messages and timers are this instance's then.
func (n *Node) adopt(ctx context.Context) {
	var except []string
	if n.cfg.Elsewhere != nil {
		except = n.cfg.Elsewhere()
	}
	chats, err := n.cfg.Store.Orphans(ctx, n.cfg.Clock.Now(), 100, except)
	if err != nil {
		if ctx.Err() == nil {
			n.cfg.Logger.Error("chats without an owner", "err", err)
		}
		return
	}
	for _, o := range chats {
		n.mu.Lock()
		delete(n.others, o.Lease) // its owner is gone: ask
		n.mu.Unlock()
		if _, err := n.own(ctx, o.Lease, o.Channel); err != nil {
			if ctx.Err() == nil {
				n.cfg.Logger.Error("adopt chat", "lease", o.Lease, "err", err)
			}
			return
		}
	}
	if len(chats) > 0 {
		n.cfg.Logger.Info("adopted chats", "chats", len(chats))
	}
}

// passWaiting passes on the events kept for lease's chat, when there are
// any: one indexed look-up, most often finding none.
func (n *Node) passWaiting(ctx context.Context, lease string) error {
	if n.alone() {
		return nil // no other instance keeps events for this one's chats
	}
	waiting, err := n.cfg.Store.InboxWaiting(ctx, lease)
	if err != nil {
		return err
	}
	if waiting {
		n.passInbox(ctx, lease)
	}
	return nil
}

// alone reports whether this instance may take it that it runs alone,
// by a count begun less than a third of the lease ago.
func (n *Node) alone() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return time.Now().Before(n.aloneUntil)
}

// passInbox passes the events kept for this instance's chats (or for
// lease's chat only) to the router, each chat's in order, and deletes
// each from the inbox once handled.
func (n *Node) passInbox(ctx context.Context, lease string) {
	n.passing.Lock()
	defer n.passing.Unlock()
	// Rows deleted before this read cannot be in it: they leave inFlight.
	n.mu.Lock()
	for _, id := range n.finished {
		delete(n.inFlight, id)
	}
	n.finished = n.finished[:0]
	n.mu.Unlock()
	items, err := n.cfg.Store.Inbox(ctx, n.cfg.Name, lease, n.cfg.Clock.Now(), 500)
	if err != nil {
		if ctx.Err() == nil {
			n.cfg.Logger.Error("read inbox", "err", err)
		}
		return
	}
	for _, it := range items {
		n.mu.Lock()
		busy := n.inFlight[it.ID]
		n.inFlight[it.ID] = true
		n.mu.Unlock()
		if busy {
			continue
		}
		var ev bot.Event
		if err := json.Unmarshal(it.Event, &ev); err != nil {
			n.cfg.Logger.Error("inbox event", "id", it.ID, "err", err)
			go n.done(ctx, it.ID, nil)
			continue
		}
		go n.done(ctx, it.ID, n.cfg.Router.Submit(ctx, ev))
	}
}

// done deletes inbox row id once its event is handled (done reports it).
func (n *Node) done(ctx context.Context, id int64, done <-chan error) {
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
	if err := n.cfg.Store.DoneInbox(ctx, []int64{id}); err != nil {
		if ctx.Err() == nil {
			n.cfg.Logger.Error("inbox done", "id", id, "err", err)
		}
		// Still in the inbox: the next read passes it on again.
		n.mu.Lock()
		delete(n.inFlight, id)
		n.mu.Unlock()
		return
	}
	n.mu.Lock()
	n.finished = append(n.finished, id)
	n.mu.Unlock()
}
