package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLease: one holder at a time; renewing keeps it; a lapsed lease goes
// to whoever asks; a released one at once; and of many asking together,
// exactly one gets a free lease.
func TestLease(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	const ttl = 30 * time.Second
	steps := []struct {
		holder string
		at     time.Duration
		want   bool
	}{
		{"a", 0, true},
		{"b", 10 * time.Second, false}, // a holds it
		{"a", 20 * time.Second, true},  // renewed to 50 s
		{"b", 45 * time.Second, false},
		{"b", 50 * time.Second, true}, // a let it lapse
		{"a", 55 * time.Second, false},
	}
	for _, s := range steps {
		got, err := db.Lease(ctx, "whatsapp", s.holder, ttl, now.Add(s.at))
		if err != nil || got != s.want {
			t.Fatalf("%s at %v: %v, %v; want %v", s.holder, s.at, got, err, s.want)
		}
	}
	if err := db.Release(ctx, "whatsapp", "a"); err != nil { // not a's: nothing
		t.Fatal(err)
	}
	if got, _ := db.Lease(ctx, "whatsapp", "a", ttl, now.Add(56*time.Second)); got {
		t.Fatal("a released b's lease")
	}
	if err := db.Release(ctx, "whatsapp", "b"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Lease(ctx, "whatsapp", "a", ttl, now.Add(57*time.Second)); !got {
		t.Fatal("a did not get a released lease")
	}

	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := db.Lease(ctx, "race", string(rune('A'+i)), ttl, now); err == nil && ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d of 20 got one free lease", won.Load())
	}
}
