//go:build unix

package privfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestPrepare(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which leaves files readable by all
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "sub", "huddle.db")
	if err := Prepare(path); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700, filepath.Join(dir, "data"): 0o700} {
		info, err := os.Stat(p)
		if err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, info.Mode().Perm(), err, want)
		}
	}
	// A file that exists keeps its content and loses others' access.
	loose := filepath.Join(dir, "loose.db")
	os.WriteFile(loose, []byte("kept"), 0o644)
	if err := Prepare(loose); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(loose)
	data, _ := os.ReadFile(loose)
	if info.Mode().Perm() != 0o600 || string(data) != "kept" {
		t.Errorf("existing file: mode %v, content %q", info.Mode().Perm(), data)
	}
}
