package cases_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
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

// world is Huddle on the simulator with case discussions: a ward group,
// two obstetrics mentors (one case each at a time), and a programme lead.
type world struct {
	t   *testing.T
	sim *sim.Sim
	app *huddletest.App
}

var (
	mentor1 = bot.StaffRef{Channel: "sim", ID: "mentor1"}
	mentor2 = bot.StaffRef{Channel: "sim", ID: "mentor2"}
	lead    = bot.StaffRef{Channel: "sim", ID: "lead"}
)

func newWorld(t *testing.T, change ...func(*cases.Config)) *world {
	t.Helper()
	s := sim.New(nil)
	cfg := cases.Config{
		Mentors:  map[string][]bot.StaffRef{"obstetrics": {mentor1, mentor2}},
		Capacity: 1,
		Target:   24 * time.Hour,
		Staff:    []bot.StaffRef{lead},
	}
	for _, f := range change {
		f(&cfg)
	}
	pseudo, log := cfg.Pseudonyms, cfg.Logger
	cfg.Staff, cfg.Pseudonyms, cfg.Logger = nil, false, nil // given to the App, once
	app := huddletest.Start(t, huddletest.Options{Staff: []bot.StaffRef{lead}, Cases: &cfg, Pseudonyms: pseudo, Logger: log}, s)
	w := &world{t: t, sim: s, app: app}
	testkit.Eventually(t, 5*time.Second, "the simulator to take a message", func() bool {
		_, err := s.Post(context.Background(), sim.Post{Chat: "dm-lead", ChatType: bot.Direct, Sender: "lead", Name: "Lead", Text: "/start"})
		return err == nil
	})
	return w
}

// say posts as a member and returns the message posted.
func (w *world) say(chat, who, text, replyTo string) sim.Message {
	w.t.Helper()
	typ := bot.Group
	if strings.HasPrefix(chat, "dm-") {
		typ = bot.Direct
	}
	m, err := w.sim.Post(context.Background(), sim.Post{Chat: chat, ChatType: typ, ChatTitle: title(chat), Sender: who,
		Name: strings.ToUpper(who[:1]) + who[1:], Text: text, ReplyTo: replyTo})
	if err != nil {
		w.t.Fatalf("%s says %q: %v", who, text, err)
	}
	return m
}

func title(chat string) string {
	if chat == "ward" {
		return "Ward 3"
	}
	return ""
}

// expect waits for a bot message in chat, after seq, containing all of
// want, and returns it.
func (w *world) expect(chat string, after int64, want ...string) sim.Message {
	w.t.Helper()
	var found sim.Message
	testkit.Eventually(w.t, 15*time.Second, fmt.Sprintf("a message in %s with %q", chat, want), func() bool {
		for _, m := range w.sim.Messages(context.Background(), chat, after, 0) {
			if m.Bot && containsAll(m.Text, want) {
				found = m
				return true
			}
		}
		return false
	}, func() string {
		var got []string
		for _, m := range w.sim.Messages(context.Background(), chat, after, 0) {
			if m.Bot {
				got = append(got, m.Text)
			}
		}
		return "the bot sent:\n" + strings.Join(got, "\n---\n")
	})
	w.recorded(found)
	return found
}

// recorded waits, up to two seconds, until the store has recorded the
// bot's message m as sent, with its id: the simulator shows it a moment
// before (the sender marks it once Send returns), and a member who
// replies to it must find it known, as a person's reply, seconds later,
// always does. On PostgreSQL, where marking it is a round trip, a test
// replying at once lost that race now and then. (A transient message is
// never found: its row goes once it is sent.)
func (w *world) recorded(m sim.Message) {
	testkit.Until(2*time.Second, func() bool {
		_, err := w.app.DB.SentMessage(context.Background(), sim.Name, m.ID)
		return err == nil
	})
}

// none checks that the bot sent nothing more to chat after seq.
func (w *world) none(chat string, after int64) {
	w.t.Helper()
	time.Sleep(100 * time.Millisecond)
	for _, m := range w.sim.Messages(context.Background(), chat, after, 0) {
		if m.Bot {
			w.t.Fatalf("unexpected message in %s: %q", chat, m.Text)
		}
	}
}

func (w *world) last(chat string) int64 {
	msgs := w.sim.Messages(context.Background(), chat, 0, 0)
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].Seq
}

