package telegram

import (
	"context"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// pollInTurn long-polls while this instance holds the lease name (see
// bot.LeaseHold: renewed every third of LeaseTTL, dropped before it could
// lapse), and stands by while another does: Telegram would refuse one of
// two pollers (409) and updates would be split between them. The poller
// that takes over starts from the updates Telegram has not yet seen
// confirmed; any handled twice are seen once (the router's deduplication).
func (t *Telegram) pollInTurn(ctx context.Context, h bot.Handler, name string) error {
	ttl := t.cfg.LeaseTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	hold := bot.LeaseHold{Leases: t.cfg.Leases, Name: name, Holder: t.cfg.Instance, TTL: ttl,
		What: "Telegram's long polling", Clock: bot.SystemClock{}, Logger: t.log}
	return hold.Run(ctx, func(ctx context.Context) error { return t.poll(ctx, h) })
}
