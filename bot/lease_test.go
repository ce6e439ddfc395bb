package bot_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
)

// hanging is a lease store that grants the first call and then hangs, as a
// database that stopped answering does, until the caller gives up.
type hanging struct{ calls atomic.Int32 }

func (h *hanging) Lease(ctx context.Context, _, _ string, _ time.Duration, _ time.Time) (bool, error) {
	if h.calls.Add(1) == 1 {
		return true, nil
	}
	<-ctx.Done()
	return false, ctx.Err()
}

func (*hanging) Release(context.Context, string, string) error { return nil }

// TestLeaseRenewalBounded: when the database stops answering a renewal,
// the work is stopped before the lease could lapse (another instance may
// take it then), instead of going on while the call hangs.
func TestLeaseRenewalBounded(t *testing.T) {
	leases := &hanging{}
	hold := bot.LeaseHold{Leases: leases, Name: "whatsapp:1", Holder: "huddle-1", TTL: 300 * time.Millisecond,
		What: "the session", Clock: bot.SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var working, stopped atomic.Bool
	go hold.Run(ctx, func(ctx context.Context) error {
		working.Store(true)
		<-ctx.Done()
		stopped.Store(true)
		return nil
	})
	testkit.Eventually(t, 5*time.Second, "the work to start", working.Load)
	testkit.Eventually(t, 5*time.Second, "the work stopped while the renewal hangs", stopped.Load)
	if n := leases.calls.Load(); n < 2 {
		t.Errorf("%d lease calls; want the renewals tried", n)
	}
}
