package bot

import (
	"context"
	"log/slog"
	"time"
)

// Waiter is a Clock that also waits: SystemClock, or a test's fake.
type Waiter interface {
	Clock
	// Sleep waits d, or until ctx ends (returning its error).
	Sleep(ctx context.Context, d time.Duration) error
}

// LeaseHold runs work that one instance of several sharing a database
// may do at a time (a WhatsApp number's session, Telegram's long
// polling), while this instance holds the lease Name.
type LeaseHold struct {
	Leases Leases
	// Name is the lease's; Holder this instance's name.
	Name, Holder string
	// TTL is how long the lease lasts unrenewed; it is renewed every
	// third of it.
	TTL time.Duration
	// What names what the lease holds, for the log ("the WhatsApp
	// session").
	What   string
	Clock  Waiter
	Logger *slog.Logger
}

// Run waits for the lease, runs work while it holds it, renewing it, and
// stops work (ending its context) when another instance took the lease
// or when it could not be renewed for so long that it may lapse before
// the next try: two instances never do the work at once. Then it waits
// for the lease again. It returns when ctx ends, giving the lease up for
// the next instance, or with work's error when work fails by itself.
func (h LeaseHold) Run(ctx context.Context, work func(ctx context.Context) error) error {
	every := h.TTL / 3
	// Each call is bounded: a database that hangs must not hold the
	// renewals past the lease's time while the work goes on.
	lease := func() (bool, error) {
		lctx, cancel := context.WithTimeout(ctx, every)
		defer cancel()
		return h.Leases.Lease(lctx, h.Name, h.Holder, h.TTL, h.Clock.Now())
	}
	release := func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Leases.Release(rctx, h.Name, h.Holder); err != nil {
			h.Logger.Warn("give up the lease of "+h.What, "err", err)
		}
	}
	waiting := false
	for {
		ok, err := lease()
		switch {
		case err != nil && ctx.Err() == nil:
			h.Logger.Warn("take the lease of "+h.What, "err", err)
		case !ok && !waiting:
			h.Logger.Info("another instance holds "+h.What+": standing by", "instance", h.Holder)
			waiting = true
		}
		if !ok {
			if h.Clock.Sleep(ctx, every) != nil {
				return nil
			}
			continue
		}
		waiting = false
		h.Logger.Info("this instance holds "+h.What, "instance", h.Holder)
		wctx, stop := context.WithCancel(ctx)
		// awake ends the waits between renewals when work returns.
		awake, wake := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- work(wctx); wake() }()
		renewed := h.Clock.Now()
		for held := true; held; {
			if h.Clock.Sleep(awake, every) != nil {
				stop()
				err := <-done
				release()
				if ctx.Err() != nil {
					return nil
				}
				return err // work ended by itself
			}
			ok, err := lease()
			switch {
			case err == nil && ok:
				renewed = h.Clock.Now()
			case err == nil:
				h.Logger.Warn("another instance took the lease of "+h.What+": stopping", "instance", h.Holder)
				held = false
			case h.Clock.Now().Sub(renewed) >= h.TTL-every:
				// Before it could lapse: another instance may take it then.
				h.Logger.Warn("cannot renew the lease of "+h.What+": stopping", "instance", h.Holder, "err", err)
				held = false
			default:
				h.Logger.Warn("renew the lease of "+h.What, "err", err)
			}
		}
		stop()
		<-done
	}
}

// Orphan is a chat with work waiting (messages or timers due) whose
// lease no instance holds: its lease's name and its
// channel.
type Orphan struct {
	Lease, Channel string
}
