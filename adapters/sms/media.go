package sms

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// keyMedia is the notes' key of a lesson's file a text links to:
// media/ID, ID the first 32 hex digits of its SHA-256.
const keyMedia = "media/"

// keepMedia is how long a linked file stays: a member may open the link
// days after the lesson.
const keepMedia = 90 * 24 * time.Hour

// linked is a file kept for its link.
type linked struct {
	MIMEType string `json:"mime"`
	Data     string `json:"data"` // base64: a note's data is text
}

// link keeps f, the programme's own material (bot.File.Shared), for its
// link under PublicURL, and returns the link; "" when the channel links
// nothing (no PublicURL, or a member's file, which never gets one).
func (s *SMS) link(ctx context.Context, f *bot.File) (string, error) {
	if s.cfg.PublicURL == "" || f == nil || !f.Shared || len(f.Data) == 0 {
		return "", nil
	}
	sum := sha256.Sum256(f.Data)
	id := hex.EncodeToString(sum[:16])
	note := s.note(keyMedia+id, "", linked{MIMEType: f.MIMEType, Data: base64.StdEncoding.EncodeToString(f.Data)}, s.cfg.Clock.Now())
	if err := s.cfg.Notebook.WriteNotes(ctx, Name, []bot.Note{note}, nil); err != nil {
		return "", err
	}
	return strings.TrimRight(s.cfg.PublicURL, "/") + "/sms/media/" + id, nil
}

// serveMedia serves a linked file to whoever has its link (128 bits of
// its hash: not guessed), for phones that can open one.
func (s *SMS) serveMedia(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		http.NotFound(w, r)
		return
	}
	notes, err := s.cfg.Notebook.Notes(r.Context(), Name, keyMedia+id, 1)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	var f linked
	if len(notes) != 1 || notes[0].Key != keyMedia+id || json.Unmarshal(notes[0].Data, &f) != nil {
		http.NotFound(w, r)
		return
	}
	data, err := base64.StdEncoding.DecodeString(f.Data)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.MIMEType)
	w.Header().Set("Cache-Control", "public, max-age=604800, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
}
