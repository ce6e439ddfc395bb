package whatsapp

import (
	"context"
	"errors"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// errReplaced ends the leader's work when another client took the session
// over (whatsmeow's StreamReplaced).
var errReplaced = errors.New("another client connected with this session")

// lead runs the session as one of several instances (Config.Leases),
// connected while this instance holds the number's lease (see
// bot.LeaseHold: renewed every third of its time, dropped before it could
// lapse), so that two instances never hold the one session at once. It
// returns when ctx ends, giving the lease up for the next instance.
//
// When another client takes the session over (StreamReplaced: a copy of
// the session running elsewhere), the lease is given up, the staff are
// told, and this instance stands by until it is restarted, still serving
// its other channels: taking the lease back would take the session back,
// and the two would pass it to and fro.
func (w *WhatsApp) lead(ctx context.Context) error {
	hold := bot.LeaseHold{Leases: w.cfg.Leases, Name: "whatsapp:" + w.cli.Store.ID.User, Holder: w.cfg.Instance,
		TTL: w.cfg.LeaseTTL, What: "the WhatsApp session", Clock: w.cfg.Clock, Logger: w.log}
	err := hold.Run(ctx, func(ctx context.Context) error {
		w.leading.Store(true)
		defer w.leading.Store(false)
		select {
		case <-w.replaced: // said before this lease: not about it
		default:
		}
		if err := w.dial(ctx); err != nil {
			return fmt.Errorf("whatsapp: connect: %w", err)
		}
		defer w.hangUp()
		select {
		case <-ctx.Done():
			return nil
		case <-w.replaced:
			return errReplaced
		}
	})
	if errors.Is(err, errReplaced) {
		w.log.Error("gave the WhatsApp session's lease up, as another client took the session over; this instance stands by until restarted")
		<-ctx.Done()
		return nil
	}
	return err
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
