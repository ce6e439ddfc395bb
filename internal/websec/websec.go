// Package websec hardens Huddle's web server (the simulator and the
// dashboard) against the browser-borne attacks a local or staff-facing
// server meets: other sites posting to it (cross-site requests), other
// names resolving to it (DNS rebinding), framing, leaking addresses
// through the Referer, sniffing content types, and guessing a token.
package websec

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/huddlebot/huddle/internal/lograte"
	"golang.org/x/time/rate"
)

// MinToken is the shortest token the server accepts, as for Telegram's
// webhook secret.
const MinToken = 16

// CookieName is the cookie that keeps a browser's token after it opened a
// page with ?token=.
const CookieName = "huddle_token"

// Config says how the server is reached.
type Config struct {
	// Listen is the address the server listens on (host:port).
	Listen string
	// Token, when set, is required of every request: as a bearer token,
	// or once as ?token=, which then lives in a cookie.
	Token string
	// Logger gets one line a minute per client that gives wrong tokens,
	// with their count; slog.Default() when nil.
	Logger *slog.Logger
}

// Guesses bounds the wrong tokens one client may give: Burst at once,
// then one every Every; past that it is answered 429 with Retry-After,
// and its tokens are not compared at all, right or wrong.
const (
	GuessBurst = 5
	GuessEvery = 12 * time.Second
)

// maxClients bounds the clients whose wrong guesses are remembered.
const maxClients = 4096

// Policy is the Content-Security-Policy of every page: scripts only from
// the server itself (no inline script), no framing, no plugins.
const Policy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler wraps h with the protections, in this order: security headers
// on every answer; on a loopback address, only requests for the listen
// address or localhost (a rebound name is refused); cross-site requests
// that change state refused (net/http's CrossOriginProtection, by
// Sec-Fetch-Site and Origin); a JSON body required of every POST, PUT,
// PATCH and DELETE (a cross-site form cannot send one without the
// browser asking first); the token when one is set.
func Handler(cfg Config, h http.Handler) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h = requireToken(cfg.Token, lograte.New(cfg.Logger, time.Minute, nil), h)
	h = requireJSON(h)
	h = http.NewCrossOriginProtection().Handler(h)
	if host, port, err := net.SplitHostPort(cfg.Listen); err == nil && IsLoopback(host) {
		h = localOnly(host, port, h)
	}
	return headers(h)
}

// headers sets the security headers on every answer.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", Policy)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// localOnly refuses requests whose Host is not the loopback address the
// server listens on, another loopback address, or localhost, on its port:
// a page on another site whose name an attacker points at 127.0.0.1 (DNS
// rebinding) sends its own name as the Host.
func localOnly(listenHost, port string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, p, err := net.SplitHostPort(r.Host)
		if err != nil {
			host, p = r.Host, "80"
		}
		ok := (host == listenHost || strings.EqualFold(host, "localhost") || IsLoopback(host)) && (p == port || port == "0")
		if !ok {
			http.Error(w, fmt.Sprintf("this server answers only to localhost (the address asked for was %q)", r.Host), http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// requireJSON refuses a state-changing request whose body is not JSON.
func requireJSON(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				http.Error(w, "send the body as JSON, with Content-Type: application/json", http.StatusUnsupportedMediaType)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// requireToken guards h with a token when one is set: as a bearer token
// (Authorization: Bearer TOKEN), or as ?token= on a page, which is then
// kept in a cookie and dropped from the address by a redirect, so it stays
// out of the browser's history and the screen. A client that gives wrong
// tokens is slowed down (GuessBurst, GuessEvery) and logged once a minute.
func requireToken(token string, warn *lograte.Limiter, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	match := func(s string) bool { return subtle.ConstantTimeCompare([]byte(s), []byte(token)) == 1 }
	guesses := &guessers{clients: make(map[string]*rate.Limiter)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fromQuery := q.Get("token")
		var fromCookie, fromHeader string
		if c, err := r.Cookie(CookieName); err == nil {
			fromCookie = c.Value
		}
		if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			fromHeader = strings.TrimSpace(cred)
		}
		client := clientOf(r)
		if (fromQuery != "" || fromCookie != "" || fromHeader != "") && guesses.throttled(client) {
			w.Header().Set("Retry-After", strconv.Itoa(int(GuessEvery/time.Second)))
			http.Error(w, "too many wrong tokens from this address: try again later", http.StatusTooManyRequests)
			return
		}
		switch {
		case fromQuery != "" && match(fromQuery):
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: fromQuery, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				q.Del("token")
				http.Redirect(w, r, samePlace(r.URL, q), http.StatusSeeOther)
				return
			}
			h.ServeHTTP(w, r)
			return
		case fromCookie != "" && match(fromCookie), fromHeader != "" && match(fromHeader):
			h.ServeHTTP(w, r)
			return
		}
		if fromQuery != "" || fromCookie != "" || fromHeader != "" {
			guesses.wrong(client)
			warn.Warn("token:"+client, "wrong web token refused", "client", client)
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="huddle"`)
		http.Error(w, "a token is required: open this page with ?token=…, or send Authorization: Bearer …", http.StatusUnauthorized)
	})
}

// samePlace is the address of u's page on this server with query q: a
// path, never another host (a path starting "//" or "/\\" would be taken
// by the browser as one).
func samePlace(u *url.URL, q url.Values) string {
	p := "/" + strings.TrimLeft(u.EscapedPath(), "/\\")
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// clientOf names the client of r by its address, without the port.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// guessers remembers the wrong tokens of each client, bounded.
type guessers struct {
	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

// throttled reports whether client has used up its guesses.
func (g *guessers) throttled(client string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.clients[client]
	return ok && l.Tokens() < 1
}

// wrong counts a wrong guess of client.
func (g *guessers) wrong(client string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.clients[client]
	if !ok {
		if len(g.clients) >= maxClients {
			// Forget those with every guess back, and if that is not
			// enough, any half.
			for c, l := range g.clients {
				if l.Tokens() >= GuessBurst {
					delete(g.clients, c)
				}
			}
			for c := range g.clients {
				if len(g.clients) <= maxClients/2 {
					break
				}
				delete(g.clients, c)
			}
		}
		l = rate.NewLimiter(rate.Every(GuessEvery), GuessBurst)
		g.clients[client] = l
	}
	l.Allow()
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
