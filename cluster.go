package huddle

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cluster"
	"github.com/huddlebot/huddle/schedule"
)

// joinCluster makes this App one instance of several sharing the
// PostgreSQL database: it handles every event it receives, each chat's
// timers and messages are its owner's (whose sender is woken when another
// instance handled the chat's event), the program-wide jobs run on one
// instance at a time, the
// channels' rates are shared, and the chats of a single-session channel
// (WhatsApp) are the instance's that leads it.
func (a *App) joinCluster(scfg *schedule.Config) {
	o := a.opts
	name := o.Instance
	if name == "" {
		name, _ = os.Hostname()
	}
	a.node = cluster.New(cluster.Config{Store: a.db, Router: a.router, Name: name, TTL: o.ChatLease,
		Clock: o.Clock, Logger: a.log.With("instance", name), Elsewhere: func() []string {
			// The chats of a channel only another instance can send on
			// (WhatsApp's session, which it leads) are that one's.
			var out []string
			for _, ch := range a.channels {
				if ch.Single != nil && !ch.Single.Leading() {
					out = append(out, ch.Name())
				}
			}
			return out
		}, Wake: a.sender.Wake, OnInstances: func(n int) {
			// The channels' overall rates are the bot's: each instance
			// sends at its share.
			for _, ch := range a.channels {
				if ch.Rate != nil {
					ch.Rate.ShareRate(n)
				}
			}
			// And so are the database's: its cores, not the instances'
			// number, decide how many transactions it runs well at once
			// (docs/performance.md).
			a.db.ShareWriters(o.DatabaseWriters, n)
		}})
	a.db.SetInstance(name, a.node.TTL())
	a.queue = a.node
	// Each feature's jobs run on one instance at a time.
	features := make([]bot.Feature, len(scfg.Features))
	for i, f := range scfg.Features {
		f.Jobs = slices.Clone(f.Jobs)
		for k := range f.Jobs {
			f.Jobs[k] = a.node.Alone(f.Jobs[k])
		}
		features[i] = f
	}
	scfg.Features = features
}

// clusterState is what the dashboard's overview says of the instances:
// which share the database, and which one answers.
func (a *App) clusterState() bot.ChannelState {
	running := a.node.Running()
	return bot.ChannelState{Name: "instances", OK: len(running) > 0,
		Detail: fmt.Sprintf("%d on one PostgreSQL database: %s; this page from %s", len(running), strings.Join(running, ", "), a.node.Name())}
}
