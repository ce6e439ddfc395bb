package telegram

import (
	"context"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// pollInTurn long-polls while this instance holds the lease name, and
// stands by while another does. The holder renews it every LeaseTTL/3
// and stops polling once it could not renew for longer than that, before
// the lease could lapse and another begin: Telegram would refuse one of
// two pollers (409) and updates would be split between them. The poller
// that takes over starts from the updates Telegram has not yet seen
// confirmed; any handled twice are seen once (the router's deduplication).
func (t *Telegram) pollInTurn(ctx context.Context, h bot.Handler, name string) error {
	ttl := t.cfg.LeaseTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	every := ttl / 3
	holder := t.cfg.Instance
	lease := func() (bool, error) { return t.cfg.Leases.Lease(ctx, name, holder, ttl, time.Now()) }
	release := func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := t.cfg.Leases.Release(rctx, name, holder); err != nil {
			t.log.Warn("give up polling Telegram's lease", "err", err)
		}
	}
	waiting := false
	for {
		ok, err := lease()
		if err != nil && ctx.Err() == nil {
			t.log.Warn("take polling Telegram's lease", "err", err)
		}
		if !ok {
			if !waiting {
				t.log.Info("another instance long-polls Telegram: standing by", "instance", holder)
				waiting = true
			}
			if !sleep(ctx, every) {
				return nil
			}
			continue
		}
		waiting = false
		t.log.Info("this instance long-polls Telegram", "instance", holder)
		pctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- t.poll(pctx, h) }()
		renewed := time.Now()
		for held := true; held; {
			select {
			case <-ctx.Done():
				stop()
				<-done
				release()
				return nil
			case err := <-done:
				stop()
				release()
				return err
			case <-time.After(every):
			}
			switch ok, err := lease(); {
			case ok:
				renewed = time.Now()
			case err == nil:
				held = false // another instance has it
			case time.Since(renewed) > ttl-every:
				held = false // it may lapse before the next try
			}
		}
		t.log.Warn("stopped long-polling Telegram: the lease went to another instance or could not be renewed", "instance", holder)
		stop()
		<-done
	}
}