func containsAll(s string, want []string) bool {
	for _, x := range want {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func (w *world) caseByID(id int64) bot.Case {
	w.t.Helper()
	var c bot.Case
	err := w.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		var err error
		c, err = tx.CaseByID(id)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// TestCaseDiscussion follows two cases from the group to the mentors and
// back: a case that names a patient is held back and posted only redacted,
// peers reply in the thread, /escalate goes round-robin to mentors who
// answer by replying, an unanswered case is reminded and reassigned with
// the staff told, and answered cases are found in the archive by members
// of the group only. The raw text of the held-back case is nowhere in the
// database files.
func TestCaseDiscussion(t *testing.T) {
	w := newWorld(t)
	for _, who := range []string{"amina", "mentor1", "mentor2"} {
		w.say("dm-"+who, who, "/start", "")
	}
	for _, who := range []string{"amina", "brigitte", "chinedu"} {
		w.say("ward", who, "Good morning", "")
	}

	// 1. A case that names the patient is not posted; its author is told
	// privately and offered a redacted version.
	ward, dm := w.last("ward"), w.last("dm-amina")
	flagged := w.say("ward", "amina", "/case Mrs Wanjiru Kamau, 0722 123 456, heavy bleeding an hour after delivery, BP 90/60. Oxytocin given. What next?", "")
	// Taken down from the group, which hears only that a message was
	// removed for privacy: nothing repeats or quotes it.
	w.expect("ward", ward, "A message was removed for privacy", "Amina, I have written to you privately")
	w.takenDown(flagged)
	for _, m := range w.sim.Messages(context.Background(), "ward", ward, 0) {
		if m.Bot && (m.ReplyTo == flagged.ID || strings.Contains(m.Text, "Wanjiru") || strings.Contains(m.Text, "0722")) {
			t.Errorf("the group got %+v, which shows the flagged case again", m)
		}
	}
	offer := w.expect("dm-amina", dm, "I found: a name and a phone number", "Mrs [removed], [removed], heavy bleeding")
	if len(offer.Options) != 2 {
		t.Fatalf("the offer has options %v; want post and discard", offer.Options)
	}
	w.none("ward", w.last("ward"))

	// 2. She posts the redacted version: it becomes case #C1 in the group.
	ward, dm = w.last("ward"), w.last("dm-amina")
	if err := w.sim.Press(context.Background(), sim.Press{Chat: "dm-amina", Sender: "amina", MessageID: offer.ID, Data: offer.Options[0].Data}); err != nil {
		t.Fatal(err)
	}
	w.expect("dm-amina", dm, "Posted as case #C1 in Ward 3")
	post := w.expect("ward", ward, "Case #C1, shared by Amina", "Mrs [removed], [removed], heavy bleeding")

	// 3. Two replies in the thread; the bot says nothing.
	ward = w.last("ward")
	w.say("ward", "brigitte", "Check the uterus is firm and the bladder empty; massage it.", post.ID)
	w.say("ward", "chinedu", "Start a second IV line and keep her warm.", post.ID)
	w.none("ward", ward)

	// 4. Another member escalates it: the first mentor gets it privately,
	// with the thread so far.
	m1 := w.last("dm-mentor1")
	w.say("ward", "chinedu", "/escalate", post.ID)
	w.expect("ward", ward, "Case #C1 is with the obstetrics mentors", "a mentor has it")
	assigned := w.expect("dm-mentor1", m1, "Case #C1 from Ward 3", "Mrs [removed]", "Brigitte: Check the uterus", "Chinedu: Start a second IV line", "/answer 1")

	// 5. The mentor answers by replying: the answer goes to the group,
	// quoting the case, and the author is told.
	ward, dm, m1 = w.last("ward"), w.last("dm-amina"), w.last("dm-mentor1")
	w.say("dm-mentor1", "mentor1", "Give a second uterotonic (misoprostol 800 mcg), start tranexamic acid within 3 hours, and call for help.", assigned.ID)
	answer := w.expect("ward", ward, "A mentor's answer to case #C1 (Mentor1)", "tranexamic acid")
	if answer.ReplyTo != post.ID {
		t.Errorf("the answer quotes %q; want the case's message %q", answer.ReplyTo, post.ID)
	}
	w.expect("dm-amina", dm, "Your case #C1 in Ward 3 has a mentor's answer")
	w.expect("dm-mentor1", m1, "your answer is posted in Ward 3")
	c1 := w.caseByID(1)
	if c1.Status != bot.CaseAnswered || c1.FirstReply.IsZero() || c1.Escalated.IsZero() || c1.Assigned.IsZero() || c1.FirstAnswer.IsZero() {
		t.Errorf("case 1 metrics: %+v", c1)
	}

	// 6. A second case goes, in turn, to the second mentor, who does not
	// answer: reminded after the target, the staff told; reassigned after
	// half as long again.
	ward = w.last("ward")
	w.say("ward", "brigitte", "/case Woman of 30, 36 weeks, headache and BP 160/110. Magnesium started. Deliver now or wait?", "")
	w.expect("ward", ward, "Case #C2, shared by Brigitte")
	m1, m2, leadDM := w.last("dm-mentor1"), w.last("dm-mentor2"), w.last("dm-lead")
	w.say("ward", "brigitte", "/escalate 2", "")
	w.expect("dm-mentor2", m2, "Case #C2 from Ward 3")
	w.app.Clock.Advance(24 * time.Hour)
	w.expect("dm-mentor2", m2, "Case #C2 has waited 24h for your answer")
	w.expect("dm-lead", leadDM, "Case #C2 in Ward 3 (obstetrics queue) has had no mentor's answer for 24h")
	w.none("dm-mentor1", m1)
	w.app.Clock.Advance(12 * time.Hour)
	w.expect("dm-mentor1", m1, "Case #C2 from Ward 3")
	w.expect("dm-mentor2", m2, "Case #C2 went to another mentor")

	// 7. The mentor's queue, an answer by command, and closing.
	m1 = w.last("dm-mentor1")
	w.say("dm-mentor1", "mentor1", "/queue", "")
	w.expect("dm-mentor1", m1, "#C2, Ward 3 (yours")
	w.say("dm-mentor1", "mentor1", "/answer 2 With severe pre-eclampsia at 36 weeks, stabilise with magnesium and antihypertensives, then deliver.", "")
	w.expect("ward", ward, "A mentor's answer to case #C2", "pre-eclampsia")
	w.say("dm-mentor1", "mentor1", "/close 2", "")
	w.expect("dm-mentor1", m1, "Case #C2 is closed")

	// 8. The archive: members of the group find answered cases; others
	// do not, and cannot open them.
	dm = w.last("dm-amina")
	w.say("dm-amina", "amina", "/cases tranexamic", "")
	w.expect("dm-amina", dm, "#C1, Ward 3")
	w.say("dm-amina", "amina", "/cases eclampsia magnesium", "")
	w.expect("dm-amina", dm, "#C2, Ward 3")
	w.say("dm-amina", "amina", "/case 1", "")
	w.expect("dm-amina", dm, "Case #C1, Ward 3, answered", "👩‍⚕️ Mentor1: Give a second uterotonic")
	out := w.last("dm-zola")
	w.say("dm-zola", "zola", "/cases tranexamic", "")
	w.expect("dm-zola", out, "No answered case in your groups matches")
	w.say("dm-zola", "zola", "/case 1", "")
	w.expect("dm-zola", out, "There is no case #C1 here")

	// 9. Mentor commands are refused to others.
	w.say("dm-amina", "amina", "/queue", "")
	w.expect("dm-amina", dm, "Only mentors can do that")

	// The held-back text never reached the database.
	w.app.Stop()
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(w.app.Path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, secret := range []string{"Wanjiru", "Kamau", "0722 123 456"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds %q", filepath.Base(w.app.Path+suffix), secret)
			}
		}
	}
}

// TestLessonCases runs a lesson's discuss and escalate steps: the first
// discussion gets no peer reply and goes to a mentor after escalate_after;
// the lesson waits open_for, then its escalate step sends the second
// discussion to a mentor with the lesson's note, replies or not.
func TestLessonCases(t *testing.T) {
	s := sim.New(nil)
	svc := &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {mentor1}}, Capacity: 5}
	app := huddletest.Start(t, huddletest.Options{Lessons: "testdata/lessons", Cases: svc}, s)
	w := &world{t: t, sim: s, app: app}
	testkit.Eventually(t, 5*time.Second, "the simulator to take a message", func() bool {
		_, err := s.Post(context.Background(), sim.Post{Chat: "dm-mentor1", ChatType: bot.Direct, Sender: "mentor1", Name: "Mentor1", Text: "/start"})
		return err == nil
	})
	w.say("ward", "brigitte", "Morning", "")
	ward, m1 := w.last("ward"), w.last("dm-mentor1")
	w.say("ward", "amina", "/lesson case-lesson", "")
	prompt := w.expect("ward", ward, "Share a de-identified PPH case")
	// Amina, who started the lesson, shares a case in the thread; no peer
	// answers her within two hours.
	w.say("ward", "amina", "Para 3, retained placenta, 700 mL loss; manual removal in theatre.", prompt.ID)
	w.app.Clock.Advance(2 * time.Hour)
	w.expect("ward", ward, "No peer has replied to case #C1 yet, so it goes to the obstetrics mentors")
	w.expect("dm-mentor1", m1, "Case #C1 from Ward 3", "Share a de-identified PPH case", "Amina: Para 3, retained placenta")
	// open_for passes: the second discussion, then its escalation with the
	// lesson's note, though Brigitte replied.
	w.app.Clock.Advance(4 * time.Hour)
	second := w.expect("ward", ward, "Which step of the PPH bundle is hardest")
	w.say("ward", "brigitte", "Getting tranexamic acid from the pharmacy at night.", second.ID)
	w.expect("dm-mentor1", m1, "Case #C2 from Ward 3", "📘 the lesson: Please comment on the group's answers")
	w.expect("ward", ward, "Case #C2 is with the obstetrics mentors")
	w.expect("ward", ward, "Thanks for sharing")
}

