// Package testkit holds what Huddle's tests share: the harnesses in its
// sub-packages (an App around a test, the simulator's chats, the Telegram
// emulator and a fake Bot API, PostgreSQL, a headless browser, photos and
// PDFs), and here the waiting helper that replaces sleeps and hand-written
// deadline loops. Nothing but tests imports it (internal/archtest).
package testkit

import (
	"syscall"
	"testing"
	"time"
)

// Eventually waits until cond holds, looking every few milliseconds, and
// fails the test saying what it waited for (and, when describe is given,
// what it saw instead) once timeout has passed.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool, describe ...func() string) {
	t.Helper()
	if Until(timeout, cond) {
		return
	}
	msg := "waited " + timeout.String() + " for " + what
	for _, d := range describe {
		msg += "; " + d()
	}
	t.Fatal(msg)
}

// Until waits until cond holds or timeout passes, looking every few
// milliseconds, and reports whether it held: for a test that then checks
// what it waited for with a message of its own.
func Until(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for wait := time.Millisecond; !cond(); wait = min(2*wait, 20*time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(wait)
	}
	return true
}

// ProcessCPU is the CPU time (user and system) this process has used, for
// benchmarks that report CPU per event.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
