package sim

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/huddlebot/huddle/bot"
)

//go:embed web/*
var web embed.FS

// maxBody bounds a request body: a message is at most bot.MaxText runes.
const maxBody = 64 << 10

// maxPostBody bounds a member's message, which may carry a photo or a
// voice note (base64, a third larger than the file): files up to twice
// MaxInboundFile are taken, so that one a little too large is refused
// in the chat, in words the member understands, not by HTTP.
const maxPostBody = maxBody + 2*bot.MaxInboundFile/3*4 + 4

// Routes serves the simulator's page at the root of the web server,
// behind its protections. It implements bot.WebChannel.
func (s *Sim) Routes() []bot.Route {
	h := s.Handler()
	if !s.remote {
		h = loopbackOnly(h)
	}
	return []bot.Route{{Pattern: "/", Handler: h}}
}

// loopbackOnly refuses requests from beyond this machine.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			http.Error(w, "the simulator answers on this machine only (channels.sim.remote lets it answer beyond)", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Handler serves the simulator's web page at / and its API under /api/:
//
//	POST /api/messages   {"chat", "chat_type", "sender", "name", "text"}  a member's message
//	                     with "file": {"name", "mime_type", "data" (base64)} a photo or voice note, "text" its caption
//	POST /api/press      {"chat", "sender", "name", "message_id", "data"}  an option press
//	                     or {"chat", "sender", "name", "label"}          the newest option so labelled
//	GET  /api/messages?chat=ward-7&chat=dm-amina&after=0&wait=10s         the transcript of the chats named
//	GET  /api/files/{id}?as=amina                                         a document the bot sent, to download
//	GET  /api/stats                                                       what the simulator holds, against its bounds
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page, _ := web.ReadFile("web/index.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("GET /sim.js", func(w http.ResponseWriter, r *http.Request) {
		js, _ := web.ReadFile("web/sim.js")
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(js)
	})
	mux.HandleFunc("POST /api/messages", func(w http.ResponseWriter, r *http.Request) {
		var p Post
		if !decode(w, r, &p, maxPostBody) {
			return
		}
		msg, err := s.Post(r.Context(), p)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, msg)
	})
	mux.HandleFunc("POST /api/press", func(w http.ResponseWriter, r *http.Request) {
		var p Press
		if !decode(w, r, &p, maxBody) {
			return
		}
		if err := s.Press(r.Context(), p); err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /api/files/{id}", func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.fileFor(r.PathValue("id"), r.URL.Query().Get("as"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such file in the transcript (a private chat's files go to its member alone, as=…; a member's data for a day)"})
			return
		}
		w.Header().Set("Content-Type", f.MIMEType)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(f.Data)
	})
	mux.HandleFunc("GET /api/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET /api/messages", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		chats := q["chat"]
		if len(chats) == 0 || len(chats) > MaxReadChats || slices.Contains(chats, "") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("name the chats to read: chat=ward-7 (up to %d, each as chat=)", MaxReadChats)})
			return
		}
		after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
		wait, _ := time.ParseDuration(q.Get("wait"))
		wait = min(max(wait, 0), 30*time.Second)
		msgs := s.messages(r.Context(), func(c string) bool { return slices.Contains(chats, c) }, after, wait)
		if msgs == nil {
			msgs = []Message{}
		}
		writeJSON(w, http.StatusOK, msgs)
	})
	return mux
}

func decode(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "the request is too large"})
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON: " + err.Error()})
		return false
	}
	return true
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var bad *inputError
	switch {
	case errors.As(err, &bad):
		status = http.StatusBadRequest
	case errors.Is(err, ErrNotRunning):
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
