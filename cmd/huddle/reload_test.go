package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
)

// lessonYAML is a one-step lesson with id.
func lessonYAML(id string) []byte {
	return []byte(fmt.Sprintf("id: %s\ntitle: \"%s\"\nsteps:\n  - say: \"Hello from %s.\"\n", id, id, id))
}

// lessonsSaid asks the running huddle at addr for /lessons privately and
// returns the answer.
func lessonsSaid(t *testing.T, addr string) string {
	t.Helper()
	body := `{"chat":"dm-amina","chat_type":"direct","sender":"amina","name":"Amina","text":"/lessons"}`
	var posted struct {
		Seq   int64
		Error string
	}
	// The simulator refuses a message (503) until its channel runs,
	// which may be a moment after the log says huddle is running.
	testkit.Eventually(t, 10*time.Second, "the simulator to take /lessons", func() bool {
		resp := probeReq{method: "POST", path: "/api/messages", header: map[string]string{"Content-Type": jsonType}, body: body}.do(t, "http://"+addr)
		defer resp.Body.Close()
		posted.Error = ""
		json.NewDecoder(resp.Body).Decode(&posted)
		return resp.StatusCode == http.StatusOK && posted.Seq > 0
	}, func() string { return posted.Error })
	var said string
	testkit.Eventually(t, 10*time.Second, "an answer to /lessons", func() bool {
		resp := probeReq{path: fmt.Sprintf("/api/messages?chat=dm-amina&after=%d", posted.Seq)}.do(t, "http://"+addr)
		defer resp.Body.Close()
		var msgs []struct {
			Text string
			Bot  bool
		}
		json.NewDecoder(resp.Body).Decode(&msgs)
		for _, m := range msgs {
			if m.Bot {
				said = m.Text
				return true
			}
		}
		return false
	})
	return said
}

// eventually waits until /lessons says want.
func eventually(t *testing.T, p *proc, addr, what, want string) {
	t.Helper()
	var got string
	testkit.Eventually(t, 15*time.Second, fmt.Sprintf("%s: /lessons saying %q", what, want), func() bool {
		got = lessonsSaid(t, addr)
		return strings.Contains(got, want)
	}, func() string { return fmt.Sprintf("it says %q\n%s", got, p.log) })
}

// TestLessonsFolderSwapped: the lessons folder replaced as deploys replace
// it (the old one moved away and a new one renamed in; a symbolic link
// flipped to a new release) is followed: its lessons are read, and so are
// later edits in it.
func TestLessonsFolderSwapped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	root := t.TempDir()
	write := func(dir, id string) {
		t.Helper()
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, id+".yaml"), lessonYAML(id), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("renamed over", func(t *testing.T) {
		dir := filepath.Join(root, "renamed", "lessons")
		write(dir, "first-release")
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		p := serving(t, "HUDDLE_HTTP_LISTEN="+addr, "HUDDLE_LESSONS="+dir, "HUDDLE_PRIVACY_CONSENT_ASK=false")
		eventually(t, p, addr, "at start", "first-release")
		next := filepath.Join(root, "renamed", "lessons.new")
		write(next, "second-release")
		if err := os.Rename(dir, dir+".old"); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(next, dir); err != nil {
			t.Fatal(err)
		}
		eventually(t, p, addr, "after the swap", "second-release")
		write(dir, "edited-after")
		eventually(t, p, addr, "an edit in the new folder", "edited-after")
	})
	t.Run("link flipped", func(t *testing.T) {
		releases := filepath.Join(root, "linked", "releases")
		write(filepath.Join(releases, "v1"), "release-one")
		write(filepath.Join(releases, "v2"), "release-two")
		dir := filepath.Join(root, "linked", "lessons")
		if err := os.Symlink(filepath.Join(releases, "v1"), dir); err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		p := serving(t, "HUDDLE_HTTP_LISTEN="+addr, "HUDDLE_LESSONS="+dir, "HUDDLE_PRIVACY_CONSENT_ASK=false")
		eventually(t, p, addr, "at start", "release-one")
		// As ln -sfn does atomically: a new link renamed over the old.
		tmp := dir + ".tmp"
		if err := os.Symlink(filepath.Join(releases, "v2"), tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			t.Fatal(err)
		}
		eventually(t, p, addr, "after the flip", "release-two")
		write(filepath.Join(releases, "v2"), "edited-in-two")
		eventually(t, p, addr, "an edit in the new release", "edited-in-two")
	})
}

// TestSIGHUPWithoutLessonsFolder: huddle started without its lessons
// folder runs the built-in lessons, lives through SIGHUP, and reads the
// folder once it is made.
func TestSIGHUPWithoutLessonsFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := filepath.Join(t.TempDir(), "lessons")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p := serving(t, "HUDDLE_HTTP_LISTEN="+addr, "HUDDLE_LESSONS="+dir, "HUDDLE_PRIVACY_CONSENT_ASK=false")
	eventually(t, p, addr, "at start", "hand-hygiene")
	for range 3 {
		p.cmd.Process.Signal(syscall.SIGHUP)
		time.Sleep(100 * time.Millisecond)
	}
	if p.cmd.ProcessState != nil {
		t.Fatalf("SIGHUP ended huddle:\n%s", p.log)
	}
	eventually(t, p, addr, "after SIGHUP", "hand-hygiene")
	if !strings.Contains(p.log.String(), "SIGHUP: reloading the lessons") {
		t.Errorf("SIGHUP was not logged:\n%s", p.log)
	}
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "made-later.yaml"), lessonYAML("made-later"), 0o644)
	p.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, p, addr, "the folder made later", "made-later")
}
