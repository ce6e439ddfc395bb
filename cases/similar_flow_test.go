package cases_test

import (
	"strings"
	"testing"

	"github.com/huddlebot/huddle/bot"
)

// TestSimilarInTheGroup follows the archive before the mentor through the
// simulator: an answered case is in the archive; a member shares a case
// like it and the group sees it offered under hers, with its mentor's
// answer; another member cannot say that it answers her case, she can,
// and her case closes, answered from the archive and linked to it. A
// third case like it is escalated instead, and its mentor gets the same
// suggestions. A member of another group reads the archived case's
// thread, without its posters' names.
func TestSimilarInTheGroup(t *testing.T) {
	w := newWorld(t)
	for _, who := range []string{"amina", "mentor1", "mentor2"} {
		w.say("dm-"+who, who, "/start", "")
	}
	for _, who := range []string{"amina", "brigitte", "chinedu"} {
		w.say("ward", who, "Good morning", "")
	}

	// The archive: case #C1, answered by a mentor.
	ward := w.last("ward")
	w.say("ward", "amina", "/case Heavy bleeding an hour after delivery, the uterus feels soft and the pads are soaked. What next?", "")
	w.expect("ward", ward, "Case #C1, shared by Amina")
	w.none("ward", w.last("ward")) // the archive is empty: nothing offered
	m1 := w.last("dm-mentor1")
	w.say("ward", "amina", "/escalate 1", "")
	w.expect("dm-mentor1", m1, "Case #C1 from Ward 3")
	ward = w.last("ward")
	w.say("dm-mentor1", "mentor1", "/answer 1 Massage the uterus until it is firm, give oxytocin 10 IU, empty the bladder and call for help.", "")
	w.expect("ward", ward, "A mentor's answer to case #C1")

	// A case like it: #C1 is offered under it, with its answer.
	ward = w.last("ward")
	w.say("ward", "brigitte", "/case Mother delivered an hour ago with heavy bleeding, the uterus is soft and she soaked two pads. Advice?", "")
	w.expect("ward", ward, "Case #C2, shared by Brigitte")
	offer := w.expect("ward", ward, "answered cases like #C2", "#C1 (Ward 3)", "Massage the uterus until it is firm", "/case 1 shows its thread")
	if len(offer.Options) != 1 || !strings.Contains(offer.Options[0].Label, "#C1") {
		t.Fatalf("the offer's options are %+v, want one for #C1", offer.Options)
	}

	// Chinedu cannot close Brigitte's case; she can.
	ward = w.last("ward")
	w.press("ward", "chinedu", offer, 0)
	w.expect("ward", ward, "Only the case's author can do that")
	if c := w.caseByID(2); c.Status != bot.CaseOpen {
		t.Fatalf("case 2 is %s after another member's press, want open", c.Status)
	}
	w.press("ward", "brigitte", offer, 0)
	w.expect("ward", ward, "Case #C2 is answered from the archive, by case #C1, and closed")
	if c := w.caseByID(2); c.Status != bot.CaseClosed || c.AnsweredFrom != 1 || c.Closed.IsZero() {
		t.Errorf("case 2 after its author's press: %s, answered from %d, closed %v; want closed from #C1", c.Status, c.AnsweredFrom, c.Closed)
	}

	// A third like it goes to a mentor, who sees what the group was
	// offered.
	ward = w.last("ward")
	w.say("ward", "chinedu", "/case Bleeding heavily after delivery, uterus soft, oxytocin given already and still soaking pads. Next step?", "")
	w.expect("ward", ward, "answered cases like #C3", "#C1 (Ward 3)")
	m2 := w.last("dm-mentor2")
	w.say("ward", "chinedu", "/escalate 3", "")
	w.expect("dm-mentor2", m2, "Case #C3 from Ward 3", "Answered cases like it, offered to the group", "#C1 (Ward 3)", "Massage the uterus")

	// A member of another group reads #C1's thread, by pseudonyms.
	w.say("clinic", "zawadi", "Habari", "")
	w.say("dm-zawadi", "zawadi", "/start", "")
	dm := w.last("dm-zawadi")
	w.say("dm-zawadi", "zawadi", "/case 1", "")
	shown := w.expect("dm-zawadi", dm, "Case #C1, Ward 3, answered", "Massage the uterus")
	for _, name := range []string{"Amina", "Mentor1"} {
		if strings.Contains(shown.Text, name) {
			t.Errorf("a member of another group sees %q in the thread: %q", name, shown.Text)
		}
	}
}
