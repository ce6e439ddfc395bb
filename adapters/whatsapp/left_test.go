package whatsapp

import (
	"slices"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// TestNobodyWaitsForWhoLeft: a group question stops waiting for a member
// from the moment WhatsApp says they left. Chinedu leaves (told by his
// LID, twice: counted once) and the first poll closes on the two votes it
// has; Amina removes Brigitte (told by her phone number) and the second
// closes on Amina's.
func TestNobodyWaitsForWhoLeft(t *testing.T) {
	g := newQuizGroup(t, huddletest.Options{})
	g.say(0, "Good morning, ward 3")
	g.say(1, "Bonjour !")
	g.say(2, "Morning all")
	g.say(0, "/lesson poll-quiz")
	drug := g.waitPoll(1)
	g.vote(0, drug, 1)
	g.vote(1, drug, 1)

	// WhatsApp's servers list the group without him from now on.
	leave := func(i int, by types.JID, who types.JID) {
		g.h.net.mu.Lock()
		info := g.h.net.groups[group]
		info.Participants = slices.DeleteFunc(slices.Clone(info.Participants), func(p types.GroupParticipant) bool { return p.LID == nurses[i].lid })
		g.h.net.mu.Unlock()
		evt := &events.GroupInfo{JID: group, Sender: &by, Timestamp: g.app.Clock.Now(), Leave: []types.JID{who}}
		g.h.w.onEvent(evt)
		g.h.w.onEvent(evt) // delivered again after a reconnect
	}
	leave(2, nurses[2].lid, nurses[2].lid)
	shock := g.waitPoll(2)
	g.waitSent("2 of 2")
	leave(1, nurses[0].lid, nurses[1].pn)
	g.vote(0, shock, 1, 3, 4)
	g.waitSent("see you next week")
	if got := transcript(g.h.net.messages()); strings.Contains(got, "of 3") {
		t.Errorf("a close counted three members:\n%s", got)
	}
}
