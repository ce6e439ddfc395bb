package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadyzWhenDiskFull runs huddle on a small file system of its own,
// fills the file system, and checks /readyz: not ready, saying why, while
// every write fails; ready again once there is room, with no restart.
func TestReadyzWhenDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount a small tmpfs (CI runs as root): %v %s", err, out)
		}
		t.Skipf("needs to mount a small tmpfs (root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	port := freePort(t)
	p := startHuddle(t, []string{"HUDDLE_DATABASE=" + filepath.Join(dir, "huddle.db"), fmt.Sprintf("HUDDLE_HTTP_LISTEN=127.0.0.1:%d", port),
		"HUDDLE_PRIVACY_CONSENT_ASK=false"})
	t.Cleanup(func() { p.cmd.Process.Signal(syscall.SIGTERM); p.cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	readyz := func() (int, string) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body["reason"]
	}
	say := func(i int) {
		body := fmt.Sprintf(`{"chat":"ward-7","chat_type":"group","chat_title":"Ward 7","sender":"amina","name":"Amina","text":"note %d %s"}`, i, strings.Repeat("x", 2000))
		resp, err := http.Post(base+"/api/messages", "application/json", strings.NewReader(body))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	// Each wait is for something that must come, not for a speed: its
	// bound is generous, as a CI machine running every package at once
	// once took 30 s to start huddle here.
	waitFor := func(what string, want int, act func(i int)) string {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for i := 0; ; i++ {
			code, reason := readyz()
			if code == want {
				return reason
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz never %s: %d %q\n%s", what, code, reason, p.log)
			}
			if act != nil {
				act(i)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("ready at start", 200, nil)

	// Fill the file system.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	filler.Close()
	reason := waitFor("not ready on a full disk", http.StatusServiceUnavailable, say)
	if !strings.Contains(reason, "cannot be written") {
		t.Errorf("/readyz's reason: %q", reason)
	}
	// Room again: ready, without a restart (the store tries a write of
	// its own every few seconds).
	os.Remove(filepath.Join(dir, "filler"))
	waitFor("ready again", 200, nil)
	if p.cmd.ProcessState != nil {
		t.Fatalf("huddle stopped:\n%s", p.log)
	}
}
