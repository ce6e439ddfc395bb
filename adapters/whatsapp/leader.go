package whatsapp

import (
	"context"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// lead runs the session as one of several instances (Config.Leases),
// connected while this instance holds the number's lease (see
// bot.LeaseHold: renewed every third of its time, dropped before it could
// lapse), so that two instances never hold the one session at once. It
// returns when ctx ends, giving the lease up for the next instance.
func (w *WhatsApp) lead(ctx context.Context) error {
	hold := bot.LeaseHold{Leases: w.cfg.Leases, Name: "whatsapp:" + w.cli.Store.ID.User, Holder: w.cfg.Instance,
		TTL: w.cfg.LeaseTTL, What: "the WhatsApp session", Clock: w.cfg.Clock, Logger: w.log}
	return hold.Run(ctx, func(ctx context.Context) error {
		w.leading.Store(true)
		defer w.leading.Store(false)
		if err := w.dial(ctx); err != nil {
			return fmt.Errorf("whatsapp: connect: %w", err)
		}
		<-ctx.Done()
		w.hangUp()
		return nil
	})
}

// Leading reports whether this instance holds the number's session: with
// several instances (Config.Leases), only the one that does owns the
// number's chats; alone, it always does.
func (w *WhatsApp) Leading() bool { return w.cfg.Leases == nil || w.leading.Load() }

// hangUp disconnects from WhatsApp on purpose (whatsmeow says nothing of
// a disconnection asked for): nothing is sent until the next connection.
func (w *WhatsApp) hangUp() {
	w.cli.Disconnect()
	w.mu.Lock()
	w.connected = false
	w.mu.Unlock()
}
