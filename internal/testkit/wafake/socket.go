package wafake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
	"google.golang.org/protobuf/proto"
)

// conn is one client's connection after the handshake.
type conn struct {
	ws    *websocket.Conn
	jid   types.JID
	read  aead
	wmu   sync.Mutex
	write aead
}

// aead is a transport cipher with its counter.
type aead struct {
	c interface {
		Seal(dst, nonce, plaintext, additionalData []byte) []byte
		Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
	}
	n uint32
}

// maxFrame is the largest frame whatsmeow sends or accepts.
const maxFrame = 1 << 24

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	// WhatsApp Web's origin, which whatsmeow sends.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"web.whatsapp.com"}})
	if err != nil {
		return
	}
	ws.SetReadLimit(maxFrame + 64)
	ctx := r.Context()
	c, err := s.handshake(ctx, ws)
	if err != nil {
		s.logf("wafake: handshake: %v", err)
		ws.Close(websocket.StatusPolicyViolation, "handshake")
		return
	}
	s.mu.Lock()
	old := s.conns[c.jid]
	s.conns[c.jid] = c
	s.mu.Unlock()
	if old != nil {
		// As WhatsApp tells a session's earlier connection.
		old.send(waBinary.Node{Tag: "stream:error", Content: []waBinary.Node{{Tag: "conflict", Attrs: waBinary.Attrs{"type": "replaced"}}}})
		old.ws.Close(websocket.StatusNormalClosure, "replaced")
	}
	defer func() {
		s.mu.Lock()
		if s.conns[c.jid] == c {
			delete(s.conns, c.jid)
		}
		s.mu.Unlock()
	}()
	// The account's LID, which the client keeps.
	if err := c.send(waBinary.Node{Tag: "success", Attrs: waBinary.Attrs{"t": strconv.FormatInt(time.Now().Unix(), 10),
		"lid": LID(c.jid)}}); err != nil {
		return
	}
	s.flush(c)
	for {
		frame, err := readFrame(ctx, ws, false)
		if err != nil {
			return
		}
		plain, err := c.read.c.Open(nil, iv(c.read.n), frame, nil)
		c.read.n++
		if err != nil {
			s.logf("wafake: %s: decrypt frame: %v", c.jid, err)
			return
		}
		unpacked, err := waBinary.Unpack(plain)
		if err != nil {
			s.logf("wafake: %s: unpack: %v", c.jid, err)
			continue
		}
		node, err := waBinary.Unmarshal(unpacked)
		if err != nil {
			s.logf("wafake: %s: unmarshal: %v", c.jid, err)
			continue
		}
		s.handle(c, node)
	}
}

// readFrame reads one frame: a websocket message of a 3-byte length and
// the data, after the 4-byte connection header in the first.
func readFrame(ctx context.Context, ws *websocket.Conn, first bool) ([]byte, error) {
	_, msg, err := ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	if first {
		if len(msg) < 4 || msg[0] != 'W' || msg[1] != 'A' {
			return nil, errors.New("no WA header")
		}
		msg = msg[4:]
	}
	if len(msg) < 3 {
		return nil, errors.New("short frame")
	}
	n := int(msg[0])<<16 | int(msg[1])<<8 | int(msg[2])
	if n != len(msg)-3 {
		return nil, fmt.Errorf("frame of %d bytes in a message of %d", n, len(msg)-3)
	}
	return msg[3:], nil
}

func writeFrame(ctx context.Context, ws *websocket.Conn, data []byte) error {
	out := make([]byte, 3+len(data))
	out[0], out[1], out[2] = byte(len(data)>>16), byte(len(data)>>8), byte(len(data))
	copy(out[3:], data)
	return ws.Write(ctx, websocket.MessageBinary, out)
}

