// Package wafake is WhatsApp's server for tests. Real whatsmeow clients
// (the bot's, and the phones of the members in Phone) connect to it on
// loopback through their own websocket, frame and Noise code, and it does
// between them what WhatsApp's servers do: it keeps each device's public
// prekeys, lists a user's devices, answers group metadata, relays
// end-to-end encrypted messages and receipts, acknowledges what it is
// sent, and stores uploaded media. It never sees a message's content:
// whatsmeow encrypts and decrypts on both sides, so a test through it
// exercises whatsmeow's own SendMessage, Upload, Download and
// DecryptPollVote as they run against WhatsApp.
//
// Every account has a LID (LID), which groups made with LIDGroup address
// it by, as newer groups do; Group's address by phone number, as older
// ones do. What it leaves out: pairing (devices are made already linked),
// direct messages by LID, app state, history and offline-delivery
// markers.
package wafake

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waCert"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
	"google.golang.org/protobuf/proto"
)

// MediaHost is the host name the server gives clients for media; every
// host a client names reaches the server.
const MediaHost = "mmg.whatsapp.net"

// Server is a WhatsApp server on loopback.
type Server struct {
	srv    *httptest.Server
	static *keys.KeyPair
	cert   []byte
	logf   func(format string, args ...any)

	mu      sync.Mutex
	conns   map[types.JID]*conn
	bundles map[types.JID]*bundle
	groups  map[types.JID]*group
	names   map[string]string // push names by user
	pending map[types.JID][]waBinary.Node
	media   map[string][]byte
	gone    map[string]int // media paths answered with this status
	stalled map[string]chan struct{}
	held    map[string]heldFile // files phones can upload again, by message id
	msgs    []Message
	uploads int
	notes   int // notifications sent, for their ids
}

// Message is a message node a client sent, as the server received it.
type Message struct {
	// ID is the message's id; From the device that sent it; To the chat
	// (a group or a user); Type "text", "media", "poll", "reaction"...
	ID   string
	From types.JID
	To   types.JID
	Type string
	// MediaType is the enc node's mediatype ("image", "ptt"...), if any.
	MediaType string
	// Devices lists the devices it was encrypted to one by one (those
	// given the group's sender key, in a group).
	Devices []types.JID
}

type group struct {
	jid     types.JID
	name    string
	created time.Time
	members []types.JID
	admins  map[types.JID]bool
	// lid says the group addresses its members by their LIDs, as new
	// groups do; by phone number otherwise.
	lid bool
}

// LID is the account's LID (WhatsApp's private id for it), which the
// server gives every account: 7 followed by its phone number.
func LID(pn types.JID) types.JID {
	return types.JID{User: "7" + pn.User, Device: pn.Device, Server: types.HiddenUserServer}
}

// pnOf is the phone-number form of a JID given by its LID (device kept);
// a phone-number JID as it is.
func pnOf(j types.JID) types.JID {
	if j.Server == types.HiddenUserServer && strings.HasPrefix(j.User, "7") {
		return types.JID{User: j.User[1:], Device: j.Device, Server: types.DefaultUserServer}
	}
	return j
}

// addressed is j (a phone-number JID) as a group addresses it.
func (g *group) addressed(j types.JID) types.JID {
	if g != nil && g.lid {
		return LID(j)
	}
	return j
}

type bundle struct {
	registration []byte
	identity     []byte
	signed       waBinary.Node
	prekeys      []waBinary.Node
}

// rootKey signs the servers' certificates; its public half replaces
// WhatsApp's in whatsmeow (once per test binary: whatsmeow reads it from a
// package variable).
var (
	rootOnce sync.Once
	rootKey  *keys.KeyPair
)

func root() *keys.KeyPair {
	rootOnce.Do(func() {
		seed := sha256.Sum256([]byte("huddle wafake root"))
		rootKey = keys.NewKeyPairFromPrivateKey(seed)
		whatsmeow.WACertPubKey = *rootKey.Pub
	})
	return rootKey
}

