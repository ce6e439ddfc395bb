package cases_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/cases"
)

// TestNoRealNamesWithPseudonyms renders every kind of message the bot
// sends about members (lesson feedback and asks, progress, cases shared,
// held back and posted, thread replies kept redacted, escalation, the
// mentor's copy with its thread, the answer, /case N, search, the queue,
// reminders and reassignment, staff notices, mentor administration) with
// real names set and pseudonyms on, and finds no real name in any chat.
// /mydata is left out on purpose: it shows a member their own data.
func TestNoRealNamesWithPseudonyms(t *testing.T) {
	w := newWorld(t, func(c *cases.Config) { c.Pseudonyms = true })
	ctx := context.Background()
	for _, who := range []string{"amina", "brigitte", "mentor1", "mentor2"} {
		w.say("dm-"+who, who, "/start", "")
	}
	for _, who := range []string{"amina", "brigitte", "chinedu"} {
		w.say("ward", who, "Good morning", "")
	}

	// A group lesson, answered by three, and progress.
	ward := w.last("ward")
	w.say("ward", "amina", "/lesson quick-quiz", "")
	w.expect("ward", ward, "respiratory rate")
	for _, who := range []string{"amina", "brigitte", "chinedu"} {
		w.say("ward", who, "20", "")
	}
	w.expect("ward", ward, "Who is seen first?")
	for _, who := range []string{"amina", "brigitte", "chinedu"} {
		w.say("ward", who, "2", "")
	}
	w.app.Clock.Advance(5 * time.Second)
	w.expect("ward", ward, "Done. Thank you!")
	w.say("ward", "brigitte", "/progress", "")
	w.expect("ward", ward, "Quick triage quiz")

	// A one-to-one lesson with an ask.
	dm := w.last("dm-amina")
	w.say("dm-amina", "amina", "/lesson solo-quiz", "")
	w.expect("dm-amina", dm, "Which ward")
	w.say("dm-amina", "amina", "Maternity", "")
	w.expect("dm-amina", dm, "uterotonic")
	w.say("dm-amina", "amina", "oxytocin", "")
	w.expect("dm-amina", dm, "that's all")

	// A case held back, posted redacted, replied to (one reply redacted),
	// escalated, answered by reply, shown, searched.
	ward, dm = w.last("ward"), w.last("dm-amina")
	w.say("ward", "amina", "/case Mrs Wanjiru Kamau, 0722 123 456, heavy bleeding an hour after delivery. Oxytocin given. What next?", "")
	offer := w.expect("dm-amina", dm, "Post this version")
	if err := w.sim.Press(ctx, sim.Press{Chat: "dm-amina", Sender: "amina", MessageID: offer.ID, Data: offer.Options[0].Data}); err != nil {
		t.Fatal(err)
	}
	post := w.expect("ward", ward, "Case #C1, shared by Member-")
	w.say("ward", "brigitte", "Massage the uterus and empty the bladder.", post.ID)
	w.say("ward", "chinedu", "Call Dr Otieno on 0733 555 121 for a second line.", post.ID)
	w.expect("ward", ward, "I kept your reply in case #C1")
	m1 := w.last("dm-mentor1")
	w.say("ward", "chinedu", "/escalate", post.ID)
	assigned := w.expect("dm-mentor1", m1, "Case #C1 from Ward 3", "The thread so far")
	w.say("dm-mentor1", "mentor1", "Give misoprostol and tranexamic acid, and call for help.", assigned.ID)
	w.expect("ward", ward, "A mentor's answer to case #C1")
	dm = w.last("dm-amina")
	w.say("dm-amina", "amina", "/case 1", "")
	w.expect("dm-amina", dm, "Case #C1, Ward 3, answered")
	w.say("dm-amina", "amina", "/cases tranexamic", "")
	w.expect("dm-amina", dm, "#C1, Ward 3")

	// A second case nobody answers: reminder, staff told, reassigned.
	ward = w.last("ward")
	w.say("ward", "brigitte", "/case Woman of 30, 36 weeks, BP 160/110. Deliver now or wait?", "")
	w.expect("ward", ward, "Case #C2, shared by Member-")
	m2, leadDM := w.last("dm-mentor2"), w.last("dm-lead")
	w.say("ward", "brigitte", "/escalate 2", "")
	w.expect("dm-mentor2", m2, "Case #C2 from Ward 3")
	w.app.Clock.Advance(24 * time.Hour)
	w.expect("dm-lead", leadDM, "Case #C2 in Ward 3")
	w.app.Clock.Advance(12 * time.Hour)
	w.expect("dm-mentor2", m2, "went to another mentor")
	m1 = w.last("dm-mentor1")
	w.say("dm-mentor1", "mentor1", "/queue", "")
	w.expect("dm-mentor1", m1, "#C2, Ward 3")

	// Mentor administration by staff.
	leadDM = w.last("dm-lead")
	w.say("dm-lead", "lead", "/mentor", "")
	w.expect("dm-lead", leadDM, "Mentors:")
	w.say("dm-lead", "lead", "/mentor add obstetrics sim:brigitte", "")
	w.expect("dm-lead", leadDM, "is now a mentor of the obstetrics queue")
	w.say("dm-lead", "lead", "/mentor", "")
	w.expect("dm-lead", leadDM, "sim:brigitte, /mentor")
	w.say("dm-lead", "lead", "/mentor remove obstetrics sim:brigitte", "")
	w.expect("dm-lead", leadDM, "is no longer a mentor")

	real := regexp.MustCompile(`\b(Amina|Brigitte|Chinedu|Mentor1|Mentor2|Lead)\b`)
	n := 0
	for _, chat := range []string{"ward", "dm-amina", "dm-brigitte", "dm-chinedu", "dm-mentor1", "dm-mentor2", "dm-lead"} {
		for _, m := range w.sim.Messages(ctx, chat, 0, 0) {
			if !m.Bot {
				continue
			}
			n++
			if name := real.FindString(m.Text); name != "" {
				t.Errorf("%s: the bot named %s:\n%s", chat, name, m.Text)
			}
		}
	}
	if n < 40 {
		t.Errorf("only %d bot messages were checked; the scenario did not run", n)
	}
}
