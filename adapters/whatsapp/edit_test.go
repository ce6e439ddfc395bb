package whatsapp

import (
	"strings"
	"testing"

	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"
)

// TestEditTakenDown: Amina edits her /case on her phone to add a
// patient's name and number; WhatsApp delivers the edit as whatsmeow
// does (an EditedMessage wrapping a MESSAGE_EDIT protocol message). The
// bot, a group admin, revokes her message, says in its place only that a
// message was removed, and tells her privately what it found; the name is
// never repeated.
func TestEditTakenDown(t *testing.T) {
	g := newQuizGroup(t, huddletest.Options{Cases: &cases.Config{}})
	amina := nurses[0]
	g.h.w.onEvent(incoming(0, true, "D1", g.app.Clock.Now(), &waE2E.Message{Conversation: proto.String("Hello")}))
	opened := g.say(0, "/case Woman of 34, heavy bleeding after delivery, BP 90/60. What next?")
	g.waitSent("Case #C1, shared by Amina")

	edit := &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
		Key:  &waCommon.MessageKey{RemoteJID: proto.String(group.String()), FromMe: proto.Bool(false), ID: proto.String(opened.Info.ID)},
		EditedMessage: &waE2E.Message{Conversation: proto.String(
			"/case Mrs Achieng Otieno, 0722 123 456, heavy bleeding after delivery. What next?")},
	}}}}
	g.h.w.onEvent(incoming(0, false, "E1", g.app.Clock.Now(), edit))
	g.waitSent("A message was removed for privacy")
	g.waitSent("Your edit of case #C1 in Ward 3 nurses was not kept")

	var revoked bool
	for _, s := range g.h.net.messages() {
		pm := s.msg.GetProtocolMessage()
		if pm != nil && pm.GetType() == waE2E.ProtocolMessage_REVOKE {
			revoked = revoked || pm.GetKey().GetID() == opened.Info.ID && pm.GetKey().GetParticipant() == amina.lid.String()
		}
	}
	if !revoked {
		t.Errorf("the edited case was not revoked; sent:\n%s", transcript(g.h.net.messages()))
	}
	if got := transcript(g.h.net.messages()); strings.Contains(got, "Achieng") || strings.Contains(got, "0722") {
		t.Errorf("the bot repeated the edit:\n%s", got)
	}
}
