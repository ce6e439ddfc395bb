package huddle

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"time"

	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/websec"
	"github.com/huddlebot/huddle/lessons"
)

// HTTPLimits bound what one client of the web server can hold: a
// connection that sends its request slowly, or not at all, or keeps
// itself open idle, is closed, so slow or hostile clients cannot pile up
// connections and memory.
type HTTPLimits struct {
	// Header is the time to send a request's headers (10 s); Read the
	// time to send a whole request, body included (2 min: a member's
	// photo posted to the simulator).
	Header, Read time.Duration
	// Write is the time to send an answer (2 min; the simulator's long
	// poll waits 30 s at most); a page that serves a large file (a
	// video in a lesson's preview) gives itself longer.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request (1 min).
	Idle time.Duration
	// MaxHeaderBytes bounds a request's headers (64 KB).
	MaxHeaderBytes int
}

// server returns the web server for h, within l (defaults filled).
func (l HTTPLimits) server(h http.Handler) *http.Server {
	or := func(d, def time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return def
	}
	maxHeader := l.MaxHeaderBytes
	if maxHeader <= 0 {
		maxHeader = 64 << 10
	}
	return &http.Server{Handler: h,
		ReadHeaderTimeout: or(l.Header, 10*time.Second), ReadTimeout: or(l.Read, 2*time.Minute),
		WriteTimeout: or(l.Write, 2*time.Minute), IdleTimeout: or(l.Idle, time.Minute), MaxHeaderBytes: maxHeader}
}

// web builds the web server's handler and binds its port: each
// WebChannel's routes, and the dashboard.
func (a *App) web() error {
	o := a.opts
	if o.Listen == "" {
		return nil
	}
	// mux serves the webhooks; pages, behind websec's protections.
	mux, pages := http.NewServeMux(), http.NewServeMux()
	mux.Handle("/", websec.Handler(websec.Config{Listen: o.Listen, Token: o.Token, Logger: a.log}, pages))
	// Orchestrators probe without a token: alive, and ready for work.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { health(w, http.StatusOK, "ok", "") })
	mux.HandleFunc("GET /readyz", a.readyz)
	// Certificates are verified by anyone who holds one: no token.
	verify := a.certs.Handler(a.db.Reports().Certificate, a.db.Reports().CertificateNameMatches, a.log)
	mux.Handle("GET /verify", verify)
	mux.Handle("/verify/{code}", verify)
	for _, ch := range a.channels {
		if ch.Web == nil {
			continue
		}
		for _, r := range ch.Web.Routes() {
			if r.Public {
				mux.Handle(r.Pattern, r.Handler)
			} else {
				pages.Handle(r.Pattern, r.Handler)
			}
		}
	}
	var lessonFiles fs.FS = lessons.FS
	label := "the built-in lessons"
	if a.watch != "" {
		lessonFiles, label = flows.Folder(a.watch), a.watch
	}
	a.dash = dashboard.New(dashboard.Config{Reports: a.db.Reports(), RealNames: o.StaffRealNames, MaxDays: o.DashboardMaxDays,
		Location: o.Location, Clock: o.Clock, Channels: a.channelStates, Logger: a.log, Resend: a.resend,
		Lessons: dashboard.FromLibrary(a.host.Library(), ""), Courses: dashboard.CoursesFromLibrary(a.host.Library(), ""), LessonFiles: lessonFiles, LessonsLabel: label, Kinds: a.kinds})
	pages.Handle(dashboard.Path, a.dash.Handler())
	a.handler = mux
	return nil
}

// readyz says whether this instance takes work: it is running (not
// starting, not stopping), its database answers within two seconds, and
// its last write could be kept (store.DB.Writable).
// Channels are not asked: one channel down leaves the others working.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	if !a.ready.Load() {
		health(w, http.StatusServiceUnavailable, "not ready", "starting or stopping")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.db.Reports().Ping(ctx); err != nil {
		a.log.Warn("readiness: the database does not answer", "err", err)
		health(w, http.StatusServiceUnavailable, "not ready", "the database does not answer")
		return
	}
	// A database that answers reads may still refuse every write (a
	// full disk): then nothing this instance does is kept.
	if err := a.db.Writable(ctx); err != nil {
		a.log.Warn("readiness: the database cannot be written", "err", err)
		health(w, http.StatusServiceUnavailable, "not ready", "the database cannot be written (is the disk full?)")
		return
	}
	health(w, http.StatusOK, "ready", "")
}

// health writes a probe's answer: a status, and why when it is not
// good (never more: the probes need no token).
func health(w http.ResponseWriter, code int, status, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	body := map[string]string{"status": status}
	if reason != "" {
		body["reason"] = reason
	}
	json.NewEncoder(w).Encode(body)
}

// resend queues a message the sender gave up on again, at the staff's
// word, and wakes the sender for it.
func (a *App) resend(ctx context.Context, id int64) error {
	if err := a.db.Resend(ctx, id, a.opts.Clock.Now()); err != nil {
		return err
	}
	a.log.Info("a message not delivered is sent again, as staff asked", "outbox", id)
	a.sender.Wake()
	return nil
}
