package router

import (
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

// isStaff reports whether m is one of the configured staff.
func (r *Router) isStaff(m bot.Member) bool {
	for _, st := range r.staff {
		if st.Matches(m) {
			return true
		}
	}
	return false
}
