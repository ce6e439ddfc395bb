package main

import (
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/botapifake"
)

// TestSecretsNeverLeave runs the built binary against a Telegram that fails
// every way a call can (a refused connection, a TLS failure, a proxy's
// 502 page, a 401, a connection closed mid-answer), with a member's
// message waiting to be answered, and then reads the bytes of the log, of
// every file in the data folder and of every dashboard page for the bot's
// token, the webhook secret and the dashboard's token.
func TestSecretsNeverLeave(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const (
		token      = "7403281119:AAH-x_9fQz3kLmNoPqRsTuVwXyZ012345678"
		webhook    = "hook-secret-4b1d9e0c7a"
		staffToken = "staff-token-0e9c1f55aa"
	)
	dir := t.TempDir()
	port := freePort(t)
	env := func(endpoint string) []string {
		return []string{
			"HUDDLE_DATABASE=" + filepath.Join(dir, "huddle.db"),
			fmt.Sprintf("HUDDLE_HTTP_LISTEN=127.0.0.1:%d", port),
			"HUDDLE_HTTP_TOKEN=" + staffToken,
			"HUDDLE_CHANNELS_TELEGRAM_ENABLED=true",
			"HUDDLE_CHANNELS_TELEGRAM_TOKEN=" + token,
			"HUDDLE_CHANNELS_TELEGRAM_WEBHOOK_SECRET=" + webhook,
			"HUDDLE_CHANNELS_TELEGRAM_API_ENDPOINT=" + endpoint,
			"HUDDLE_LOG_LEVEL=debug",
		}
	}
	var logs strings.Builder
	waitLog := func(p *proc, re string) {
		t.Helper()
		testkit.Eventually(t, 30*time.Second, "a log line matching "+re, func() bool { return (regexp.MustCompile(re).MatchString(p.log.String())) }, p.log.String)
	}
	stop := func(p *proc) {
		t.Helper()
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
		logs.WriteString(p.log.String())
	}

	// Telegram out of reach: nothing listens; then a certificate no one
	// trusts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()
	p := startHuddle(t, env(refused))
	waitLog(p, `cannot reach Telegram.*connection refused`)
	stop(p)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	p = startHuddle(t, env(tlsSrv.URL))
	waitLog(p, `cannot reach Telegram.*certificate`)
	stop(p)

	// Telegram reached, then failing every send while a member waits for
	// an answer.
	fake := botapifake.Start(t, botapifake.Config{Token: token})
	p = startHuddle(t, env(fake.URL))
	waitLog(p, "dashboard ready")
	fake.Fail("sendMessage", botapifake.Failure{Status: http.StatusBadGateway, ContentType: "text/html",
		Body: "<html><h1>502 Bad Gateway</h1><p>POST /bot" + token + "/sendMessage</p></html>"})
	fake.Send(botapifake.Chat{ID: 31}, botapifake.User{ID: 31, Name: "Amina"}, "/start")
	waitLog(p, `send failed; will retry.*invalid character`)
	fake.Fail("sendMessage", botapifake.Failure{Status: http.StatusUnauthorized, ContentType: "application/json",
		Body: `{"ok":false,"error_code":401,"description":"Unauthorized"}`})
	waitLog(p, `send failed; will retry.*Unauthorized`)
	fake.Fail("sendMessage", botapifake.Failure{Close: true})
	waitLog(p, `send failed; will retry.*EOF`)

	// Every dashboard page, as staff see it.
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	pages := crawl(t, base, "/dashboard/", staffToken, 60)
	t.Logf("%d dashboard pages", len(pages))
	if len(pages) < 5 {
		t.Fatalf("crawled %d dashboard pages; want more", len(pages))
	}
	stop(p)

	check := func(where string, data []byte) {
		t.Helper()
		for _, secret := range []string{token, strings.Split(token, ":")[1], webhook, staffToken} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds the secret %q", where, secret)
			}
		}
	}
	check("the log", []byte(logs.String()))
	for path, body := range pages {
		check("page "+path, body)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			check(f, data)
		}
	}
	if !strings.Contains(logs.String(), "<token>") {
		t.Errorf("the log never names the masked token; were the URLs logged at all?\n%s", logs.String())
	}
}

// crawl fetches the pages below start, following the links on each (the
// dashboard's are relative), up to most pages, with the staff's token; it
// returns each page's body by path and query.
func crawl(t *testing.T, base, start, token string, most int) map[string][]byte {
	t.Helper()
	link := regexp.MustCompile(`href="([^"#]*)"`)
	seen := map[string][]byte{}
	queue := []string{start}
	for len(queue) > 0 && len(seen) < most {
		path := queue[0]
		queue = queue[1:]
		if _, ok := seen[path]; ok {
			continue
		}
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		seen[path] = body
		here, _ := url.Parse(path)
		for _, m := range link.FindAllSubmatch(body, -1) {
			ref, err := url.Parse(html.UnescapeString(string(m[1])))
			if err != nil {
				continue
			}
			next := here.ResolveReference(ref)
			if next.Host == "" && strings.HasPrefix(next.Path, "/dashboard/") {
				queue = append(queue, next.RequestURI())
			}
		}
	}
	return seen
}
