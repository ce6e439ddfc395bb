package cluster

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// adoptEvery is how often an instance looks for chats with work waiting
// and no owner.
const adoptEvery = time.Second

// Run renews this instance's leases, tells the owners of the chats whose
// events it handled, listens for what the others tell it, and adopts
// chats no one owns, until ctx ends.
func (n *Node) Run(ctx context.Context) error {
	renew := time.NewTicker(n.cfg.TTL / 4)
	defer renew.Stop()
	adopt := time.NewTicker(adoptEvery)
	defer adopt.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(2)
	go func() { defer wg.Done(); n.tellOwners(ctx) }()
	go func() { defer wg.Done(); n.listen(ctx) }()
	n.count(ctx)
	defer func() {
		n.mu.Lock()
		if n.settleTimer != nil {
			n.settleTimer.Stop()
		}
		n.mu.Unlock()
	}()
	defer func() {
		// Stopped: the others need not wait out the lease to take up
		// this instance's share.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := n.cfg.Store.Release(ctx, instancePrefix+n.cfg.Name, n.cfg.Name); err != nil {
			n.cfg.Logger.Warn("release instance lease", "err", err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-renew.C:
			n.renew(ctx)
			n.count(ctx)
		case <-adopt.C:
			n.adopt(ctx)
		}
	}
}

// listen wakes the sender when another instance says messages wait for a
// chat this one owns, until ctx ends; a lost connection is opened again.
func (n *Node) listen(ctx context.Context) {
	wait := time.Second
	for ctx.Err() == nil {
		began := time.Now()
		err := n.cfg.Store.ListenOutbox(ctx, n.heard)
		if ctx.Err() != nil {
			return
		}
		// Meanwhile the sender finds the messages at its next look.
		n.cfg.Logger.Warn("listen for the other instances", "err", err, "again in", wait)
		if time.Since(began) > time.Minute {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// renew extends this instance's chat leases; a chat whose lease it no
// longer holds (it could not renew in time) is dropped.
func (n *Node) renew(ctx context.Context) {
	now := n.cfg.Clock.Now()
	names, err := n.cfg.Store.RenewLeases(ctx, n.cfg.Name, n.cfg.Store.ChatLeasePrefix(), n.cfg.TTL, now)
	if err != nil {
		if ctx.Err() == nil {
			n.cfg.Logger.Error("renew chat leases", "err", err)
		}
		return
	}
	held := make(map[string]bool, len(names))
	for _, name := range names {
		held[name] = true
	}
	var give []string
	n.mu.Lock()
	for k := range n.owned {
		if !held[k] {
			delete(n.owned, k)
			delete(n.channelOf, k)
		}
	}
	for k := range held {
		if n.elsewhere(n.channelOf[k]) {
			// Another instance leads the chat's channel now: it alone
			// can send there, so the chat is given up to it.
			give = append(give, k)
			delete(n.owned, k)
			delete(n.channelOf, k)
			continue
		}
		n.owned[k] = now.Add(n.trust())
	}
	n.mu.Unlock()
	for _, k := range give {
		if err := n.cfg.Store.Release(ctx, k, n.cfg.Name); err != nil && ctx.Err() == nil {
			n.cfg.Logger.Error("give a chat up", "err", err)
		}
	}
	if len(give) > 0 {
		n.cfg.Logger.Info("gave chats up to the instance leading their channel", "chats", len(give))
	}
}

// count renews this instance's own lease and counts the instances whose
// leases are live; OnInstances hears of a change.
func (n *Node) count(ctx context.Context) {
	now := n.cfg.Clock.Now()
	own := instancePrefix + n.cfg.Name
	if _, err := n.cfg.Store.Lease(ctx, own, n.cfg.Name, n.cfg.TTL, now); err != nil {
		if ctx.Err() == nil {
			n.cfg.Logger.Error("renew instance lease", "err", err)
		}
		return
	}
	live, err := n.cfg.Store.LiveLeases(ctx, instancePrefix, now)
	if err != nil {
		if ctx.Err() == nil {
			n.cfg.Logger.Error("count instances", "err", err)
		}
		return
	}
	count := max(len(live), 1)
	alone := len(live) == 1 && live[0] == own
	n.mu.Lock()
	changed := count != n.instances
	n.instances = count
	n.running = n.running[:0]
	for _, l := range live {
		n.running = append(n.running, strings.TrimPrefix(l, instancePrefix))
	}
	if n.settleTimer == nil {
		// This instance's lease is written: once the others have counted
		// it (at once when there are none), it may send at its share.
		settle := n.cfg.TTL / 2
		if alone {
			settle = 0
		}
		n.settleTimer = time.AfterFunc(settle, n.settle)
	}
	n.mu.Unlock()
	if changed {
		n.cfg.Logger.Info("instances running", "instances", count)
		if n.cfg.OnInstances != nil {
			n.cfg.OnInstances(count)
		}
	}
}

// Settled is closed once the other instances running have counted this
// one (at once when it runs alone, half a lease after its lease was first
// written otherwise): until then they send at their shares of the bot's
// rate without it, so it sends nothing.
func (n *Node) Settled() <-chan struct{} { return n.settled }

func (n *Node) settle() { n.settledOnce.Do(func() { close(n.settled) }) }

// Name is this instance's name.
func (n *Node) Name() string { return n.cfg.Name }

// Running lists the names of the instances running at the last count, in
// order.
func (n *Node) Running() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.running)
}

// Instances is how many instances were running at the last count (every
// quarter of the lease), this one among them; 0 before Run.
func (n *Node) Instances() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.instances
}
