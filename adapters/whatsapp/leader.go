package whatsapp

import (
	"context"
	"fmt"
	"time"
)

// lead runs the session as one of several instances (Config.Leases):
// it waits for the number's lease, connects while it holds it, renews it
// every third of its time, and disconnects when it loses it or cannot
// renew it before it could lapse, so that two instances never hold the
// one session at once; then it waits again. It returns when ctx ends,
// giving the lease up for the next instance.
func (w *WhatsApp) lead(ctx context.Context) error {
	name, holder, ttl := "whatsapp:"+w.cli.Store.ID.User, w.cfg.Instance, w.cfg.LeaseTTL
	every := ttl / 3
	lease := func() (bool, error) { return w.cfg.Leases.Lease(ctx, name, holder, ttl, w.cfg.Clock.Now()) }
	release := func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := w.cfg.Leases.Release(rctx, name, holder); err != nil {
			w.log.Warn("give up the WhatsApp session's lease", "err", err)
		}
	}
	waiting := false
	for {
		ok, err := lease()
		switch {
		case err != nil && ctx.Err() == nil:
			w.log.Warn("take the WhatsApp session's lease", "err", err)
		case !ok && !waiting:
			w.log.Info("another instance holds the WhatsApp session: standing by", "instance", holder)
			waiting = true
		}
		if !ok {
			if w.cfg.Clock.Sleep(ctx, every) != nil {
				return nil
			}
			continue
		}
		waiting = false
		w.log.Info("this instance holds the WhatsApp session", "instance", holder)
		if err := w.dial(ctx); err != nil {
			release()
			return fmt.Errorf("whatsapp: connect: %w", err)
		}
		renewed := w.cfg.Clock.Now()
		for held := true; held; {
			if w.cfg.Clock.Sleep(ctx, every) != nil {
				w.hangUp()
				release()
				return nil
			}
			ok, err := lease()
			switch {
			case err == nil && ok:
				renewed = w.cfg.Clock.Now()
			case err == nil:
				w.log.Warn("another instance took the WhatsApp session's lease: disconnecting", "instance", holder)
				held = false
			case w.cfg.Clock.Now().Sub(renewed) >= ttl-every:
				// Before it could lapse: another instance may take it then.
				w.log.Warn("cannot renew the WhatsApp session's lease: disconnecting", "instance", holder, "err", err)
				held = false
			default:
				w.log.Warn("renew the WhatsApp session's lease", "err", err)
			}
		}
		w.hangUp()
	}
}

// hangUp disconnects from WhatsApp on purpose (whatsmeow says nothing of
// a disconnection asked for): nothing is sent until the next connection.
func (w *WhatsApp) hangUp() {
	w.cli.Disconnect()
	w.mu.Lock()
	w.connected = false
	w.mu.Unlock()
}
