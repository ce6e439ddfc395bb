package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/filelock"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/store"
)

// TestStopsCleanly sends SIGTERM and SIGINT to a running huddle: it stops
// within seconds with status 0 and says so.
func TestStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			p := startHuddle(t, []string{"HUDDLE_DATABASE=" + filepath.Join(dir, "h.db"), "HUDDLE_HTTP_LISTEN=127.0.0.1:0"})
			testkit.Eventually(t, 20*time.Second, "huddle to start", func() bool {
				return strings.Contains(p.log.String(), "huddle is running")
			}, p.log.String)
			start := time.Now()
			p.cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- p.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("exit: %v\n%s", err, p.log)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("still running 5s after %s", sig)
			}
			if !strings.Contains(p.log.String(), "huddle stopped") {
				t.Errorf("no clean stop in the log:\n%s", p.log)
			}
			t.Logf("stopped %s after %s", sig, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestWhatsAppUnpaired starts huddle with WhatsApp enabled but never
// paired: the simulator starts all the same, and the log says how to pair.
func TestWhatsAppUnpaired(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	p := startHuddle(t, []string{"HUDDLE_DATABASE=" + filepath.Join(dir, "h.db"), "HUDDLE_HTTP_LISTEN=127.0.0.1:0",
		"HUDDLE_CHANNELS_WHATSAPP_ENABLED=true", "HUDDLE_CHANNELS_WHATSAPP_SESSION_DB=" + filepath.Join(dir, "wa.db")})
	testkit.Eventually(t, 20*time.Second, "huddle to start and say WhatsApp is not paired", func() bool {
		return strings.Contains(p.log.String(), "huddle is running") && strings.Contains(p.log.String(), "not paired")
	}, p.log.String)
	log := p.log.String()
	// With a real channel and no mentor queue, a warning (issue 14, point 4);
	// the simulator's personas play no mentor beside a real channel.
	if strings.Contains(log, "Dr Otieno is a mentor") {
		t.Errorf("the simulator's personas play mentor beside WhatsApp:\n%s", log)
	}
	for _, want := range []string{"simulator ready", "channels=2", "not paired", "huddle whatsapp pair", "no mentor queue is set up"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	// The dashboard says so too.
	if m := regexp.MustCompile(`dashboard ready" url=(\S+)`).FindStringSubmatch(log); m == nil {
		t.Error("no dashboard address in the log")
	} else if resp, err := http.Get(m[1]); err != nil {
		t.Error(err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "whatsapp</b>: stopped: whatsapp is not paired") {
			t.Errorf("the dashboard does not say WhatsApp is not paired:\n%s", body)
		}
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.log)
	}
}

// TestDashboardNeedsToken starts huddle listening beyond loopback with a
// token: the dashboard refuses a request without it and serves one with it.
func TestDashboardNeedsToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	p := startHuddle(t, []string{"HUDDLE_DATABASE=" + filepath.Join(dir, "h.db"),
		fmt.Sprintf("HUDDLE_HTTP_LISTEN=0.0.0.0:%d", port), "HUDDLE_HTTP_TOKEN=s3cret-staff-token"})
	testkit.Eventually(t, 20*time.Second, "huddle to start", func() bool { return (strings.Contains(p.log.String(), "dashboard ready")) }, p.log.String)
	url := fmt.Sprintf("http://127.0.0.1:%d/dashboard/", port)
	get := func(auth string) int {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(""); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d; want 401", code)
	}
	if code := get("wrong"); code != http.StatusUnauthorized {
		t.Errorf("with a wrong token: %d; want 401", code)
	}
	if code := get("s3cret-staff-token"); code != http.StatusOK {
		t.Errorf("with the token: %d; want 200", code)
	}
}

