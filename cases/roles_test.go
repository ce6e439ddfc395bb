package cases_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// snapshot is what a refused command must leave as it was: every case
// and its thread.
func (w *world) snapshot() string {
	w.t.Helper()
	var b strings.Builder
	err := w.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		for id := int64(1); ; id++ {
			c, err := tx.CaseByID(id)
			if errors.Is(err, bot.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			posts, err := tx.CasePosts(id)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%+v %+v\n", c, posts)
		}
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return b.String()
}

// TestRefusals: a learner answering, a mentor answering a case assigned
// to another, /case 999, an empty /case, and a reply to a closed case each
// get a clear reply and change nothing; refusals of mentors' commands are
// logged.
func TestRefusals(t *testing.T) {
	logs := &huddletest.LogBuffer{}
	w := newWorld(t, func(c *cases.Config) { c.Logger = logs.Logger() })
	for _, who := range []string{"amina", "mentor1", "mentor2"} {
		w.say("dm-"+who, who, "/start", "")
	}
	w.say("ward", "brigitte", "Morning", "")
	ward := w.last("ward")
	w.say("ward", "amina", "/case Woman of 30, PPH after delivery, 1 L loss despite oxytocin. What next?", "")
	post := w.expect("ward", ward, "Case #C1, shared by Amina")
	m1 := w.last("dm-mentor1")
	w.say("ward", "brigitte", "/escalate 1", "")
	w.expect("dm-mentor1", m1, "Case #C1 from Ward 3")

	tests := []struct {
		name, chat, who, text string
		replyTo               func() string
		want                  string
	}{
		{"a learner answers", "dm-amina", "amina", "/answer 1 Give misoprostol.", nil, "Only mentors can do that."},
		{"a learner takes", "ward", "brigitte", "/take 1", nil, "Only mentors can do that."},
		{"a mentor answers another's case", "dm-mentor2", "mentor2", "/answer 1 Give misoprostol.", nil, "Case #C1 is with another mentor."},
		{"a case that does not exist", "ward", "amina", "/case 999", nil, "There is no case #C999 here."},
		{"an empty case", "ward", "amina", "/case", nil, "Share a de-identified case: /case followed by the case"},
		{"a case too short to discuss", "ward", "amina", "/case help", nil, "Share a de-identified case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, seq := w.snapshot(), w.last(tt.chat)
			w.say(tt.chat, tt.who, tt.text, "")
			w.expect(tt.chat, seq, tt.want)
			if after := w.snapshot(); after != before {
				t.Errorf("cases changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
	if got := strings.Count(logs.String(), "command refused"); got != 2 {
		t.Errorf("%d refusals logged, want 2 (the learner's /answer and /take):\n%s", got, logs)
	}
	if strings.Contains(logs.String(), "misoprostol") {
		t.Errorf("a refused command's text reached the log:\n%s", logs)
	}

	// Closed: a reply to the case no longer joins its thread.
	w.say("dm-mentor1", "mentor1", "/close 1", "")
	w.expect("dm-mentor1", m1, "Case #C1 is closed")
	before, seq := w.snapshot(), w.last("ward")
	w.say("ward", "chinedu", "Did she need a transfusion in the end?", post.ID)
	w.expect("ward", seq, "Case #C1 is closed, so replies no longer join it")
	if after := w.snapshot(); after != before {
		t.Errorf("a reply to a closed case changed it:\n%s\nwas\n%s", after, before)
	}
}

// TestMentorCommand: staff add a mentor with /mentor, who then gets cases
// and may answer them; the config's mentors cannot be removed by command;
// anyone else is refused.
func TestMentorCommand(t *testing.T) {
	logs := &huddletest.LogBuffer{}
	w := newWorld(t, func(c *cases.Config) { c.Logger = logs.Logger() })
	lead := w.last("dm-lead")
	w.say("dm-lead", "lead", "/mentor add obstetrics sim:zola", "")
	w.expect("dm-lead", lead, "sim:zola has not written to me yet")
	w.say("dm-zola", "zola", "/start", "")
	zola := w.last("dm-zola")
	for _, tc := range []struct{ text, want string }{
		{"/mentor add obstetrics sim:zola", "Zola is now a mentor of the obstetrics queue."},
		{"/mentor add obstetrics sim:zola", "Zola is already a mentor of the obstetrics queue."},
		{"/mentor add paediatrics sim:zola", `There is no queue "paediatrics". Queues: obstetrics.`},
		{"/mentor add obstetrics", "Whom? Reply to the member's message with /mentor add obstetrics"},
		{"/mentor hire obstetrics", "/mentor add QUEUE CHANNEL:ID"},
		{"/mentor remove obstetrics sim:mentor1", "has not written to me yet"},
		{"/mentor", "• obstetrics: sim:mentor1, sim:mentor2, Zola (sim:zola, /mentor)"},
	} {
		seq := w.last("dm-lead")
		w.say("dm-lead", "lead", tc.text, "")
		w.expect("dm-lead", seq, tc.want)
	}
	w.expect("dm-zola", zola, "You are now a mentor of the obstetrics queue")

	// The config's mentors have not written to the bot: the case goes to Zola.
	ward := w.last("ward")
	w.say("ward", "amina", "/case Newborn of 2 hours, 1.9 kg, temperature 35.4. What before referral?", "")
	w.expect("ward", ward, "Case #C1, shared by Amina")
	w.say("ward", "amina", "/escalate 1", "")
	copyMsg := w.expect("dm-zola", zola, "Case #C1 from Ward 3")
	w.say("dm-zola", "zola", "Skin-to-skin now, a hat, and feed within the hour.", copyMsg.ID)
	w.expect("ward", ward, "A mentor's answer to case #C1 (Zola)", "Skin-to-skin")

	// Others are refused, and it is logged; in a group it must go private.
	amina := w.last("dm-amina")
	w.say("dm-amina", "amina", "/mentor add obstetrics sim:amina", "")
	w.expect("dm-amina", amina, "Only program staff can use /mentor.")
	if !strings.Contains(logs.String(), "command refused") || !strings.Contains(logs.String(), "command=mentor") {
		t.Errorf("the refusal is not logged:\n%s", logs)
	}
	ward = w.last("ward")
	w.say("ward", "lead", "/mentor", "")
	w.expect("ward", ward, "Send this to me in a private chat.")

	// Removed: Zola is no longer a mentor.
	w.say("dm-mentor1", "mentor1", "/start", "")
	seq := w.last("dm-lead")
	w.say("dm-lead", "lead", "/mentor remove obstetrics sim:mentor1", "")
	w.expect("dm-lead", seq, "Mentor1 is a mentor of the obstetrics queue in the config file")
	w.say("dm-lead", "lead", "/mentor remove obstetrics sim:zola", "")
	w.expect("dm-lead", seq, "Zola is no longer a mentor of the obstetrics queue.")
	zola = w.last("dm-zola")
	w.say("dm-zola", "zola", "/queue", "")
	w.expect("dm-zola", zola, "Only mentors can do that.")

	// In the group, by replying to her message, and by mentioning her.
	morning := w.say("ward", "zola", "Good morning, ward 3", "")
	ward = w.last("ward")
	w.say("ward", "lead", "/mentor add obstetrics", morning.ID)
	w.expect("ward", ward, "Zola is now a mentor of the obstetrics queue.")
	w.expect("dm-zola", zola, "You are now a mentor of the obstetrics queue")
	m, err := w.sim.Post(context.Background(), sim.Post{Chat: "ward", ChatType: bot.Group, Sender: "lead", Name: "Lead",
		Text: "/mentor remove obstetrics @Zola", Mentions: []string{"zola"}})
	if err != nil {
		t.Fatal(err)
	}
	w.expect("ward", m.Seq, "Zola is no longer a mentor of the obstetrics queue.")
	// A reply to the bot's own message names no one.
	bots := w.expect("ward", 0, "Case #C1")
	ward = w.last("ward")
	w.say("ward", "lead", "/mentor add obstetrics", bots.ID)
	w.expect("ward", ward, "Whom?")
}

// TestTimersSurviveRestart runs a lesson's discussion on a fake clock,
// restarting Huddle between each step: with no peer reply within
// escalate_after the case goes to a mentor; unanswered, the mentor is
// reminded after the response target and the case reassigned after half
// as long again; each message is sent once.
func TestTimersSurviveRestart(t *testing.T) {
	s := sim.New(nil)
	svc := &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {mentor1, mentor2}}, Capacity: 5}
	opts := huddletest.Options{Lessons: "testdata/lessons", Cases: svc, Staff: []bot.StaffRef{lead},
		DBPath: filepath.Join(t.TempDir(), "huddle.db"), Clock: huddletest.NewClock()}
	w := &world{t: t, sim: s, app: huddletest.Start(t, opts, s)}
	restart := func() {
		w.app.Stop()
		w.app = huddletest.Start(t, opts, s)
	}
	var postErr error
	testkit.Eventually(t, 5*time.Second, "the simulator to take a message", func() bool {
		_, postErr = s.Post(context.Background(), sim.Post{Chat: "dm-mentor1", ChatType: bot.Direct, Sender: "mentor1", Name: "Mentor1", Text: "/start"})
		return postErr == nil
	}, func() string { return postErr.Error() })
	for _, who := range []string{"mentor2", "lead"} {
		w.say("dm-"+who, who, "/start", "")
	}
	w.say("ward", "brigitte", "Morning", "")
	ward := w.last("ward")
	w.say("ward", "amina", "/lesson quiet-case", "")
	prompt := w.expect("ward", ward, "Share a de-identified case from this week.")
	w.say("ward", "amina", "Para 3, retained placenta, 700 mL loss; manual removal in theatre.", prompt.ID)

	restart()
	m1, m2, leadDM := w.last("dm-mentor1"), w.last("dm-mentor2"), w.last("dm-lead")
	w.app.Clock.Advance(2*time.Hour + time.Minute)
	w.expect("ward", ward, "No peer has replied to case #C1 yet")
	w.expect("dm-mentor1", m1, "Case #C1 from Ward 3", "Amina: Para 3, retained placenta")

	restart()
	w.app.Clock.Advance(24 * time.Hour)
	w.expect("dm-mentor1", m1, "Case #C1 has waited 24h for your answer")
	w.expect("dm-lead", leadDM, "Case #C1 in Ward 3 (obstetrics queue) has had no mentor's answer for 24h")
	w.none("dm-mentor2", m2)

	restart()
	w.app.Clock.Advance(12 * time.Hour)
	w.expect("dm-mentor2", m2, "Case #C1 from Ward 3")
	w.expect("dm-mentor1", m1, "Case #C1 went to another mentor")

	restart()
	time.Sleep(200 * time.Millisecond) // anything replayed would show by now
	for chat, texts := range map[string][]string{
		"ward":       {"No peer has replied to case #C1"},
		"dm-mentor1": {"Case #C1 from Ward 3", "Case #C1 has waited", "Case #C1 went to another mentor"},
		"dm-mentor2": {"Case #C1 from Ward 3"},
		"dm-lead":    {"Case #C1 in Ward 3"},
	} {
		for _, text := range texts {
			n := 0
			for _, m := range s.Messages(context.Background(), chat, 0, 0) {
				if m.Bot && strings.Contains(m.Text, text) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s got %q %d times, want once", chat, text, n)
			}
		}
	}
	if c := w.caseByID(1); c.Status != bot.CaseAssigned || c.Overdue.IsZero() || c.Assigned.Sub(c.Escalated) != 36*time.Hour {
		t.Errorf("case after the restarts: %+v", c)
	}
}

// TestNoMentorSetUp: with no mentor queue, /escalate tells the group that
// no mentor is set up (not "with the  mentors") and the staff are told;
// with a queue and no mentor yet, the same, and the waiting case goes to
// the first mentor staff add, at once.
func TestNoMentorSetUp(t *testing.T) {
	t.Run("no queue", func(t *testing.T) {
		w := newWorld(t, func(c *cases.Config) { c.Mentors = nil })
		ward, lead := w.last("ward"), w.last("dm-lead")
		w.say("ward", "amina", "/case Woman of 25, bleeding after delivery, oxytocin given. What next?", "")
		post := w.expect("ward", ward, "Case #C1")
		w.say("ward", "brigitte", "/escalate", post.ID)
		got := w.expect("ward", ward, "Case #C1 needs a mentor, but none is set up for this group yet")
		if strings.Contains(got.Text, "the  mentors") {
			t.Errorf("the group was told %q", got.Text)
		}
		w.expect("dm-lead", lead, "Case #C1 in Ward 3 was sent to a mentor, but no mentor queue is named")
		ward = w.last("ward")
		w.say("ward", "brigitte", "/escalate 1", "")
		w.expect("ward", ward, "needs a mentor, but none is set up")
	})
	t.Run("a queue without mentors", func(t *testing.T) {
		w := newWorld(t, func(c *cases.Config) { c.Mentors = map[string][]bot.StaffRef{"obstetrics": nil} })
		w.say("dm-mentor1", "mentor1", "/start", "")
		ward, lead := w.last("ward"), w.last("dm-lead")
		w.say("ward", "amina", "/case Woman of 25, bleeding after delivery, oxytocin given. What next?", "")
		w.say("ward", "amina", "/escalate 1", "")
		w.expect("ward", ward, "Case #C1 needs a mentor, but none is set up")
		w.expect("dm-lead", lead, "no mentor is set up for the obstetrics queue")
		m1 := w.last("dm-mentor1")
		w.say("dm-lead", "lead", "/mentor add obstetrics sim:mentor1", "")
		w.expect("dm-mentor1", m1, "Case #C1 from Ward 3")
	})
}
