package whatsapp

import (
	"context"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// fail stops sending for good, logs loudly and tells the staff.
func (w *WhatsApp) fail(why string) {
	w.setDown(why)
	w.log.Error("WhatsApp channel stopped: " + why)
	now := w.cfg.Clock.Now()
	w.handle(bot.Event{
		ID:      bot.EventID(Name, "", "", fmt.Sprintf("down-%d", now.UnixMilli())),
		Kind:    bot.ChannelDown,
		Channel: Name,
		Text:    why,
		Time:    now,
	})
}

func (w *WhatsApp) setDown(why string) {
	w.mu.Lock()
	w.down = why
	w.mu.Unlock()
}

func (w *WhatsApp) isDown() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.down
}

// ban pauses sending until a temporary ban ends, and then reconnects:
// whatsmeow takes a ban as an expected disconnection and does not.
func (w *WhatsApp) ban(ctx context.Context, evt *events.TemporaryBan) {
	expire := evt.Expire
	if expire <= 0 {
		expire = 24 * time.Hour // WhatsApp did not say: assume a day
	}
	till := w.cfg.Clock.Now().Add(expire)
	w.mu.Lock()
	w.pauseTill, w.outage = till, "the temporary ban"
	w.mu.Unlock()
	why := fmt.Sprintf("temporarily banned by WhatsApp (%v); sending paused until %s, when it reconnects by itself", evt.Code, till.Format(time.RFC3339))
	w.log.Error(why)
	w.tellDown(why)
	w.redialAfter(ctx, expire, "the temporary ban ended")
}

// connectFailed handles a refused connection. whatsmeow reconnects by
// itself after a server error (500, 503); after the others it does not, so
// the adapter reconnects with a growing back-off and tells the staff once.
// A logout, a ban and an outdated client come as their own events.
func (w *WhatsApp) connectFailed(ctx context.Context, evt *events.ConnectFailure) {
	switch r := evt.Reason; {
	case r == events.ConnectFailureServiceUnavailable || r == events.ConnectFailureInternalServerError:
		w.log.Warn("WhatsApp refused the connection for now; whatsmeow reconnects", "reason", r.String())
		return
	case r.IsLoggedOut() || r == events.ConnectFailureTempBanned || r == events.ConnectFailureClientOutdated:
		return
	}
	w.mu.Lock()
	w.refused++
	n := w.refused
	first := w.outage == ""
	if first {
		w.outage = "WhatsApp refused the connection"
	}
	w.mu.Unlock()
	wait := refusedBackoff(n)
	why := fmt.Sprintf("WhatsApp refused the connection (%s); trying again in %s, and later less often", evt.Reason, wait)
	w.log.Error(why, "message", evt.Message)
	if first {
		w.tellDown(why)
	}
	w.redialAfter(ctx, wait, "retry after a refused connection")
}

// refusedBackoff is the wait before reconnecting after the n-th refusal
// in a row: a minute, doubling, at most an hour, never a tight loop (a
// client that reconnects in a loop looks like an attack).
func refusedBackoff(n int) time.Duration {
	return min(time.Minute<<min(n-1, 6), time.Hour)
}

// versionEvery is how often the current WhatsApp Web version may be
// fetched: a client told it is outdated again soon after an update waits
// for a new huddle rather than fetching in a loop.
const versionEvery = 6 * time.Hour

// outdated answers a client-outdated rejection: at most once in
// versionEvery it fetches the current WhatsApp Web version; then it
// reconnects after a back-off, never in a loop.
func (w *WhatsApp) outdated(ctx context.Context) {
	now := w.cfg.Clock.Now()
	w.mu.Lock()
	fetch := w.versionAt.IsZero() || now.Sub(w.versionAt) >= versionEvery
	if fetch {
		w.versionAt = now
	}
	w.refused++
	n := w.refused
	w.outage = "an update of the WhatsApp Web version"
	w.mu.Unlock()
	if !fetch {
		why := "WhatsApp says this client is outdated again, though its version was updated less than 6 hours ago: update huddle"
		w.log.Error(why)
		w.tellDown(why)
		w.redialAfter(ctx, refusedBackoff(n), "retry with the updated version")
		return
	}
	w.waiting.Add(1)
	go func() {
		defer w.waiting.Done()
		ver, err := w.fetchVersion(ctx)
		if err != nil {
			w.log.Error("WhatsApp says this client is outdated, and the current version could not be fetched; update huddle", "err", err)
		} else {
			setWAVersion(*ver)
			w.log.Warn("WhatsApp said this client was outdated; using WhatsApp Web version " + ver.String())
		}
		w.redialAfter(ctx, refusedBackoff(n), "reconnect with the current version")
	}()
}

