package wafake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waMmsRetry"
	"go.mau.fi/whatsmeow/util/gcmutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
	"google.golang.org/protobuf/proto"
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
	path := s.store(body)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"url": "https://" + MediaHost + path, "direct_path": path})
}

// store keeps an encrypted file and returns its direct path, which holds
// a query as WhatsApp's do (whatsmeow appends its own parameters with
// "&").
func (s *Server) store(body []byte) string {
	sum := sha256.Sum256(body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads++
	path := fmt.Sprintf("/v/t62.7118-24/%d_%x.enc", s.uploads, sum[:8])
	s.media[path] = body
	return path + "?ccb=11-4&oh=wafake&oe=0"
}

// pathOf is a direct path's path, without its query.
func pathOf(directPath string) string {
	path, _, _ := strings.Cut(directPath, "?")
	return path
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	stall := s.stalled[r.URL.Path]
	if stall == nil {
		stall = s.stalled["*"]
	}
	s.mu.Unlock()
	if stall != nil {
		select {
		case <-stall:
		case <-r.Context().Done():
			return
		}
	}
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

// Stall holds every download of the file at path ("*" for every file)
// until the returned release is called (a slow connection to the media
// server).
func (s *Server) Stall(path string) (release func()) {
	ch := make(chan struct{})
	if path != "*" {
		path = pathOf(path)
	}
	s.mu.Lock()
	s.stalled[path] = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.stalled, path)
			s.mu.Unlock()
			close(ch)
		})
	}
}

// heldFile is a file its sender's phone still holds.
type heldFile struct {
	key  []byte
	path string
}

// Holds says that the phone which sent message id still holds its file
// (uploaded at path, encrypted with mediaKey): asked for it again (a media
// retry receipt), it uploads it anew, and the server tells the asker
// where. A file no phone holds is answered with WhatsApp's error 2, not
// on the phone.
func (s *Server) Holds(id string, mediaKey []byte, path string) {
	s.mu.Lock()
	s.held[id] = heldFile{key: mediaKey, path: pathOf(path)}
	s.mu.Unlock()
}

// mediaRetry answers a request for a file again (a receipt of type
// server-error, whose request is encrypted with the file's media key) as
// the sender's phone and WhatsApp do together: the file is uploaded anew,
// at a new path, and the asker gets a mediaretry notification, encrypted
// likewise, naming it (whatsmeow's mediaretry.go reads it).
func (s *Server) mediaRetry(c *conn, node *waBinary.Node) {
	id := node.AttrGetter().String("id")
	rmr, _ := node.GetOptionalChildByTag("rmr")
	notif := waBinary.Node{Tag: "notification", Attrs: waBinary.Attrs{"id": id, "type": "mediaretry", "t": now(), "from": c.jid.ToNonAD()},
		Content: []waBinary.Node{rmr}}
	fail := func(code int) {
		notif.Content = append(notif.GetChildren(), waBinary.Node{Tag: "error", Attrs: waBinary.Attrs{"code": strconv.Itoa(code)}})
		c.send(notif)
	}
	s.mu.Lock()
	h, ok := s.held[id]
	body, stored := s.media[h.path]
	s.mu.Unlock()
	if !ok || !stored {
		fail(2)
		return
	}
	key := hkdfutil.SHA256(h.key, nil, []byte("WhatsApp Media Retry Notification"), 32)
	ct, _ := node.GetChildByTag("encrypt", "enc_p").Content.([]byte)
	iv, _ := node.GetChildByTag("encrypt", "enc_iv").Content.([]byte)
	plain, err := gcmutil.Decrypt(key, iv, ct, []byte(id))
	var req waMmsRetry.ServerErrorReceipt
	if err == nil {
		err = proto.Unmarshal(plain, &req)
	}
	if err != nil || req.GetStanzaID() != id {
		fail(1) // not a request made with the file's key
		return
	}
	path := s.store(body)
	answer, err := proto.Marshal(&waMmsRetry.MediaRetryNotification{StanzaID: proto.String(id), DirectPath: proto.String(path),
		Result: waMmsRetry.MediaRetryNotification_SUCCESS.Enum()})
	if err != nil {
		fail(1)
		return
	}
	niv := make([]byte, 12)
	rand.Read(niv)
	enc, err := gcmutil.Encrypt(key, niv, answer, []byte(id))
	if err != nil {
		fail(1)
		return
	}
	notif.Content = append(notif.GetChildren(), waBinary.Node{Tag: "encrypt", Content: []waBinary.Node{
		{Tag: "enc_p", Content: enc}, {Tag: "enc_iv", Content: niv}}})
	c.send(notif)
}
