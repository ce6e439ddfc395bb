package testkit

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fatal records a test's failure instead of failing it.
type fatal struct {
	testing.TB
	msg string
}

func (f *fatal) Helper()           {}
func (f *fatal) Fatal(args ...any) { f.msg = args[0].(string); panic(f) }

// TestEventually: a condition that comes true ends the wait; one that
// never does fails it, saying what was awaited and what was seen.
func TestEventually(t *testing.T) {
	var n atomic.Int32
	Eventually(t, time.Second, "the third look", func() bool { return n.Add(1) >= 3 })
	f := &fatal{TB: t}
	func() {
		defer func() { recover() }()
		Eventually(f, 20*time.Millisecond, "a miracle", func() bool { return false }, func() string { return "saw nothing" })
	}()
	if !strings.Contains(f.msg, "for a miracle") || !strings.Contains(f.msg, "saw nothing") {
		t.Errorf("failure %q; want what was awaited and seen", f.msg)
	}
}
