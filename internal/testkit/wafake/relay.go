package wafake

import (
	"slices"
	"strconv"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// message acknowledges a client's message and relays it: to every device
// of a group's members but the sender's (with the group's sender-key
// message, and each device's own envelope where it has one), or to the
// devices a direct message names.
func (s *Server) message(c *conn, node *waBinary.Node) {
	ag := node.AttrGetter()
	id, typ := ag.String("id"), ag.OptionalString("type")
	to, _ := node.Attrs["to"].(types.JID)
	t := now()
	c.send(waBinary.Node{Tag: "ack", Attrs: waBinary.Attrs{"class": "message", "id": id, "from": to, "t": t}})

	envelopes := map[types.JID][]waBinary.Node{}
	var shared []waBinary.Node
	rec := Message{ID: id, From: c.jid, To: to, Type: typ}
	for _, ch := range node.GetChildren() {
		switch ch.Tag {
		case "participants":
			for _, dst := range ch.GetChildren() {
				if dev, ok := dst.Attrs["jid"].(types.JID); ok && dst.Tag == "to" {
					envelopes[pnOf(dev)] = dst.GetChildren()
					rec.Devices = append(rec.Devices, dev)
				}
			}
		case "enc", "device-identity":
			if mt, ok := ch.Attrs["mediatype"].(string); ok {
				rec.MediaType = mt
			}
			shared = append(shared, ch)
		}
	}
	for _, envs := range envelopes {
		for _, e := range envs {
			if mt, ok := e.Attrs["mediatype"].(string); ok && rec.MediaType == "" {
				rec.MediaType = mt
			}
		}
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, rec)
	name := s.names[c.jid.User]
	var targets []types.JID
	g := s.groups[to]
	if to.Server == types.GroupServer {
		if g != nil {
			for _, m := range g.members {
				for _, d := range s.devicesOf(m) {
					if d != c.jid {
						targets = append(targets, d)
					}
				}
			}
		}
	} else {
		for dev := range envelopes {
			targets = append(targets, dev)
		}
	}
	s.mu.Unlock()
	for _, dev := range targets {
		attrs := waBinary.Attrs{"id": id, "t": t}
		if typ != "" {
			attrs["type"] = typ
		}
		if e, ok := node.Attrs["edit"]; ok {
			attrs["edit"] = e
		}
		if name != "" {
			attrs["notify"] = name
		}
		if to.Server == types.GroupServer {
			attrs["from"], attrs["participant"] = to, g.addressed(c.jid)
			if g != nil && g.lid {
				attrs["addressing_mode"], attrs["participant_pn"] = "lid", c.jid
			}
		} else {
			attrs["from"] = c.jid
			if dev.User == c.jid.User {
				attrs["recipient"] = to
			}
		}
		content := append(append([]waBinary.Node(nil), envelopes[dev]...), shared...)
		if len(content) == 0 {
			continue
		}
		s.deliver(dev, waBinary.Node{Tag: "message", Attrs: attrs, Content: content})
	}
}

// receipt acknowledges a client's receipt (delivery, read, retry...) and
// passes it on to the devices of the message's sender.
func (s *Server) receipt(c *conn, node *waBinary.Node) {
	ag := node.AttrGetter()
	id := ag.String("id")
	if ag.OptionalString("type") == "server-error" {
		c.send(waBinary.Node{Tag: "ack", Attrs: waBinary.Attrs{"class": "receipt", "id": id, "type": "server-error"}})
		s.mediaRetry(c, node)
		return
	}
	to, _ := node.Attrs["to"].(types.JID)
	ack := waBinary.Node{Tag: "ack", Attrs: waBinary.Attrs{"class": "receipt", "id": id, "from": to}}
	if typ := ag.OptionalString("type"); typ != "" {
		ack.Attrs["type"] = typ
	}
	c.send(ack)
	sender := to
	attrs := waBinary.Attrs{"id": id, "t": now(), "from": c.jid}
	if p, ok := node.Attrs["participant"].(types.JID); ok && to.Server == types.GroupServer {
		s.mu.Lock()
		g := s.groups[to]
		s.mu.Unlock()
		sender = p
		attrs["from"], attrs["participant"] = to, g.addressed(c.jid)
	}
	if typ := ag.OptionalString("type"); typ != "" {
		attrs["type"] = typ
	}
	s.mu.Lock()
	devs := s.devicesOf(sender)
	s.mu.Unlock()
	for _, d := range devs {
		if d != c.jid {
			s.deliver(d, waBinary.Node{Tag: "receipt", Attrs: attrs, Content: node.Content})
		}
	}
}

// Remove has by (an admin) remove user from group, as WhatsApp tells the
// group's devices and the removed one's: a w:gp2 notification with the
// participants removed (whatsmeow makes it an events.GroupInfo whose
// Leave lists them).
func (s *Server) Remove(group, by, user types.JID) {
	s.mu.Lock()
	g := s.groups[group]
	if g == nil {
		s.mu.Unlock()
		return
	}
	var devices []types.JID
	for _, m := range g.members {
		devices = append(devices, s.devicesOf(m)...)
	}
	g.members = slices.DeleteFunc(g.members, func(m types.JID) bool { return m.User == user.User })
	s.notes++
	id := strconv.Itoa(s.notes)
	s.mu.Unlock()
	for _, d := range devices {
		s.deliver(d, waBinary.Node{Tag: "notification", Attrs: waBinary.Attrs{"id": id, "from": group, "type": "w:gp2", "t": now(), "participant": g.addressed(by.ToNonAD())},
			Content: []waBinary.Node{{Tag: "remove", Content: []waBinary.Node{{Tag: "participant", Attrs: waBinary.Attrs{"jid": g.addressed(user.ToNonAD())}}}}}})
	}
}