// TestTemplate checks a group that shares cases in the structured form:
// a case missing a field gets the form back; a filled one is posted.
func TestTemplate(t *testing.T) {
	w := newWorld(t, func(c *cases.Config) { c.TemplateGroups = []string{"sim:ward"} })
	ward := w.last("ward")
	w.say("ward", "amina", "/case Heavy bleeding after delivery, what next?", "")
	w.expect("ward", ward, "This group shares cases in a set form", "Age band:")
	ward = w.last("ward")
	w.say("ward", "amina", "/case\nAge band: 25-29\nSex: F\nPresentation: PPH, 1 L, uterus boggy\nDone so far: oxytocin, massage\nQuestion: next drug?", "")
	w.expect("ward", ward, "Case #C1, shared by Amina", "Presentation: PPH, 1 L")
	// Other groups are free-form.
	w.say("other", "amina", "/case Heavy bleeding after delivery, what next?", "")
	w.expect("other", 0, "Case #C2, shared by Amina")
}

// TestPrivateMessagesInGroupLanguage: in a French group, a member who
// chose no language is written to privately in French (the held-back
// case's offer, with what was removed marked in French, its
// confirmation, the mentor's answer), and so is a mentor who is a member
// of that group.
func TestPrivateMessagesInGroupLanguage(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, who := range []string{"amina", "mentor1"} {
		w.say("dm-"+who, who, "/start", "")
	}
	w.say("ward", "brigitte", "/lang fr", "")
	w.say("ward", "amina", "Bonjour", "")
	w.say("ward", "mentor1", "Bonjour", "")
	dm := w.last("dm-amina")
	w.say("ward", "amina", "/case Mme Wanjiru Kamau, 0722 123 456, saigne après l'accouchement. Que faire ?", "")
	offer := w.expect("dm-amina", dm, "Votre cas pour Ward 3 n'a pas été publié", "Mme [retiré], [retiré], saigne")
	if len(offer.Options) != 2 || offer.Options[0].Label != "Publier cette version" {
		t.Fatalf("the offer's options: %+v", offer.Options)
	}
	if err := w.sim.Press(ctx, sim.Press{Chat: "dm-amina", Sender: "amina", MessageID: offer.ID, Data: offer.Options[0].Data}); err != nil {
		t.Fatal(err)
	}
	w.expect("dm-amina", dm, "Publié comme cas #C1 dans Ward 3")
	m1 := w.last("dm-mentor1")
	w.say("ward", "brigitte", "/escalate 1", "")
	assigned := w.expect("dm-mentor1", m1, "#C1")
	if strings.Contains(assigned.Text, "for you to answer") {
		t.Errorf("the mentor, a member of the French group, was written to in English: %q", assigned.Text)
	}
	w.say("dm-mentor1", "mentor1", "Donnez du misoprostol et appelez de l'aide.", assigned.ID)
	w.expect("dm-amina", dm, "Votre cas #C1 dans Ward 3 a reçu la réponse d'un mentor")
}
