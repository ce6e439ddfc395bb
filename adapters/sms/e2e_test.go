package sms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/smsfake"
	"github.com/huddlebot/huddle/store"
)

// phone is one member's handset on the fake gateway: what they text, and
// what they have read so far.
type phone struct {
	t    *testing.T
	fake *smsfake.Twilio
	sms.Phone
	read int
}

// text has the member text the bot, and fails unless the webhook took it.
func (p *phone) text(body string) {
	p.t.Helper()
	testkit.Eventually(p.t, 5*time.Second, "the channel to take "+p.Name+"'s text", func() bool { return p.fake.Text(p.t, p.Number, body) == 200 })
}

// wait waits for a text containing want among those not yet read, and
// returns it; what came before it is read too.
func (p *phone) wait(want string) string {
	p.t.Helper()
	var got string
	testkit.Eventually(p.t, 20*time.Second, p.Name+"'s phone to show "+want, func() bool {
		texts := p.fake.Texts(p.Number)
		for i := p.read; i < len(texts); i++ {
			if strings.Contains(texts[i].Body, want) {
				got, p.read = texts[i].Body, i+1
				return true
			}
		}
		return false
	})
	return got
}

// none fails if a text containing want reached the member.
func (p *phone) none(want string) {
	p.t.Helper()
	for _, tx := range p.fake.Texts(p.Number) {
		if strings.Contains(tx.Body, want) {
			p.t.Errorf("%s's phone shows %q", p.Name, tx.Body)
		}
	}
}

// TestCourseBySMS runs a course end to end over the Twilio fake, with two
// members who learn by SMS and the programme's lead: the lead assigns it
// by text; each lesson reaches both phones at its hour; they answer the
// quiz by digits; a case one of them shares is discussed, the other's
// reply reaching her as a digest; the course ends on both phones.
func TestCourseBySMS(t *testing.T) {
	lead := sms.Phone{Number: "+254700000009", Name: "Grace"}
	notes := &lateNotebook{}
	ch, fake, _ := overTwilio(t, sms.Config{Notebook: notes, Digest: 300 * time.Millisecond, Gather: 300 * time.Millisecond,
		Cohorts: []sms.Cohort{{ID: "ward-7-sms", Title: "Ward 7", Members: []sms.Phone{amina, brigitte, lead}}}}, 20)
	app := huddletest.Start(t, huddletest.Options{Lessons: "testdata/lessons", Staff: []bot.StaffRef{{Channel: sms.Name, ID: lead.Number}},
		Cases: &cases.Config{}, Opened: func(db *store.DB) { notes.db = db }}, ch)
	clk := app.Clock // Monday 2 March 2026, 08:30
	a, b, g := &phone{t: t, fake: fake, Phone: amina}, &phone{t: t, fake: fake, Phone: brigitte}, &phone{t: t, fake: fake, Phone: lead}
	for _, p := range []*phone{a, b} {
		p.text("Hello everyone")
	}
	// The lead assigns the course by text: the answer is hers alone, and
	// too long for three segments, so it comes in two.
	g.text("/assign sms-course")
	g.wait("(1/2) 📚 This group starts the course Newborn care by SMS")
	g.wait("(2/2) Passing earns 2 CPD hours")
	a.none("starts the course")
	// Their greetings reached each other as digests.
	if got := a.wait("Ward 7:"); got != "Ward 7:\nBrigitte: Hello everyone" {
		t.Errorf("Amina's digest %q", got)
	}
	b.wait("Amina: Hello everyone")

	// Nine o'clock: the lesson reaches both phones, its title and words
	// joined in one SMS, then the question with its options numbered.
	clk.Advance(30 * time.Minute)
	for _, p := range []*phone{a, b} {
		got := p.wait("Newborn care by SMS: lesson 1 of 2")
		if !strings.Contains(got, "📘 Danger signs") || !strings.Contains(got, "Count breaths for a full minute") {
			t.Errorf("%s's lesson %q", p.Name, got)
		}
		if got := p.wait("Which is a danger sign"); !strings.Contains(got, "\n1. Fast breathing\n2. Sneezing\n3. Hiccups") {
			t.Errorf("%s's question %q", p.Name, got)
		}
	}
	// Answers by digit; each hears their own feedback alone.
	a.text("1")
	b.text(" 2. ")
	a.wait("✅ Correct!")
	b.wait("❌ Not quite. The answer: 1. Fast breathing.")
	a.none("Not quite")
	b.wait("Members who took part: 2; passed: 1")

	// A case, discussed: its card reaches everyone; Amina's reply, by its
	// number, reaches Brigitte and the lead in a digest.
	b.text("/case Woman 28 years, heavy bleeding after delivery at home, pulse 110. Oxytocin given. What next?")
	for _, p := range []*phone{a, b, g} {
		p.wait("🩺 Case #C1, shared by Brigitte")
	}
	a.text("#C1 Massage the uterus and check for tears, then refer.")
	for _, p := range []*phone{b, g} {
		if got := p.wait("#C1 Massage"); got != "Ward 7:\nAmina: #C1 Massage the uterus and check for tears, then refer." {
			t.Errorf("%s's digest %q", p.Name, got)
		}
	}
	testkit.Eventually(t, 10*time.Second, "Amina's reply in the case's thread", func() bool {
		var posts []bot.CasePost
		app.DB.Update(context.Background(), func(tx bot.Tx) (err error) {
			posts, err = tx.CasePosts(1)
			return err
		})
		return len(posts) == 1 && posts[0].Kind == bot.PostReply && strings.Contains(posts[0].Text, "Massage the uterus")
	})

	// A week later the second lesson; both answer right; the course ends.
	clk.Advance(7 * 24 * time.Hour)
	for _, p := range []*phone{a, b} {
		p.wait("How soon after birth")
	}
	a.text("1")
	b.text("1")
	for _, p := range []*phone{a, b} {
		p.wait("✅ Correct!")
		p.wait("🎓 The course Newborn care by SMS is over.")
	}
	if r := fake.Refused(); len(r) > 0 {
		t.Errorf("Twilio refused %q", r)
	}
}
