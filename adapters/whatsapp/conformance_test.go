package whatsapp

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/bot/channeltest"
	"github.com/huddlebot/huddle/internal/testkit"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// TestConformance runs the channel conformance kit against the WhatsApp
// adapter at its boundary: real whatsmeow events and protobufs in, the
// messages the adapter hands whatsmeow out, and votes encrypted by the
// nurses' own whatsmeow clients.
func TestConformance(t *testing.T) {
	out := &memOutbox{sent: map[string]bot.OutboxItem{}, known: map[string]bool{}}
	for _, n := range nurses {
		out.known[n.lid.String()] = true // each has written to the bot
	}
	h := newHarness(t, Config{ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: out})
	channeltest.Run(t, &waPlatform{h: h, out: out, phones: phones(t)})
}

// waPlatform plays the kit's members as WhatsApp delivers them.
type waPlatform struct {
	h      *harness
	out    *memOutbox
	phones []*whatsmeow.Client
	n      atomic.Int64
}

func (p *waPlatform) Channel() bot.Channel      { return p.h.w }
func (p *waPlatform) Group() string             { return group.String() }
func (p *waPlatform) Private(member int) string { return nurses[member].lid.String() }
func (p *waPlatform) Member(i int) string       { return nurses[i].lid.String() }

func (p *waPlatform) Lacks(c channeltest.Case) string {
	if c == channeltest.Press {
		return "options are polls on WhatsApp: a choice arrives as a vote"
	}
	return ""
}

func (p *waPlatform) Do(t *testing.T, a channeltest.Action) string {
	t.Helper()
	testkit.Eventually(t, 5*time.Second, "Run to take its handler", p.running)
	direct := a.Chat != p.Group()
	id := "K" + strconv.FormatInt(p.n.Add(1), 10)
	var msg *waE2E.Message
	switch a.Case {
	case channeltest.Reply:
		quoted, author := parseMsgRef(a.ReplyTo)
		msg = &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(a.Text),
			ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(quoted), Participant: proto.String(author.String())}}}
	case channeltest.Mention:
		other := nurses[a.Mentioned]
		msg = &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("@" + other.lid.User + " " + a.Text),
			ContextInfo: &waE2E.ContextInfo{MentionedJID: []string{other.lid.String()}}}}
	case channeltest.Vote:
		msg = p.vote(t, a)
	case channeltest.Edit:
		target, _ := parseMsgRef(a.Target)
		msg = &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
			Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), Key: &waCommon.MessageKey{RemoteJID: proto.String(a.Chat), FromMe: proto.Bool(true), ID: proto.String(target)},
			EditedMessage: &waE2E.Message{Conversation: proto.String(a.Text)}}}}}
	case channeltest.Delete:
		target, _ := parseMsgRef(a.Target)
		msg = &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
			Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{RemoteJID: proto.String(a.Chat), FromMe: proto.Bool(true), ID: proto.String(target)}}}
	default:
		msg = &waE2E.Message{Conversation: proto.String(a.Text)}
	}
	p.h.w.onEvent(incoming(a.Member, direct, id, time.Now(), msg))
	return msgRef(id, nurses[a.Member].lid)
}

// running reports whether Run has taken its handler.
func (p *waPlatform) running() bool {
	p.h.w.mu.Lock()
	defer p.h.w.mu.Unlock()
	return p.h.w.handler != nil && p.h.w.connected
}

// vote has the member's own whatsmeow client encrypt a vote for the
// option, as their phone would, from the poll the adapter sent.
func (p *waPlatform) vote(t *testing.T, a channeltest.Action) *waE2E.Message {
	t.Helper()
	ctx := context.Background()
	p.out.sent[a.Message.ID] = bot.OutboxItem{Outbound: a.Sent} // as the store keeps it
	s := p.sent(t, a.Message.ID)
	info := types.MessageInfo{MessageSource: types.MessageSource{Chat: group, Sender: s.sender, IsGroup: true}, ID: s.id}
	phone := p.phones[a.Member]
	if err := phone.Store.MsgSecrets.PutMessageSecret(ctx, group, s.sender, s.id, s.msg.GetMessageContextInfo().GetMessageSecret()); err != nil {
		t.Fatal(err)
	}
	msg, err := phone.BuildPollVote(ctx, &info, []string{a.Message.Options[a.Option]})
	if err != nil {
		t.Fatal(err)
	}
	// As whatsmeow delivers it: unwrapped.
	return (&events.Message{RawMessage: msg}).UnwrapRaw().Message
}

// sent is the message the adapter handed whatsmeow as id.
func (p *waPlatform) sent(t *testing.T, id string) sent {
	t.Helper()
	for _, s := range p.h.net.messages() {
		if s.id == id {
			return s
		}
	}
	t.Fatalf("the adapter sent no message %s", id)
	return sent{}
}

// Gone: the adapter sent the group a revoke of the member's message, as
// an admin deletes it for everyone.
func (p *waPlatform) Gone(t *testing.T, chat, id string) bool {
	target, sender := parseMsgRef(id)
	for _, s := range p.h.net.messages() {
		key := s.msg.GetProtocolMessage().GetKey()
		if s.to.String() == chat && s.msg.GetProtocolMessage().GetType() == waE2E.ProtocolMessage_REVOKE &&
			key.GetID() == target && key.GetParticipant() == sender.String() && !key.GetFromMe() {
			return true
		}
	}
	return false
}

func (p *waPlatform) Sent(t *testing.T, chat, id string) channeltest.Received {
	t.Helper()
	s := p.sent(t, id)
	if s.to.String() != chat {
		t.Errorf("message %s went to %s, not %s", id, s.to, chat)
	}
	m := s.msg
	if w := m.GetDocumentWithCaptionMessage(); w != nil {
		m = w.GetMessage() // a captioned document's wrapper
	}
	r := channeltest.Received{ID: s.id}
	var ci *waE2E.ContextInfo
	switch {
	case m.GetExtendedTextMessage() != nil:
		r.Text, ci = m.GetExtendedTextMessage().GetText(), m.GetExtendedTextMessage().GetContextInfo()
	case m.GetPollCreationMessage() != nil:
		poll := m.GetPollCreationMessage()
		r.Text, ci = poll.GetName(), poll.GetContextInfo()
		for _, o := range poll.GetOptions() {
			r.Options = append(r.Options, o.GetOptionName())
		}
	case m.GetDocumentMessage() != nil:
		doc := m.GetDocumentMessage()
		r.Text, r.File, ci = doc.GetCaption(), doc.GetFileName(), doc.GetContextInfo()
	default:
		r.Text = m.GetConversation()
	}
	if q := ci.GetStanzaID(); q != "" {
		author, _ := types.ParseJID(ci.GetParticipant())
		r.ReplyTo = msgRef(q, author)
	}
	return r
}
