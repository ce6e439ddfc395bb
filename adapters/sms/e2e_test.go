package sms_test

import (
	"context"
	"regexp"
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

// through waits for a text containing want, and returns every text not
// yet read up to it, joined by blank lines (how texts queued together
// come joined in one SMS where they fit).
func (p *phone) through(want string) string {
	p.t.Helper()
	from := p.read
	p.wait(want)
	return strings.Join(bodies(p.fake.Texts(p.Number)[from:p.read]), "\n\n")
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
// reply reaching her as a digest; the course ends on both phones, and
// the member who passed gets her certificate by SMS, privately.
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
	// The lead assigns the course by text: the answer is hers alone.
	g.text("/assign sms-course")
	if got := g.wait("This group starts the course Newborn care by SMS"); !strings.Contains(got, "Passing earns 2 CPD hours") {
		t.Errorf("the answer to /assign %q", got)
	}
	a.none("starts the course")
	// Their greetings reached each other as digests.
	if got := a.wait("Ward 7:"); got != "Ward 7:\nBrigitte: Hello everyone" {
		t.Errorf("Amina's digest %q", got)
	}
	b.wait("Amina: Hello everyone")

	// Nine o'clock: the lesson reaches both phones, its title, words and
	// question joined in as few SMS as they fit in, the options numbered
	// and a number asked for (nothing to press), the symbols that open
	// lines left out (plain GSM-7, twice the room).
	clk.Advance(30 * time.Minute)
	for _, p := range []*phone{a, b} {
		got := p.through("Which is a danger sign")
		if !strings.HasPrefix(got, "Newborn care by SMS: lesson 1 of 2.\n\nDanger signs\n\nA newborn who breathes fast") ||
			!strings.Contains(got, "Which is a danger sign in a newborn?\n1. Fast breathing\n2. Sneezing\n3. Hiccups\n\nChoose one: reply with its number.") {
			t.Errorf("%s's lesson %q", p.Name, got)
		}
	}
	// Answers by digit; each hears their own feedback alone.
	a.text("1")
	b.text(" 2. ")
	gotA, gotB := a.through("Members who took part: 2; passed: 1"), b.through("Members who took part: 2; passed: 1")
	if !strings.Contains(gotA, "Correct!") || strings.Contains(gotA, "Not quite") {
		t.Errorf("Amina's feedback %q", gotA)
	}
	if !strings.Contains(gotB, "Not quite. The answer: 1. Fast breathing.") || strings.Contains(gotB, "Correct!") {
		t.Errorf("Brigitte's feedback %q", gotB)
	}

	// A case, discussed: its card reaches everyone; Amina's reply, by its
	// number, reaches Brigitte and the lead in a digest.
	b.text("/case Woman 28 years, heavy bleeding after delivery at home, pulse 110. Oxytocin given. What next?")
	for _, p := range []*phone{a, b, g} {
		p.wait("Case #C1, shared by Brigitte")
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
		if got := p.through("The course Newborn care by SMS is over."); !strings.Contains(got, "Correct!") {
			t.Errorf("%s's end of the course %q", p.Name, got)
		}
	}
	// Amina passed: her certificate comes to her number, privately (SMS
	// may write first), its code and where to check it in words.
	cert := regexp.MustCompile(`You passed Newborn care by SMS: 2 of its 2 lessons passed\. You earn 2 CPD hours\.\n` +
		`Certificate [2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}: anyone may check it at http`)
	testkit.Eventually(t, 10*time.Second, "Amina's certificate", func() bool {
		return cert.MatchString(strings.Join(bodies(fake.Texts(amina.Number)), "\n\n"))
	})
	b.none("You passed")
	g.none("You passed")
	for _, p := range []*phone{a, b, g} {
		p.none("Write to me privately")
	}
	if r := fake.Refused(); len(r) > 0 {
		t.Errorf("Twilio refused %q", r)
	}
}

// TestMultiSelectBySMS: a multi-select question asks SMS members for
// their numbers in one text, with no Done to press (nothing on a phone's
// text can be pressed); a text of numbers is the whole answer and a lone
// number one option chosen, each member hears right or wrong alone, and
// answers do not reach the others in the cohort's digests.
func TestMultiSelectBySMS(t *testing.T) {
	lead := sms.Phone{Number: "+254700000009", Name: "Grace"}
	notes := &lateNotebook{}
	ch, fake, _ := overTwilio(t, sms.Config{Notebook: notes, Digest: 300 * time.Millisecond, Gather: 300 * time.Millisecond,
		Cohorts: []sms.Cohort{{ID: "ward-7-sms", Title: "Ward 7", Members: []sms.Phone{amina, brigitte, lead}}}}, 20)
	huddletest.Start(t, huddletest.Options{Lessons: "testdata/lessons", Staff: []bot.StaffRef{{Channel: sms.Name, ID: lead.Number}},
		Opened: func(db *store.DB) { notes.db = db }}, ch)
	a, b, g := &phone{t: t, fake: fake, Phone: amina}, &phone{t: t, fake: fake, Phone: brigitte}, &phone{t: t, fake: fake, Phone: lead}
	a.text("Hello everyone")
	b.text("Good morning")
	a.wait("Brigitte: Good morning")
	b.wait("Amina: Hello everyone")
	g.text("/lesson sms-multi")
	want := "Which are moments for hand hygiene?\n1. Before touching a patient\n2. After answering the phone\n3. After body fluid exposure\n\n" +
		"Choose all that apply: reply with their numbers in one message, such as 1 3."
	for _, p := range []*phone{a, b} {
		if got := p.through("Which are moments"); !strings.Contains(got, want) || strings.Contains(got, "Done") || strings.Contains(got, "press") {
			t.Errorf("%s's question %q", p.Name, got)
		}
	}
	a.text("1 3")
	b.text("2")
	if got := a.through("Hand hygiene moments is done."); !strings.Contains(got, "Amina: correct!") || strings.Contains(got, "not quite") {
		t.Errorf("Amina's feedback %q", got)
	}
	if got := b.through("Hand hygiene moments is done."); !strings.Contains(got, "Brigitte: not quite.") || strings.Contains(got, "correct!") ||
		!strings.Contains(got, "Everyone has answered: 1 of 2 correct.\nThe answer: 1. Before touching a patient; 3. After body fluid exposure.") {
		t.Errorf("Brigitte's feedback and the answer %q", got)
	}
	// The digests carry what they write, not their answers: by the
	// time a later text reaches the others, an answer relayed would
	// have too.
	b.text("Thanks all")
	a.text("See you")
	a.wait("Brigitte: Thanks all")
	b.wait("Amina: See you")
	g.wait("Amina: See you")
	a.none("Brigitte: 2")
	b.none("Amina: 1 3")
	g.none("Amina: 1 3")
}

// TestPrivacyNoticeBySMS: the first text in a cohort brings the group's
// privacy notice to every phone, its options numbered; each member
// accepts by texting its number and is thanked alone; a member who said
// no is not recorded.
func TestPrivacyNoticeBySMS(t *testing.T) {
	notes := &lateNotebook{}
	ch, fake, _ := overTwilio(t, sms.Config{Notebook: notes, Digest: time.Hour, Gather: 200 * time.Millisecond}, 20)
	app := huddletest.Start(t, huddletest.Options{Consent: &bot.ConsentNotice{Version: 1},
		Opened: func(db *store.DB) { notes.db = db }}, ch)
	a, b := &phone{t: t, fake: fake, Phone: amina}, &phone{t: t, fake: fake, Phone: brigitte}
	a.text("Hello everyone")
	// Brigitte, who has not written, gets it too: SMS has no pinned
	// message to read.
	for _, p := range []*phone{a, b} {
		p.wait("Before Huddle records anything about you")
		if got := p.wait("Do you accept?"); !strings.HasSuffix(got, "Do you accept?\n1. I accept\n2. No thanks") {
			t.Errorf("%s's notice ends %q", p.Name, got[max(0, len(got)-60):])
		}
	}
	a.text("1")
	b.text("2")
	a.wait("Thank you: your answers count from now on.")
	b.wait("Understood: Huddle records nothing about you.")
	a.none("Understood")
	b.none("Thank you")
	for _, c := range []struct {
		p    sms.Phone
		want bot.ConsentStatus
	}{{amina, bot.ConsentAccepted}, {brigitte, bot.ConsentDeclined}} {
		var got bot.Consent
		app.DB.Update(context.Background(), func(tx bot.Tx) (err error) {
			got, err = tx.Consent(sms.Name, c.p.Number)
			return err
		})
		if got.Status != c.want {
			t.Errorf("%s's answer recorded as %q, want %q", c.p.Name, got.Status, c.want)
		}
	}
}

// TestErasureBySMS: a member's /forget by SMS, said in the cohort, is
// asked and answered in her private chat, and reaches the channel's notes
// about them (what they wrote waiting to be relayed, who sent which text),
// and an opt-out stays, the number alone.
func TestErasureBySMS(t *testing.T) {
	notes := &lateNotebook{}
	ch, fake, _ := overTwilio(t, sms.Config{Notebook: notes, Digest: time.Hour}, 20)
	app := huddletest.Start(t, huddletest.Options{Opened: func(db *store.DB) { notes.db = db }}, ch)
	a, b := &phone{t: t, fake: fake, Phone: amina}, &phone{t: t, fake: fake, Phone: brigitte}
	a.text("Hello everyone, this is Amina from the maternity ward")
	b.text("STOP") // (Twilio answers it itself, and refuses Huddle's answer)
	about := func(number string) []string {
		t.Helper()
		all, err := app.DB.Notes(context.Background(), sms.Name, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range all {
			if n.Member == number || strings.Contains(string(n.Data), "maternity ward") {
				out = append(out, n.Key)
			}
		}
		return out
	}
	if len(about(amina.Number)) == 0 {
		t.Fatal("no notes about Amina before her erasure: the test shows nothing")
	}
	// /forget works in private alone: on SMS, said in the cohort, it is
	// done in her private chat, her number.
	a.text("/forget")
	if got := a.wait("Erase everything?"); !strings.HasSuffix(got, "\n1. Yes, erase everything\n2. No, keep it") {
		t.Errorf("the question %q", got)
	}
	a.text("1")
	testkit.Eventually(t, 10*time.Second, "the notes about Amina to go", func() bool { return len(about(amina.Number)) == 0 })
	var stop []bot.Note
	testkit.Eventually(t, 5*time.Second, "Brigitte's opt-out", func() bool {
		stop, _ = app.DB.Notes(context.Background(), sms.Name, "stop/", 0)
		return len(stop) == 1
	})
	if stop[0].Key != "stop/"+brigitte.Number || stop[0].Member != "" {
		t.Errorf("the opt-out %+v", stop[0])
	}
}
