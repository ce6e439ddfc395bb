//go:build unix

package filelock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestLockIsExclusive takes the lock here and asks a second process (this
// test binary again) to take it: flock locks are per open file, so the
// second attempt must fail with ErrLocked until the first is closed.
func TestLockIsExclusive(t *testing.T) {
	if path := os.Getenv("FILELOCK_CHILD"); path != "" {
		if _, err := Lock(path); errors.Is(err, ErrLocked) {
			os.Exit(3)
		} else if err != nil {
			os.Exit(4)
		}
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "x.db")
	child := func() int {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockIsExclusive$")
		cmd.Env = append(os.Environ(), "FILELOCK_CHILD="+path)
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	f, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if code := child(); code != 3 {
		t.Fatalf("second process while locked: exit %d, want 3 (ErrLocked)", code)
	}
	f.Close()
	if code := child(); code != 0 {
		t.Fatalf("second process after unlock: exit %d, want 0", code)
	}
}
