package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/internal/testkit"
)

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serving starts huddle with env (a database in a temporary folder unless
// env gives HUDDLE_DATABASE) and waits until its web server answers.
func serving(t *testing.T, env ...string) *proc {
	t.Helper()
	p := startHuddle(t, append([]string{"HUDDLE_DATABASE=" + filepath.Join(t.TempDir(), "h.db")}, env...))
	testkit.Eventually(t, 30*time.Second, "huddle to start", func() bool { return (strings.Contains(p.log.String(), "dashboard ready")) }, p.log.String)
	return p
}

// probeReq is one request of the probe and what the server must answer.
type probeReq struct {
	name    string
	method  string
	path    string
	host    string            // the Host header; the listen address when empty
	header  map[string]string // more headers
	body    string
	status  int
	contain string // in the body or, for a redirect, the Location
}

func (p probeReq) do(t *testing.T, base string) *http.Response {
	t.Helper()
	method := p.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, base+p.path, strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	if p.host != "" {
		req.Host = p.host
	}
	for k, v := range p.header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", p.name, err)
	}
	return resp
}

func (p probeReq) check(t *testing.T, base string) {
	t.Helper()
	resp := p.do(t, base)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != p.status {
		t.Errorf("%s: %s %s: status %d, want %d (%s)", p.name, p.method, p.path, resp.StatusCode, p.status, strings.TrimSpace(string(body)))
	}
	if p.contain != "" && !strings.Contains(string(body)+resp.Header.Get("Location"), p.contain) {
		t.Errorf("%s: answer lacks %q: %s %s", p.name, p.contain, resp.Header.Get("Location"), body)
	}
	// Every answer carries the security headers.
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %s is %q, want %q", p.name, h, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: Content-Security-Policy %q allows inline script or framing", p.name, csp)
	}
}

const jsonType = "application/json"

// TestWebProbe probes the real server as an attacker would, on loopback
// without a token: security headers on every answer; a rebound name
// (another Host) refused; cross-site posts and non-JSON posts refused
// while the page's own posts work; a dashboard period over the limit
// refused; a group title written as a formula neutralised in the CSV; the
// simulator's memory bounded however much is posted.
func TestWebProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := serving(t, "HUDDLE_HTTP_LISTEN="+addr, "HUDDLE_PRIVACY_CONSENT_ASK=false")
	// The simulator alone: its personas play mentor and staff, so no
	// warning about a missing mentor queue.
	if !strings.Contains(p.log.String(), "Dr Otieno is a mentor") || strings.Contains(p.log.String(), "no mentor queue") {
		t.Errorf("start-up log:\n%s", p.log)
	}
	base := "http://" + addr
	post := `{"chat":"ward-9","chat_type":"group","chat_title":"=HYPERLINK(\"http://evil.example\",\"Ward\")","sender":"amina","name":"Amina","text":"hello"}`
	for _, p := range []probeReq{
		{name: "the page", path: "/", status: 200, contain: "sim.js"},
		{name: "the dashboard", path: "/dashboard/", status: 200},
		{name: "localhost by name", path: "/", host: fmt.Sprintf("localhost:%d", port), status: 200},
		{name: "a rebound name", path: "/", host: fmt.Sprintf("evil.example:%d", port), status: http.StatusMisdirectedRequest},
		{name: "a rebound name, dashboard", path: "/dashboard/overview.csv", host: "evil.example", status: http.StatusMisdirectedRequest},
		{name: "another port", path: "/", host: "127.0.0.1:1", status: http.StatusMisdirectedRequest},
		{name: "a form post (not JSON)", method: "POST", path: "/api/messages", header: map[string]string{"Content-Type": "text/plain"}, body: post, status: http.StatusUnsupportedMediaType},
		{name: "no content type", method: "POST", path: "/api/messages", body: post, status: http.StatusUnsupportedMediaType},
		{name: "cross-site by Sec-Fetch-Site", method: "POST", path: "/api/messages", header: map[string]string{"Content-Type": jsonType, "Sec-Fetch-Site": "cross-site"}, body: post, status: http.StatusForbidden},
		{name: "cross-site by Origin", method: "POST", path: "/api/press", header: map[string]string{"Content-Type": jsonType, "Origin": "https://evil.example"}, body: post, status: http.StatusForbidden},
		{name: "the page's own post", method: "POST", path: "/api/messages", header: map[string]string{"Content-Type": jsonType, "Sec-Fetch-Site": "same-origin", "Origin": base}, body: post, status: 200},
		{name: "a script's post", method: "POST", path: "/api/messages", header: map[string]string{"Content-Type": jsonType}, body: post, status: 200},
		{name: "a period of six years", path: "/dashboard/?from=2020-01-01&to=2026-01-01", status: 400, contain: "longer than 731 days"},
		{name: "a CSV of six years", path: "/dashboard/overview.csv?from=2020-01-01&to=2026-01-01", status: 400},
		{name: "two years", path: "/dashboard/?from=2024-01-01&to=2025-12-31", status: 200},
	} {
		p.check(t, base)
	}

	// The group's title, a formula a member chose, is text in the CSV.
	// Today is asked for as a span of three days: in the program's time
	// zone (Nairobi) it may already be tomorrow.
	now := time.Now()
	from, to := now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)
	resp := probeReq{path: "/dashboard/overview.csv?from=" + from + "&to=" + to}.do(t, base)
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(csv), `"'=HYPERLINK(`) || strings.Contains(string(csv), "\n\"=HYPERLINK") {
		t.Errorf("the CSV does not neutralise the formula:\n%s", csv)
	}

	// Memory: many chats with large messages, posted as fast as the bot
	// takes them, leave the simulator within its bounds.
	big := strings.Repeat("y", 60<<10)
	for i := range sim.MaxChats + 100 {
		body, _ := json.Marshal(map[string]string{"chat": fmt.Sprintf("flood-%d", i), "sender": "x", "text": big})
		resp := probeReq{method: "POST", path: "/api/messages", header: map[string]string{"Content-Type": jsonType}, body: string(body)}.do(t, base)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	resp = probeReq{path: "/api/stats"}.do(t, base)
	var st sim.Stats
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if st.Chats == 0 || st.Chats > sim.MaxChats || st.Bytes > sim.MaxTranscriptBytes || st.Messages > sim.MaxTranscript {
		t.Errorf("after the flood the simulator holds %+v", st)
	}
}