// TestUnwritableDatabase: a database the process cannot write is refused
// at start, naming its path, instead of failing on the first message. As
// root (who may write anything), huddle runs as nobody for the test.
func TestUnwritableDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, err := os.MkdirTemp("", "huddle-ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700); os.RemoveAll(dir) })
	path := filepath.Join(dir, "h.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	bin := build(t)
	cmd := exec.Command(bin, "run")
	if os.Geteuid() == 0 {
		// nobody must reach the binary and read the database, not write it.
		binDir := filepath.Join(dir, "bin")
		os.Mkdir(binDir, 0o755)
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(binDir, "huddle"), data, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(filepath.Join(binDir, "huddle"), "run")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		os.Chmod(path, 0o644)
		os.Chmod(dir, 0o755)
	} else {
		os.Chmod(path, 0o444)
		os.Chmod(dir, 0o555)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HUDDLE_DATABASE="+path, "HUDDLE_HTTP_LISTEN=")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("huddle ran on a database it cannot write:\n%s", out)
	}
	if !strings.Contains(string(out), path+" cannot be written") {
		t.Errorf("the refusal does not name the database:\n%s", out)
	}
}

// TestLessonsReloaded: a lesson file added to the lessons folder of a
// running huddle is picked up without a restart; a file broken by an edit
// is refused with its problems logged, and its lesson keeps its last good
// version; SIGHUP reloads too, and so does a change to a picture.
func TestLessonsReloaded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	lessonsDir := filepath.Join(dir, "lessons")
	os.Mkdir(lessonsDir, 0o755)
	good, _ := os.ReadFile("../../lessons/hand-hygiene.yaml")
	os.WriteFile(filepath.Join(lessonsDir, "hand-hygiene.yaml"), good, 0o644)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	// The folder's lessons alone, so that a lesson added shows.
	p := serving(t, "HUDDLE_HTTP_LISTEN="+addr, "HUDDLE_LESSONS="+lessonsDir, "HUDDLE_PRIVACY_CONSENT_ASK=false", "HUDDLE_BUILTIN_LESSONS=false")
	lessonsList := func() string { t.Helper(); return lessonsSaid(t, addr) }
	waitLog := func(n int) {
		t.Helper()
		testkit.Eventually(t, 10*time.Second, fmt.Sprintf("reload %d", n), func() bool { return strings.Count(p.log.String(), "lessons reloaded") >= n }, p.log.String)
	}
	if got := lessonsList(); !strings.Contains(got, "hand-hygiene") || strings.Contains(got, "pph-first-hour") {
		t.Fatalf("at start /lessons says %q", got)
	}

	// Files are put in place whole, as editors save them (a temporary
	// file renamed over): each change is one reload, however busy the
	// machine (a file written in two steps can be read empty first).
	put := func(name string, data []byte) {
		t.Helper()
		tmp := filepath.Join(lessonsDir, "."+name+".tmp")
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(lessonsDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	pph, _ := os.ReadFile("../../lessons/pph-first-hour.yaml")
	put("pph-first-hour.yaml", pph)
	waitLog(1)
	if got := lessonsList(); !strings.Contains(got, "pph-first-hour") {
		t.Errorf("after adding a file /lessons says %q", got)
	}

	broken := strings.Replace(string(good), "steps:", "colour: blue\nsteps:", 1)
	put("hand-hygiene.yaml", []byte(broken))
	waitLog(2)
	if !strings.Contains(p.log.String(), `hand-hygiene.yaml:`) || !strings.Contains(p.log.String(), `unknown key \"colour\"`) {
		t.Errorf("the broken file's problem is not logged as file:line:\n%s", p.log)
	}
	if got := lessonsList(); !strings.Contains(got, "hand-hygiene") {
		t.Errorf("the lesson whose file broke is gone: %q", got)
	}

	p.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(3)
	if !strings.Contains(p.log.String(), "SIGHUP: reloading the lessons") {
		t.Errorf("SIGHUP did not reload:\n%s", p.log)
	}
	// A lesson's picture changed: read again too.
	os.WriteFile(filepath.Join(lessonsDir, "rdt.png"), []byte("a new picture"), 0o644)
	waitLog(4)
}

// TestWhatsAppSessionInUse: a session file another process holds (another
// instance sharing it) leaves this instance running its other channels,
// with a warning that says how several instances share a session, instead
// of exiting.
func TestWhatsAppSessionInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	session := filepath.Join(dir, "wa.db")
	os.WriteFile(session, nil, 0o600)
	lock, err := filelock.Lock(session) // as the other process holds it
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	p := startHuddle(t, []string{"HUDDLE_DATABASE=" + filepath.Join(dir, "h.db"), "HUDDLE_HTTP_LISTEN=127.0.0.1:0",
		"HUDDLE_CHANNELS_WHATSAPP_ENABLED=true", "HUDDLE_CHANNELS_WHATSAPP_SESSION_DB=" + session})
	testkit.Eventually(t, 20*time.Second, "huddle to start without WhatsApp", func() bool {
		return strings.Contains(p.log.String(), "huddle is running")
	}, p.log.String)
	log := p.log.String()
	for _, want := range []string{"in use by another process", "runs without WhatsApp", "channels.whatsapp.session_db", "channels=1"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}
