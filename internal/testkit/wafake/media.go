package wafake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// maxUpload bounds an uploaded file (WhatsApp's own limit for documents
// is 2 GB; tests need far less).
const maxUpload = 64 << 20

// upload stores an encrypted file as WhatsApp's media servers do, and
// answers where it is.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("auth") != "wafake" {
		http.Error(w, "no auth", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpload))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	token := r.PathValue("token")
	sum := sha256.Sum256(body)
	if want, err := base64.URLEncoding.DecodeString(token); err != nil || string(want) != string(sum[:]) {
		http.Error(w, "token is not the file's hash", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.uploads++
	path := fmt.Sprintf("/v/t62.7118-24/%d_%x.enc", s.uploads, sum[:8])
	s.media[path] = body
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"url": "https://" + MediaHost + path + "?ccb=11-4", "direct_path": path})
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body, ok := s.media[r.URL.Path]
	status := s.gone[r.URL.Path]
	s.mu.Unlock()
	switch {
	case status != 0:
		http.Error(w, http.StatusText(status), status)
	case !ok:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}