// New starts a server, stopped at the test's end.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		static: keys.NewKeyPair(), logf: t.Logf,
		conns: map[types.JID]*conn{}, bundles: map[types.JID]*bundle{}, groups: map[types.JID]*group{},
		names: map[string]string{}, pending: map[types.JID][]waBinary.Node{}, media: map[string][]byte{}, gone: map[string]int{},
		stalled: map[string]chan struct{}{}, held: map[string]heldFile{},
	}
	var err error
	if s.cert, err = certificate(root(), s.static); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws/chat", s.serveSocket)
	mux.HandleFunc("POST /mms/{kind}/{token}", s.upload)
	mux.HandleFunc("GET /v/", s.download)
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// Close disconnects every client and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.ws.CloseNow()
	}
	s.mu.Unlock()
	s.srv.Close()
}

// certificate is the chain whatsmeow checks in the handshake: an
// intermediate signed by the root, and a leaf for the server's static
// key signed by the intermediate.
func certificate(root, static *keys.KeyPair) ([]byte, error) {
	inter := keys.NewKeyPair()
	sign := func(by *keys.KeyPair, d *waCert.CertChain_NoiseCertificate_Details) (*waCert.CertChain_NoiseCertificate, error) {
		raw, err := proto.Marshal(d)
		if err != nil {
			return nil, err
		}
		sig := ecc.CalculateSignature(ecc.NewDjbECPrivateKey(*by.Priv), raw)
		return &waCert.CertChain_NoiseCertificate{Details: raw, Signature: sig[:]}, nil
	}
	ic, err := sign(root, &waCert.CertChain_NoiseCertificate_Details{Serial: proto.Uint32(1), IssuerSerial: proto.Uint32(0), Key: inter.Pub[:]})
	if err != nil {
		return nil, err
	}
	lc, err := sign(inter, &waCert.CertChain_NoiseCertificate_Details{Serial: proto.Uint32(2), IssuerSerial: proto.Uint32(1), Key: static.Pub[:]})
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&waCert.CertChain{Intermediate: ic, Leaf: lc})
}

// HTTPClient reaches the server whatever host a request names, over TLS
// checked against the server's own certificate.
func (s *Server) HTTPClient() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(s.srv.Certificate())
	addr := s.srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		// httptest's certificate names example.com.
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
	}}
}

// Attach points cli's websocket and media requests at the server.
func (s *Server) Attach(cli *whatsmeow.Client) {
	cli.SetWebsocketHTTPClient(s.HTTPClient())
	cli.SetMediaHTTPClient(s.HTTPClient())
}

// Group creates a group of the users members (phone-number JIDs, without
// device), addressed by phone number as older groups are; admins among
// them are its admins.
func (s *Server) Group(jid types.JID, name string, members []types.JID, admins ...types.JID) {
	s.group(jid, name, false, members, admins)
}

// LIDGroup is Group for a group that addresses its members by their LIDs
// (LID), as groups made lately do: its metadata and messages name each
// member by LID, with the phone number beside.
func (s *Server) LIDGroup(jid types.JID, name string, members []types.JID, admins ...types.JID) {
	s.group(jid, name, true, members, admins)
}

func (s *Server) group(jid types.JID, name string, lid bool, members, admins []types.JID) {
	g := &group{jid: jid, name: name, created: time.Now(), admins: map[types.JID]bool{}, lid: lid}
	for _, m := range members {
		g.members = append(g.members, m.ToNonAD())
	}
	for _, a := range admins {
		g.admins[a.ToNonAD()] = true
	}
	s.mu.Lock()
	s.groups[jid] = g
	s.mu.Unlock()
}

// Messages returns the message nodes clients sent, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Media returns the encrypted file stored at path (a direct path), as
// uploaded.
func (s *Server) Media(path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.media[pathOf(path)]
	return b, ok
}

// Expire makes the file at path answer status (404 or 410, as WhatsApp's
// media servers answer for a file they no longer hold).
func (s *Server) Expire(path string, status int) {
	s.mu.Lock()
	s.gone[pathOf(path)] = status
	s.mu.Unlock()
}

// Name is the name the account user (its phone number) last showed with
// its presence, "" when none.
func (s *Server) Name(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names[user]
}

// Connected reports whether device (an AD JID) is connected.
func (s *Server) Connected(device types.JID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.conns[device]
	return ok
}
