package wafake

import (
	"strconv"
	"time"

	"go.mau.fi/libsignal/ecc"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

func now() string { return strconv.FormatInt(time.Now().Unix(), 10) }

func (s *Server) iq(c *conn, node *waBinary.Node) {
	ag := node.AttrGetter()
	from := types.ServerJID
	if to, ok := node.Attrs["to"].(types.JID); ok {
		from = to
	}
	var content []waBinary.Node
	var fail *waBinary.Node
	switch ag.OptionalString("xmlns") {
	case "encrypt":
		content, fail = s.keys(c, node)
	case "usync":
		content = s.usync(c, node)
	case "w:g2":
		content, fail = s.groupInfo(c, node, from)
	case "w:m":
		content = []waBinary.Node{{Tag: "media_conn", Attrs: waBinary.Attrs{"auth": "wafake", "ttl": "3600", "auth_ttl": "3600", "max_buckets": "12"},
			Content: []waBinary.Node{{Tag: "host", Attrs: waBinary.Attrs{"hostname": MediaHost}}}}}
	}
	reply := waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{"id": ag.String("id"), "type": "result", "from": from}}
	if fail != nil {
		reply.Attrs["type"] = "error"
		reply.Content = []waBinary.Node{*fail}
	} else if content != nil {
		reply.Content = content
	}
	c.send(reply)
}

func errorNode(code int, text string) *waBinary.Node {
	return &waBinary.Node{Tag: "error", Attrs: waBinary.Attrs{"code": strconv.Itoa(code), "text": text}}
}

// keys answers the encrypt namespace: the count of a device's prekeys on
// the server, their upload, and other devices' bundles (one prekey each,
// used up).
func (s *Server) keys(c *conn, node *waBinary.Node) ([]waBinary.Node, *waBinary.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if node.AttrGetter().String("type") == "set" {
		b := s.bundles[c.jid]
		if b == nil {
			b = &bundle{}
			s.bundles[c.jid] = b
		}
		for _, ch := range node.GetChildren() {
			switch ch.Tag {
			case "registration":
				b.registration, _ = ch.Content.([]byte)
			case "identity":
				b.identity, _ = ch.Content.([]byte)
			case "list":
				b.prekeys = append(b.prekeys, ch.GetChildren()...)
			case "skey":
				b.signed = ch
			}
		}
		return nil, nil
	}
	if _, ok := node.GetOptionalChildByTag("count"); ok {
		n := 0
		if b := s.bundles[c.jid]; b != nil {
			n = len(b.prekeys)
		}
		return []waBinary.Node{{Tag: "count", Attrs: waBinary.Attrs{"value": strconv.Itoa(n)}}}, nil
	}
	key, ok := node.GetOptionalChildByTag("key")
	if !ok {
		return nil, errorNode(400, "bad-request")
	}
	var users []waBinary.Node
	for _, u := range key.GetChildren() {
		jid, _ := u.Attrs["jid"].(types.JID)
		b := s.bundles[pnOf(jid)]
		if b == nil || b.identity == nil {
			users = append(users, waBinary.Node{Tag: "user", Attrs: waBinary.Attrs{"jid": jid}, Content: []waBinary.Node{*errorNode(404, "item-not-found")}})
			continue
		}
		parts := []waBinary.Node{
			{Tag: "registration", Content: b.registration},
			{Tag: "type", Content: []byte{ecc.DjbType}},
			{Tag: "identity", Content: b.identity},
			b.signed,
		}
		if len(b.prekeys) > 0 {
			parts = append(parts, b.prekeys[0])
			b.prekeys = b.prekeys[1:]
		}
		users = append(users, waBinary.Node{Tag: "user", Attrs: waBinary.Attrs{"jid": jid}, Content: parts})
	}
	return []waBinary.Node{{Tag: "list", Content: users}}, nil
}

// devicesOf lists user's devices with keys on the server (s.mu held).
func (s *Server) devicesOf(user types.JID) []types.JID {
	user = pnOf(user)
	var out []types.JID
	for d := range s.bundles {
		if d.User == user.User && d.Server == user.Server {
			out = append(out, d)
		}
	}
	return out
}

// usync answers a device-list query: each user's devices, but the asking
// device.
func (s *Server) usync(c *conn, node *waBinary.Node) []waBinary.Node {
	list, _ := node.GetOptionalChildByTag("usync", "list")
	s.mu.Lock()
	defer s.mu.Unlock()
	var users []waBinary.Node
	for _, u := range list.GetChildren() {
		jid, ok := u.Attrs["jid"].(types.JID)
		if !ok {
			continue
		}
		// The devices of the user as asked for, by LID or by number.
		var devs []waBinary.Node
		for _, d := range s.devicesOf(jid) {
			if d != c.jid {
				devs = append(devs, waBinary.Node{Tag: "device", Attrs: waBinary.Attrs{"id": strconv.Itoa(int(d.Device))}})
			}
		}
		users = append(users, waBinary.Node{Tag: "user", Attrs: waBinary.Attrs{"jid": jid.ToNonAD()}, Content: []waBinary.Node{
			{Tag: "devices", Content: []waBinary.Node{{Tag: "device-list", Content: devs}}},
		}})
	}
	return []waBinary.Node{{Tag: "usync", Content: []waBinary.Node{{Tag: "list", Content: users}}}}
}

// groupInfo answers a group's metadata to a member; other group requests
// succeed without effect.
func (s *Server) groupInfo(c *conn, node *waBinary.Node, jid types.JID) ([]waBinary.Node, *waBinary.Node) {
	if _, ok := node.GetOptionalChildByTag("query"); !ok {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[jid]
	if g == nil {
		return nil, errorNode(404, "item-not-found")
	}
	var parts []waBinary.Node
	member := false
	for _, m := range g.members {
		p := waBinary.Node{Tag: "participant", Attrs: waBinary.Attrs{"jid": g.addressed(m)}}
		if g.lid {
			p.Attrs["phone_number"] = m
		}
		if g.admins[m] {
			p.Attrs["type"] = "admin"
		}
		parts = append(parts, p)
		member = member || m.User == c.jid.User
	}
	if !member {
		return nil, errorNode(403, "forbidden")
	}
	return []waBinary.Node{{Tag: "group", Attrs: waBinary.Attrs{
		"id": jid.User, "subject": g.name, "creation": strconv.FormatInt(g.created.Unix(), 10), "addressing_mode": map[bool]string{false: "pn", true: "lid"}[g.lid],
		"size": strconv.Itoa(len(g.members)),
	}, Content: parts}}, nil
}
