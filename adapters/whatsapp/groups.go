package whatsapp

import (
	"context"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// groupInfo is what the adapter keeps of a group: its name and who
// administers it (by every address they are known by).
type groupInfo struct {
	name   string
	admins map[string]bool
	size   int
	// lid says the group addresses members, and the bot, by LID.
	lid bool
	// timer is the group's disappearing-messages timer in seconds; 0 off.
	timer uint32
}

func newGroupInfo(g *types.GroupInfo) *groupInfo {
	info := &groupInfo{name: g.Name, admins: make(map[string]bool), size: len(g.Participants),
		lid: g.AddressingMode == types.AddressingModeLID}
	if g.IsEphemeral {
		info.timer = g.DisappearingTimer
	}
	for _, p := range g.Participants {
		if !p.IsAdmin && !p.IsSuperAdmin {
			continue
		}
		for _, j := range []types.JID{p.JID, p.LID, p.PhoneNumber} {
			if !j.IsEmpty() {
				info.admins[j.ToNonAD().String()] = true
			}
		}
	}
	return info
}

// group returns the cached group, fetching it from WhatsApp on first sight
// (or after a change emptied the cache); nil when it cannot be fetched.
func (w *WhatsApp) group(ctx context.Context, jid types.JID) *groupInfo {
	jid = jid.ToNonAD()
	w.mu.Lock()
	g := w.groups[jid]
	w.mu.Unlock()
	if g != nil {
		return g
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, err := w.net.GetGroupInfo(ctx, jid)
	if err != nil {
		w.log.Warn("group info not fetched", "group", jid, "err", err)
		return nil
	}
	return w.cacheGroup(info)
}

func (w *WhatsApp) cacheGroup(info *types.GroupInfo) *groupInfo {
	g := newGroupInfo(info)
	w.mu.Lock()
	w.groups[info.JID.ToNonAD()] = g
	w.mu.Unlock()
	return g
}

// leavers turns the members a group change removed (who left, or whom an
// admin removed) into Left events, the bot left out (its own removal is
// removedFrom's), with the group's size after the change where the cache
// knows it. Call it before groupChanged, which drops the cached group.
func (w *WhatsApp) leavers(ctx context.Context, evt *events.GroupInfo) []bot.Event {
	var gone []types.JID
	for _, j := range evt.Leave {
		if !w.isMe(j) {
			gone = append(gone, j)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	jid := evt.JID.ToNonAD()
	size := 0
	w.mu.Lock()
	if g := w.groups[jid]; g != nil {
		size = max(g.size-1-len(gone), 0) // the bot left out, as ever
	}
	w.mu.Unlock()
	at := evt.Timestamp
	if at.IsZero() {
		at = w.cfg.Clock.Now()
	}
	evs := make([]bot.Event, 0, len(gone))
	for _, j := range gone {
		id, alias := w.person(ctx, j, types.EmptyJID)
		evs = append(evs, bot.Event{ID: bot.EventID(Name, jid.String(), id, fmt.Sprintf("left-%d", at.UnixMilli())),
			Kind: bot.Left, Channel: Name, ChatID: jid.String(), ChatType: bot.Group,
			SenderID: id, SenderAlias: alias, ChatSize: size, Time: at})
	}
	return evs
}

// groupChanged keeps the cache current: a new name is applied at once; a
// change of members or admins drops the entry, to be fetched again when
// the group next speaks.
func (w *WhatsApp) groupChanged(evt *events.GroupInfo) {
	jid := evt.JID.ToNonAD()
	w.mu.Lock()
	defer w.mu.Unlock()
	g := w.groups[jid]
	if g == nil {
		return
	}
	if evt.Name != nil {
		g.name = evt.Name.Name
	}
	if evt.Ephemeral != nil {
		g.timer = 0
		if evt.Ephemeral.IsEphemeral {
			g.timer = evt.Ephemeral.DisappearingTimer
		}
	}
	if len(evt.Join) > 0 || len(evt.Leave) > 0 || len(evt.Promote) > 0 || len(evt.Demote) > 0 {
		delete(w.groups, jid)
	}
}

// forgetGroup drops group jid from the cache: it is fetched again when
// next needed.
func (w *WhatsApp) forgetGroup(jid types.JID) {
	w.mu.Lock()
	delete(w.groups, jid.ToNonAD())
	w.mu.Unlock()
}

// botAdmin reports whether the bot administers group jid, as last
// fetched; false for a chat that is no group or a group not fetched.
func (w *WhatsApp) botAdmin(jid types.JID) bool {
	if jid.Server != types.GroupServer {
		return false
	}
	w.mu.Lock()
	g := w.groups[jid.ToNonAD()]
	w.mu.Unlock()
	return w.botAdminOf(g)
}

// botAdminOf reports whether the bot administers group g.
func (w *WhatsApp) botAdminOf(g *groupInfo) bool {
	st := w.cli.Store
	return g != nil && st.ID != nil && g.admin(st.ID.ToNonAD().String(), st.LID.ToNonAD().String())
}

// admin reports whether user administers group g, by any of its addresses.
func (g *groupInfo) admin(ids ...string) bool {
	for _, id := range ids {
		if id != "" && g.admins[id] {
			return true
		}
	}
	return false
}
