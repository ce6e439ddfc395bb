package privacy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// TestLogsHoldNoTextOrNumbers runs a group lesson and a case from sharing
// to the mentor's answer, with members whose platform ids are phone
// numbers as on WhatsApp, logging at info level; the log has none of the
// messages' text, no phone number and no name; nor after /mydata sends a
// member all that is held about them.
func TestLogsHoldNoTextOrNumbers(t *testing.T) {
	logs := &huddletest.LogBuffer{}
	log := logs.Logger()
	mentor := bot.StaffRef{Channel: "sim", ID: "254711000111"}
	svc := &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {mentor}}}
	h := startWith(t, huddletest.Options{Cases: svc, Logger: log})
	const amina, brigitte = "254722123456", "254733222333"
	var said []string
	say := func(chat, who, name, text, replyTo string) sim.Message {
		said = append(said, text)
		return h.Post(chat, who, name, text, replyTo)
	}

	say("dm-"+mentor.ID, mentor.ID, "Dr Odhiambo", "/start", "")
	say("dm-"+amina, amina, "Amina Otieno", "/start", "")
	say("ward", brigitte, "Brigitte Mwangi", "Habari za asubuhi", "")
	ward := h.Last("ward")
	say("ward", amina, "Amina Otieno", "/lesson quick-quiz", "")
	h.Wait("ward", ward, "Upper limit")
	say("ward", amina, "Amina Otieno", "twenty breaths", "")
	say("ward", amina, "Amina Otieno", "20", "")
	say("ward", brigitte, "Brigitte Mwangi", "19,5 /min", "")
	q := h.Wait("ward", ward, "Who is seen first?")
	for _, who := range []string{amina, brigitte} {
		if err := h.Sim.Press(context.Background(), sim.Press{Chat: "ward", Sender: who, MessageID: q.ID, Data: q.Options[1].Data}); err != nil {
			t.Fatal(err)
		}
	}
	h.Wait("ward", ward, "Take three seconds")
	h.App.Clock.Advance(3 * time.Second)
	h.Wait("ward", ward, "Members who took part")

	// A case naming the patient, posted redacted; a reply; the mentor.
	dm := h.Last("dm-" + amina)
	say("ward", amina, "Amina Otieno", "/case Mrs Wanjiru Kamau, 0722 123 456, heavy bleeding after delivery, BP 90/60. What next?", "")
	offer := h.Wait("dm-"+amina, dm, "[removed]")
	if err := h.Sim.Press(context.Background(), sim.Press{Chat: "dm-" + amina, Sender: amina, MessageID: offer.ID, Data: offer.Options[0].Data}); err != nil {
		t.Fatal(err)
	}
	post := h.Wait("ward", ward, "Case #C1")
	say("ward", brigitte, "Brigitte Mwangi", "Rub up the fundus and empty the bladder", post.ID)
	say("ward", brigitte, "Brigitte Mwangi", "/escalate 1", "")
	h.Wait("dm-"+mentor.ID, 0, "Case #C1")
	say("dm-"+amina, amina, "Amina Otieno", "/queue", "") // refused, and logged
	say("dm-"+mentor.ID, mentor.ID, "Dr Odhiambo", "/answer 1 Misoprostol 800 micrograms and tranexamic acid", "")
	h.Wait("ward", ward, "A mentor's answer to case #C1")
	say("dm-"+mentor.ID, mentor.ID, "Dr Odhiambo", "/close 1", "")
	h.Wait("dm-"+mentor.ID, 0, "Case #C1 is closed")
	// Her data, as a summary and a file: nothing of it in the log either.
	h.myData(amina, "Amina Otieno")

	out := logs.String()
	if !strings.Contains(out, "command refused") {
		t.Fatalf("the log did not capture the run:\n%s", out)
	}
	secrets := []string{amina, brigitte, mentor.ID, "0722 123 456", "Amina", "Brigitte", "Odhiambo", "Wanjiru", "Kamau"}
	for _, text := range said {
		if len(text) >= 8 {
			secrets = append(secrets, text)
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the info log holds %q:\n%s", s, out)
		}
	}
}