// TestWebProbeWithToken probes the server beyond loopback, with a token:
// nothing without it, the bearer scheme checked, and a token given in the
// address kept in a cookie and dropped from the address.
func TestWebProbeWithToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	port := freePort(t)
	const token = "staff-0123456789abcdef"
	srv := serving(t, fmt.Sprintf("HUDDLE_HTTP_LISTEN=0.0.0.0:%d", port), "HUDDLE_HTTP_TOKEN="+token)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, p := range []probeReq{
		{name: "no token", path: "/dashboard/", status: 401},
		{name: "no token, simulator API", path: "/api/messages", status: 401},
		{name: "a wrong token", path: "/dashboard/", header: map[string]string{"Authorization": "Bearer staff-0123456789abcdeX"}, status: 401},
		{name: "the token under another scheme", path: "/dashboard/", header: map[string]string{"Authorization": "Basic " + token}, status: 401},
		{name: "the token without a scheme", path: "/dashboard/", header: map[string]string{"Authorization": "xxxxxxx" + token}, status: 401},
		{name: "bearer", path: "/dashboard/", header: map[string]string{"Authorization": "Bearer " + token}, status: 200},
		{name: "bearer in lower case", path: "/dashboard/", header: map[string]string{"Authorization": "bearer " + token}, status: 200},
		{name: "any host name beyond loopback", path: "/dashboard/", host: "huddle.example.org", header: map[string]string{"Authorization": "Bearer " + token}, status: 200},
		{name: "a cross-site post with the token", method: "POST", path: "/api/messages", header: map[string]string{"Authorization": "Bearer " + token, "Content-Type": jsonType, "Sec-Fetch-Site": "cross-site"}, body: "{}", status: 403},
	} {
		p.check(t, base)
	}
	// ?token= sets the cookie and redirects to the same page without it.
	resp := probeReq{path: "/dashboard/?from=2026-01-01&token=" + token}.do(t, base)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Has("token") || loc.Query().Get("from") != "2026-01-01" {
		t.Fatalf("?token=: status %d, Location %q; want 303 to the page without the token", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "huddle_token" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v; want an HttpOnly, SameSite=Strict huddle_token", cookie)
	}
	probeReq{name: "the cookie", path: loc.String(), header: map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}, status: 200}.check(t, base)

	// No open redirect: a path that names another host once decoded
	// stays a path on this one.
	for _, path := range []string{"/%2Fevil.example/?token=", "//evil.example/?token=", "/%5Cevil.example/?token=", "/\\evil.example/?token="} {
		resp := probeReq{path: path + token}.do(t, base)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if u, err := url.Parse(loc); err != nil || u.Host != "" || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
			t.Errorf("%s: Location %q leaves the host", path, loc)
		}
	}

	// Guessing: a few wrong tokens, then 429 with Retry-After (even for
	// the right one, from that client), and one log line for them all.
	codes := map[int]int{}
	var retry string
	for range 1000 {
		resp := probeReq{path: "/dashboard/", header: map[string]string{"Authorization": "Bearer guess-0123456789abcdef"}}.do(t, base)
		resp.Body.Close()
		codes[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests {
			retry = resp.Header.Get("Retry-After")
		}
	}
	if codes[401] < 1 || codes[401] > 10 || codes[429] < 990 || retry == "" {
		t.Errorf("1,000 wrong tokens: answers %v, Retry-After %q; want a few 401 then 429 with Retry-After", codes, retry)
	}
	probeReq{name: "the right token while throttled", path: "/dashboard/", header: map[string]string{"Authorization": "Bearer " + token}, status: 429}.check(t, base)
	if n := strings.Count(srv.log.String(), "wrong web token refused"); n != 1 {
		t.Errorf("%d log lines for the wrong tokens; want 1:\n%s", n, srv.log)
	}
}
