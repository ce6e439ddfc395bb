package cases_test

import (
	"testing"
	"time"
)

// TestMentorsDigest: a mentor with a case that waited overnight gets,
// privately, one digest of their cases each morning between 08:00 and
// 10:00 (not when the case was just given to them, not before 08:00, not
// twice a day), and none once they have no case.
func TestMentorsDigest(t *testing.T) {
	w := newWorld(t)
	for _, who := range []string{"amina", "mentor1", "mentor2"} {
		w.say("dm-"+who, who, "/start", "")
	}
	ward := w.last("ward")
	w.say("ward", "amina", "/case Woman of 30, 1 L loss after delivery despite oxytocin. What next?", "")
	w.expect("ward", ward, "Case #C1, shared by")
	m1, m2 := w.last("dm-mentor1"), w.last("dm-mentor2")
	w.say("ward", "amina", "/escalate 1", "")
	w.expect("dm-mentor1", m1, "Case #C1 from")
	m1 = w.last("dm-mentor1")
	w.none("dm-mentor1", m1) // 08:30: given to them just now

	w.app.Clock.Advance(23 * time.Hour) // 07:30 the next day
	w.none("dm-mentor1", m1)
	w.app.Clock.Advance(40 * time.Minute) // 08:10
	w.expect("dm-mentor1", m1, "🩺 Good morning. Your cases today:", "#C1, Ward", "Woman of 30")
	w.none("dm-mentor2", m2) // no case, no digest
	m1 = w.last("dm-mentor1")
	w.app.Clock.Advance(15 * time.Minute) // 08:25: sent today already
	w.none("dm-mentor1", m1)

	w.say("dm-mentor1", "mentor1", "/answer 1 Bimanual compression, tranexamic acid, and call for help.", "")
	w.expect("dm-mentor1", m1, "Thank you: your answer is posted")
	m1 = w.last("dm-mentor1")
	w.app.Clock.Advance(24 * time.Hour) // the next morning: no case left
	w.none("dm-mentor1", m1)
}
