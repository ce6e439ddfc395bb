// Package npmtest installs the pinned Node packages some tests use (the
// Telegram emulator, the xAPI validator), once, with npm ci. Without node
// or npm those tests are skipped, except under CI=true, where they fail.
package npmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// Unavailable skips the test, or fails it under CI, saying what is
// missing.
func Unavailable(t testing.TB, what, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: %s (CI needs it)", what, msg)
	}
	t.Skipf("%s: %s; install Node.js and npm to run this test", what, msg)
}

// Install makes sure the Node package in dir has its dependencies, running
// npm ci once under a file lock (test packages run in parallel). probe is
// the dependency whose folder under node_modules shows it is installed.
func Install(t testing.TB, what, dir, probe string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		Unavailable(t, what, "node not found")
	}
	installed := filepath.Join(dir, "node_modules", probe)
	if _, err := os.Stat(installed); err == nil {
		return
	}
	if _, err := exec.LookPath("npm"); err != nil {
		Unavailable(t, what, "npm not found")
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".install.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(installed); err == nil {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		Unavailable(t, what, "npm ci failed: %v\n%s", err, out)
	}
}