// handshake runs the responder's side of the Noise XX handshake and reads
// the client's login payload.
func (s *Server) handshake(ctx context.Context, ws *websocket.Conn) (*conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, msg, err := ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg) < 7 || msg[0] != 'W' || msg[1] != 'A' {
		return nil, errors.New("no WA header")
	}
	header, body := msg[:4], msg[4:]
	if n := int(body[0])<<16 | int(body[1])<<8 | int(body[2]); n != len(body)-3 {
		return nil, errors.New("bad first frame")
	}
	var hello waWa6.HandshakeMessage
	if err := proto.Unmarshal(body[3:], &hello); err != nil {
		return nil, fmt.Errorf("client hello: %w", err)
	}
	ce := hello.GetClientHello().GetEphemeral()
	if len(ce) != 32 {
		return nil, errors.New("client hello without an ephemeral key")
	}
	hs, err := newHandshake(header)
	if err != nil {
		return nil, err
	}
	hs.authenticate(ce)
	eph := keys.NewKeyPair()
	hs.authenticate(eph.Pub[:])
	if err := hs.mix(eph.Priv[:], ce); err != nil {
		return nil, err
	}
	static := hs.encrypt(s.static.Pub[:])
	if err := hs.mix(s.static.Priv[:], ce); err != nil {
		return nil, err
	}
	payload := hs.encrypt(s.cert)
	out, err := proto.Marshal(&waWa6.HandshakeMessage{ServerHello: &waWa6.HandshakeMessage_ServerHello{
		Ephemeral: eph.Pub[:], Static: static, Payload: payload}})
	if err != nil {
		return nil, err
	}
	if err := writeFrame(ctx, ws, out); err != nil {
		return nil, err
	}
	frame, err := readFrame(ctx, ws, false)
	if err != nil {
		return nil, err
	}
	var finish waWa6.HandshakeMessage
	if err := proto.Unmarshal(frame, &finish); err != nil {
		return nil, fmt.Errorf("client finish: %w", err)
	}
	cs, err := hs.decrypt(finish.GetClientFinish().GetStatic())
	if err != nil {
		return nil, fmt.Errorf("client static: %w", err)
	}
	if err := hs.mix(eph.Priv[:], cs); err != nil {
		return nil, err
	}
	raw, err := hs.decrypt(finish.GetClientFinish().GetPayload())
	if err != nil {
		return nil, fmt.Errorf("client payload: %w", err)
	}
	var login waWa6.ClientPayload
	if err := proto.Unmarshal(raw, &login); err != nil {
		return nil, fmt.Errorf("client payload: %w", err)
	}
	if login.Username == nil {
		return nil, errors.New("a device that is not linked (pairing is not served)")
	}
	rd, wr, err := hs.split()
	if err != nil {
		return nil, err
	}
	jid := types.JID{User: strconv.FormatUint(login.GetUsername(), 10), Device: uint16(login.GetDevice()), Server: types.DefaultUserServer}
	return &conn{ws: ws, jid: jid, read: aead{c: rd}, write: aead{c: wr}}, nil
}

// send encrypts and writes node.
func (c *conn) send(node waBinary.Node) error {
	data, err := waBinary.Marshal(node)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", node.Tag, err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	ct := c.write.c.Seal(nil, iv(c.write.n), data, nil)
	c.write.n++
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return writeFrame(ctx, c.ws, ct)
}

// deliver sends node to device now, or when it next connects.
func (s *Server) deliver(device types.JID, node waBinary.Node) {
	s.mu.Lock()
	c := s.conns[device]
	if c == nil {
		s.pending[device] = append(s.pending[device], node)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	if err := c.send(node); err != nil {
		s.mu.Lock()
		s.pending[device] = append(s.pending[device], node)
		s.mu.Unlock()
	}
}

// flush sends what waited for c's device.
func (s *Server) flush(c *conn) {
	s.mu.Lock()
	queued := s.pending[c.jid]
	delete(s.pending, c.jid)
	s.mu.Unlock()
	for _, n := range queued {
		s.deliver(c.jid, n)
	}
}

func (s *Server) handle(c *conn, node *waBinary.Node) {
	switch node.Tag {
	case "iq":
		s.iq(c, node)
	case "message":
		s.message(c, node)
	case "receipt":
		s.receipt(c, node)
	case "presence":
		if name, ok := node.Attrs["name"].(string); ok && name != "" {
			s.mu.Lock()
			s.names[c.jid.User] = name
			s.mu.Unlock()
		}
	}
}
