// Package cluster runs several Huddle instances on one database
// (PostgreSQL's) behind one bot. Any instance handles any chat's event
// (a Telegram webhook behind a load balancer goes to any): the store
// serialises one chat's transactions across instances by a lock in the
// database, as the router's queue does within one. Each chat is owned by
// one instance at a time, by a lease in the database that the owner
// renews: the owner fires the chat's timers and sends its messages, in
// order, at its share of the channel's rate. An instance that queued
// messages for a chat another owns (it handled the chat's event) tells
// the owner, through the database's notifications; one that receives an
// event for a chat no one owns takes the chat. When an instance dies its
// leases lapse and the others adopt its chats, with the messages and
// timers waiting for them. Each instance also holds a lease of its own, by which the
// instances count each other and share the bot's rate on its channels.
//
// RapidPro's mailroom is the model: each contact's events queue on their
// own and any worker takes the next contact with work; no event is
// handed to a fixed owner. An earlier design here did hand events over,
// through an inbox table, and three instances handled 0.4 times the
// events of one (docs/performance.md).
package cluster

import (
	"context"
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
	// NotifyOutbox tells the instances listening (ListenOutbox) that
	// messages may wait for the chats of leases.
	NotifyOutbox(ctx context.Context, leases []string) error
	// OnQueued has fn told, after each commit, the leases of the chats
	// the transaction queued messages for.
	OnQueued(fn func(leases []string))
	// ListenOutbox calls heard with each lease NotifyOutbox names, on
	// any instance, until ctx ends (nil) or the connection fails.
	ListenOutbox(ctx context.Context, heard func(lease string)) error
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

// Router is where a Node passes the events it receives and the
// scheduler's work of the chats it owns: the bot's Router.
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
	TTL   time.Duration
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
	// Wake, when set, tells this instance's sender that messages may
	// wait for a chat it owns: another instance queued them.
	Wake func()
}

// Node is one instance's part: a bot.Handler for its channels, which
// handles every event it receives, and a bot.ChatQueue for its
// scheduler, which passes on the work of the chats it owns.
type Node struct {
	cfg Config

	mu sync.Mutex
	// owned holds the leases of the chats this instance owns, each until
	// when it may act for the chat without asking the database again:
	// well short of the lease's end, so an instance that cannot renew
	// stops first.
	owned map[string]time.Time
	// channelOf holds the channel of each chat owned, where known.
	channelOf map[string]string
	// others holds the leases of chats another instance owned when this
	// one last asked, each until when it takes that the other still does
	// (trust): their events are handled without a lease query each.
	// Adoption, which takes a chat whose owner is gone, asks anyway.
	others map[string]time.Time
	// tell holds the leases of chats owned elsewhere for which this
	// instance queued messages since it last told their owners; told is
	// signalled when one is added.
	tell map[string]bool
	told chan struct{}
	// instances is how many instances were running at the last count,
	// and running their names.
	instances int
	running   []string
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

// New returns a Node; Run keeps its leases and passes on the
// notifications between instances.
func New(cfg Config) *Node {
	if cfg.TTL <= 0 {
		cfg.TTL = 15 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	n := &Node{cfg: cfg, owned: make(map[string]time.Time), channelOf: make(map[string]string),
		tell: make(map[string]bool), told: make(chan struct{}, 1), settled: make(chan struct{})}
	cfg.Store.OnQueued(n.queued)
	return n
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

// HandleEvent handles ev here and returns once it is durably handled.
func (n *Node) HandleEvent(ctx context.Context, ev bot.Event) error {
	select {
	case err := <-n.Submit(ctx, ev):
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit passes ev to the router, taking its chat when no instance owns
// it. When another does and the event queued replies, the owner is told
// once they are committed (queued), so that it sends them without
// waiting for its next look.
func (n *Node) Submit(ctx context.Context, ev bot.Event) <-chan error {
	lease := n.cfg.Store.ChatLease(bot.ChatKey(ev.Channel, ev.ChatID))
	if _, err := n.own(ctx, lease, ev.Channel); err != nil {
		return result(err)
	}
	return n.cfg.Router.Submit(ctx, ev)
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

// tellOwners passes on, until ctx ends, the leases of the chats owned
// elsewhere for which this instance queued messages: one notification
// for all those queued for meanwhile.
func (n *Node) tellOwners(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.told:
		}
		n.mu.Lock()
		leases := make([]string, 0, len(n.tell))
		for l := range n.tell {
			leases = append(leases, l)
		}
		clear(n.tell)
		n.mu.Unlock()
		if err := n.cfg.Store.NotifyOutbox(ctx, leases); err != nil && ctx.Err() == nil {
			// The owner's sender finds the messages at its next look
			// (a second at most).
			n.cfg.Logger.Warn("tell the chats' owners", "chats", len(leases), "err", err)
		}
	}
}

// queued hears, after a commit on this instance, the leases of the chats
// it queued messages for: the owners of those another instance owns are
// told (tellOwners), as only an owner sends a chat's messages; this
// instance's own sender hears of its commits from the router. Only
// messages are told of: an event that queued none (most quiz answers)
// costs no notification, which PostgreSQL serialises across the
// database at commit (BenchmarkInstances, docs/performance.md).
func (n *Node) queued(leases []string) {
	now := n.cfg.Clock.Now()
	var tell bool
	n.mu.Lock()
	for _, l := range leases {
		if until, ok := n.owned[l]; ok && now.Before(until) {
			continue
		}
		n.tell[l] = true
		tell = true
	}
	n.mu.Unlock()
	if tell {
		select {
		case n.told <- struct{}{}:
		default:
		}
	}
}

// heard wakes the sender when lease's chat is this instance's.
func (n *Node) heard(lease string) {
	n.mu.Lock()
	until, ok := n.owned[lease]
	n.mu.Unlock()
	if ok && n.cfg.Clock.Now().Before(until) && n.cfg.Wake != nil {
		n.cfg.Wake()
	}
}
