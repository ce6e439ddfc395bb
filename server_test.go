package huddle_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
)

// TestConnectionsBounded probes the web server with 300 idle kept-alive
// connections, 50 that send half a request's headers and 20 that send
// headers and half a body: each is closed by the server within its
// bound, and the server still answers afterwards. (The bounds are short
// here; huddle run's are HTTPLimits' defaults.)
func TestConnectionsBounded(t *testing.T) {
	limits := huddle.HTTPLimits{Header: 500 * time.Millisecond, Read: time.Second, Write: 2 * time.Second, Idle: time.Second}
	app := run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{sim.New(nil)},
		Listen: "127.0.0.1:0", NoConsent: true, Logger: quiet, Tuning: huddle.Tuning{HTTP: limits}})
	addr := strings.TrimPrefix(app.URL(), "http://")
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	type probe struct {
		kind string
		conn net.Conn
	}
	var probes []probe
	for range 300 {
		c := dial()
		// One request answered, then nothing: a kept-alive idle
		// connection.
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		probes = append(probes, probe{"idle", c})
	}
	for range 50 {
		c := dial()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\nX-Slow: ")
		probes = append(probes, probe{"half-sent headers", c})
	}
	for range 20 {
		c := dial()
		io.WriteString(c, "POST /api/messages HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"chat\":")
		probes = append(probes, probe{"half-sent body", c})
	}
	// Each must be closed by the server: an unbounded one would keep
	// them until this test's own deadline, far past every bound.
	var wg sync.WaitGroup
	held := make([]bool, len(probes))
	for i, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.conn.SetReadDeadline(time.Now().Add(limits.Read + 10*time.Second))
			// Read until the server closes (a 408 or 400 may come first).
			_, err := io.Copy(io.Discard, p.conn)
			var ne net.Error
			held[i] = errors.As(err, &ne) && ne.Timeout()
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for i, p := range probes {
		if held[i] {
			count[p.kind]++
		}
	}
	for kind, n := range count {
		t.Errorf("%d %s connections were never closed by the server", n, kind)
	}
	resp, err := http.Get(app.URL() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the probe: %v %v", resp, err)
	}
	resp.Body.Close()
}