// redialAfter reconnects after d, unless a reconnection already waits or
// ctx ends first.
func (w *WhatsApp) redialAfter(ctx context.Context, d time.Duration, why string) {
	w.mu.Lock()
	if w.redialing {
		w.mu.Unlock()
		return
	}
	w.redialing = true
	w.mu.Unlock()
	at := w.cfg.Clock.Now().Add(d)
	w.waiting.Add(1)
	go func() {
		defer w.waiting.Done()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(w.life, cancel)
		defer stop()
		err := w.cfg.Clock.Sleep(ctx, at.Sub(w.cfg.Clock.Now()))
		w.mu.Lock()
		w.redialing = false
		w.mu.Unlock()
		if err != nil {
			return
		}
		if !w.Leading() {
			// Another instance holds the session now: it connects.
			w.log.Info("not reconnecting: another instance holds the WhatsApp session", "why", why)
			return
		}
		w.log.Info("reconnecting to WhatsApp", "why", why)
		w.cli.Disconnect()
		if err := w.dial(ctx); err != nil {
			w.log.Error("reconnect", "why", why, "err", err)
		}
	}()
}

// tellDown tells the staff that sending paused, and why.
func (w *WhatsApp) tellDown(why string) {
	now := w.cfg.Clock.Now()
	w.handle(bot.Event{
		ID:   bot.EventID(Name, "", "", fmt.Sprintf("down-%d", now.UnixNano())),
		Kind: bot.ChannelDown, Channel: Name, Text: why, Time: now,
	})
}

// notice tells the staff something about the channel that is not an
// outage (sending resumed, a group removed the bot).
func (w *WhatsApp) notice(text string) {
	now := w.cfg.Clock.Now()
	w.handle(bot.Event{
		ID:   bot.EventID(Name, "", "", fmt.Sprintf("notice-%d", now.UnixNano())),
		Kind: bot.ChannelNotice, Channel: Name, Text: text, Time: now,
	})
}

// leftBy reports whether a group change removed the bot (or it left).
func (w *WhatsApp) leftBy(evt *events.GroupInfo) bool {
	for _, j := range evt.Leave {
		if w.isMe(j) {
			return true
		}
	}
	return false
}

// removedFrom stops sending to a group the bot was removed from: its
// queued messages are given up (Send refuses them), and the staff told.
func (w *WhatsApp) removedFrom(jid types.JID) {
	jid = jid.ToNonAD()
	w.mu.Lock()
	if w.removed == nil {
		w.removed = make(map[types.JID]bool)
	}
	w.removed[jid] = true
	name := jid.String()
	if g := w.groups[jid]; g != nil && g.name != "" {
		name = g.name
	}
	w.mu.Unlock()
	w.tellRemoved(jid, true)
	w.log.Warn("removed from a group: nothing more is sent to it", "group", jid)
	w.notice(fmt.Sprintf("the bot was removed from the group %q: its queued messages are dropped and nothing more is sent there; add the bot's number again to resume", name))
}

// tellRemoved records in the store that the bot was removed from group
// jid (removed), or is in it again, so that a restart remembers it.
func (w *WhatsApp) tellRemoved(jid types.JID, removed bool) {
	now := w.cfg.Clock.Now()
	kind, what := bot.BotAdded, "added"
	if removed {
		kind, what = bot.BotRemoved, "removed"
	}
	w.handle(bot.Event{
		ID:   bot.EventID(Name, jid.String(), "", fmt.Sprintf("%s-%d", what, now.UnixNano())),
		Kind: kind, Channel: Name, ChatID: jid.String(), ChatType: bot.Group, Time: now,
	})
}

// loadRemoved reads which groups removed the bot before this start: it
// sends nothing there until added again. A store that cannot say is
// logged; the groups' refusals say it again.
func (w *WhatsApp) loadRemoved(ctx context.Context) {
	if w.cfg.Outbox == nil {
		return
	}
	ids, err := w.cfg.Outbox.RemovedChats(ctx, Name)
	if err != nil {
		w.log.Warn("read the groups that removed the bot", "err", err)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		jid, err := types.ParseJID(id)
		if err != nil {
			continue
		}
		if w.removed == nil {
			w.removed = make(map[types.JID]bool)
		}
		w.removed[jid.ToNonAD()] = true
	}
}
