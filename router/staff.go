package router

import (
	"errors"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// alertStaff tells every staff member on another channel that ev's
// channel is down.
func (r *Router) alertStaff(tx bot.OutboxWriter, ev bot.Event, now time.Time) error {
	key := "channel_down"
	if ev.Kind == bot.ChannelNotice {
		key = "channel_notice"
		r.log.Warn("channel notice", "channel", ev.Channel, "what", ev.Text)
	} else {
		r.log.Error("channel down", "channel", ev.Channel, "why", ev.Text)
	}
	for _, st := range r.staff {
		if st.Channel == ev.Channel && ev.Kind == bot.ChannelDown {
			continue // it cannot reach them now
		}
		err := tx.Enqueue(bot.Outbound{
			Channel: st.Channel, ChatID: st.DirectChat(),
			Text: r.tr("", key, ev.Channel, ev.Text),
			Key:  "ev:" + ev.ID + ":staff:" + st.String(),
		}, now)
		if err != nil {
			return err
		}
	}
	return nil
}

// teaches reports whether ev's sender is one of the configured staff or
// a mentor of a feature's (named in its configuration, or added by staff,
// and so already a member).
func (r *Router) teaches(tx bot.CaseTx, ev bot.Event) (bool, error) {
	m := bot.Member{Channel: ev.Channel, PlatformID: ev.SenderID, Alias: ev.SenderAlias}
	if r.isStaff(m) {
		return true, nil
	}
	known := false
	for _, f := range r.features {
		if f.Mentors == nil {
			continue
		}
		if !known {
			known = true
			switch got, err := tx.MemberByRef(bot.StaffRef{Channel: ev.Channel, ID: ev.SenderID}); {
			case err == nil:
				m = got
			case !errors.Is(err, bot.ErrNotFound):
				return false, err
			}
		}
		if mentor, err := f.Mentors(tx, m); err != nil || mentor {
			return mentor, err
		}
	}
	return false, nil
}

// isStaff reports whether m is one of the configured staff.
func (r *Router) isStaff(m bot.Member) bool {
	for _, st := range r.staff {
		if st.Matches(m) {
			return true
		}
	}
	return false
}
