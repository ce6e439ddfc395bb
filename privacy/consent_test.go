package privacy_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
)

// notice1 is the built-in notice at version 1.
var notice1 = &bot.ConsentNotice{Version: 1}

// noticeMark starts the built-in notice.
const noticeMark = "🔒 Before Huddle records anything about you"

// TestDeclineLeavesOnlyTheConsentRecord: Baraka writes to the bot
// privately, is asked once however often he writes, and declines. Every
// table is then empty but for the consent record (and the database's
// key); nothing holds his id or name.
func TestDeclineLeavesOnlyTheConsentRecord(t *testing.T) {
	simtest.OnBothStores(t, testDeclineLeavesOnlyTheConsentRecord)
}

func testDeclineLeavesOnlyTheConsentRecord(t *testing.T, postgres bool) {
	h := startWith(t, huddletest.Options{Consent: notice1, Postgres: postgres})
	baraka := func(text string) sim.Message { return h.Post("dm-baraka", "baraka", "Baraka Otieno", text, "") }

	seq := h.Last("dm-baraka")
	baraka("hello")
	notice := h.Wait("dm-baraka", seq, noticeMark)
	if len(notice.Options) != 2 {
		t.Fatalf("notice options = %v", notice.Options)
	}
	baraka("hello again")
	baraka("/lessons")
	baraka("/lesson quick-quiz")
	if got := h.After("dm-baraka", notice.Seq); len(got) != 0 {
		t.Errorf("asked once, then the bot sent %q; want nothing until he answers", simtest.Texts(got))
	}
	if c := h.ConsentOf("baraka"); c.Status != bot.ConsentAsked || c.Version != 1 {
		t.Errorf("consent before answering = %+v", c)
	}

	h.PressAs("dm-baraka", "baraka", "Baraka Otieno", notice.ID, notice.Options[1].Data)
	h.Wait("dm-baraka", notice.Seq, "Huddle records nothing about you")
	baraka("/progress")

	counts := h.Settled()
	want := map[string]int64{"consents": 1, "secrets": 1}
	// On PostgreSQL, where instances share the database, the chats' leases
	// (an instance's claim to handle a chat) name each chat by a keyed
	// hash, as consents name people, and lapse by themselves; the walk of
	// Traces below checks they hold nothing of his.
	want["leases"] = counts["leases"]
	for table, n := range counts {
		if n != want[table] {
			t.Errorf("%s holds %d rows, want %d", table, n, want[table])
		}
	}
	if t.Failed() {
		t.Logf("tables: %v", slices.Sorted(maps.Keys(counts)))
	}
	traces, err := h.App.DB.Traces(context.Background(), -1, "baraka", "Otieno")
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		t.Errorf("Baraka left a trace: %s", tr)
	}
	if c := h.ConsentOf("baraka"); c.Status != bot.ConsentDeclined || c.Version != 1 || c.AnsweredAt.IsZero() {
		t.Errorf("consent after declining = %+v", c)
	}
}

// TestConsentInAGroup: a lesson command and a quiz answer from members
// who have not accepted do nothing but bring the notice, once; the press
// that accepts makes a member, whose answers count from then on, and
// carries out the lesson command that brought the notice. A member
// who declined can still read, is not asked again in the group, and is
// reminded privately at most once a day how to change their mind.
func TestConsentInAGroup(t *testing.T) {
	h := startWith(t, huddletest.Options{Consent: notice1})
	seq := h.Last("ward")
	h.Post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	notice := h.Wait("ward", seq, noticeMark)
	if notice.ReplyTo != "" {
		t.Errorf("the group's notice replies to %q; it is for everyone", notice.ReplyTo)
	}
	if got := simtest.Texts(h.After("ward", seq)); len(got) != 1 {
		t.Errorf("the bot sent %q; want the notice alone, no lesson", got)
	}
	// Accepting is acknowledged to her alone; the group's notice carries
	// no one's command: she asks again.
	h.PressAs("ward", "amina", "Amina", notice.ID, notice.Options[0].Data)
	thanks := h.Wait("ward", notice.Seq, "your answers count from now on")
	if !thanks.Toast || thanks.To != "amina" {
		t.Errorf("the thanks %+v; want it to Amina alone", thanks)
	}
	seq = h.Last("ward")
	h.Post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	q := h.Wait("ward", seq, "Upper limit")

	// Baraka answers before accepting: the day's notice is there already,
	// so nothing more is posted, and he is not scored.
	h.Post("ward", "baraka", "Baraka", "20", "")
	h.Post("ward", "baraka", "Baraka", "18", "")
	h.Post("ward", "amina", "Amina", "20", "")
	h.Wait("ward", q.Seq, "Amina: correct")
	if got := h.After("ward", q.Seq); slices.ContainsFunc(got, func(m sim.Message) bool {
		return strings.Contains(m.Text, "Baraka") || strings.HasPrefix(m.Text, noticeMark)
	}) {
		t.Errorf("after the notice the bot sent %q; want nothing about Baraka", simtest.Texts(got))
	}
	// He presses "No thanks" on the group's notice: told alone.
	h.PressAs("ward", "baraka", "Baraka", notice.ID, notice.Options[1].Data)
	no := h.Wait("ward", notice.Seq, "You can still read the group")
	if !no.Toast || no.To != "baraka" {
		t.Errorf("the answer to his no %+v; want it to him alone", no)
	}
	if rows := h.App.Progress(t, "sim", "amina"); len(rows) != 1 || rows[0].Answered != 1 {
		t.Errorf("Amina's progress = %+v", rows)
	}

	// A day on: no notice in the group; privately, a reminder, once.
	h.App.Clock.Advance(25 * time.Hour)
	seq = h.Last("ward")
	h.Post("ward", "baraka", "Baraka", "morning", "")
	dm := h.Last("dm-baraka")
	h.Post("dm-baraka", "baraka", "Baraka", "/progress", "")
	h.Wait("dm-baraka", dm, "Send /privacy if you change your mind")
	h.Post("dm-baraka", "baraka", "Baraka", "/progress", "")
	if got := h.After("ward", seq); slices.ContainsFunc(got, func(m sim.Message) bool {
		return strings.HasPrefix(m.Text, noticeMark) || strings.Contains(m.Text, "/privacy")
	}) {
		t.Errorf("in the group the bot sent %q: it asked someone who declined", simtest.Texts(got))
	}
	if got := h.After("dm-baraka", dm); len(got) != 1 {
		t.Errorf("privately the bot sent %q; want one reminder", simtest.Texts(got))
	}

	// He changes his mind.
	dm = h.Last("dm-baraka")
	h.Post("dm-baraka", "baraka", "Baraka", "/privacy", "")
	notice = h.Wait("dm-baraka", dm, noticeMark)
	h.PressAs("dm-baraka", "baraka", "Baraka", notice.ID, notice.Options[0].Data)
	h.Wait("dm-baraka", notice.Seq, "Welcome to Huddle, Baraka")
	h.Post("dm-baraka", "baraka", "Baraka", "/progress", "")
	h.Wait("dm-baraka", notice.Seq, "You haven't answered any lesson yet")
}

// TestConsentAskedDailyAndPerVersion: someone who does not answer is
// asked at most once a day; a new version of the notice asks members who
// accepted the old one again, and a press on the old notice shows the new
// one. A member can withdraw, and /forget then erases the consent record
// too.
func TestConsentAskedDailyAndPerVersion(t *testing.T) {
	clock := huddletest.NewClock()
	path := t.TempDir() + "/huddle.db"
	h := startWith(t, huddletest.Options{Consent: notice1, Clock: clock, DBPath: path})
	chipo := func(h *harness, text string) sim.Message { return h.Post("dm-chipo", "chipo", "Chipo", text, "") }
	notices := func(h *harness) []sim.Message {
		var out []sim.Message
		for _, m := range h.After("dm-chipo", 0) {
			if strings.HasPrefix(m.Text, noticeMark) {
				out = append(out, m)
			}
		}
		return out
	}
	chipo(h, "hi")
	h.Wait("dm-chipo", 0, noticeMark)
	clock.Advance(23 * time.Hour)
	chipo(h, "hi")
	h.Replies("dm-chipo", h.Last("dm-chipo"), 0)
	if n := len(notices(h)); n != 1 {
		t.Errorf("after 23 hours, %d notices; want 1", n)
	}
	clock.Advance(2 * time.Hour)
	chipo(h, "hi")
	h.Wait("dm-chipo", notices(h)[0].Seq, noticeMark)
	old := notices(h)[1]
	h.PressAs("dm-chipo", "chipo", "Chipo", old.ID, old.Options[0].Data)
	h.Wait("dm-chipo", old.Seq, "Welcome to Huddle, Chipo")
	h.App.Stop()

	// Version 2 of the notice: asked again before anything else.
	h = startWith(t, huddletest.Options{Consent: &bot.ConsentNotice{Version: 2, Text: map[string]string{"en": "🔒 Notice v2: do you accept?"}}, Clock: clock, DBPath: path})
	seq := h.Last("dm-chipo")
	chipo(h, "/progress")
	v2 := h.Wait("dm-chipo", seq, "Notice v2")
	h.PressAs("dm-chipo", "chipo", "Chipo", old.ID, old.Options[0].Data)
	again := h.Wait("dm-chipo", v2.Seq, "Notice v2")
	if c := h.ConsentOf("chipo"); c.Accepted(2) {
		t.Errorf("a press on version 1 accepted version 2: %+v", c)
	}
	h.PressAs("dm-chipo", "chipo", "Chipo", again.ID, again.Options[0].Data)
	h.Wait("dm-chipo", again.Seq, "Welcome to Huddle")
	if c := h.ConsentOf("chipo"); !c.Accepted(2) {
		t.Errorf("consent = %+v, want version 2 accepted", c)
	}

	// She withdraws: nothing more is recorded; /forget still works.
	seq = h.Last("dm-chipo")
	chipo(h, "/privacy")
	shown := h.Wait("dm-chipo", seq, "You accepted version 2")
	h.PressAs("dm-chipo", "chipo", "Chipo", shown.ID, shown.Options[1].Data)
	h.Wait("dm-chipo", shown.Seq, "/forget")
	seq = h.Last("dm-chipo")
	chipo(h, "/lesson solo-quiz")
	h.Replies("dm-chipo", seq, 0)
	if got := h.After("dm-chipo", seq); len(got) != 0 {
		t.Errorf("after withdrawing, /lesson brought %q", simtest.Texts(got))
	}
	chipo(h, "/forget")
	ask := h.Wait("dm-chipo", seq, "Erase everything?")
	h.PressAs("dm-chipo", "chipo", "Chipo", ask.ID, ask.Options[0].Data)
	h.Wait("dm-chipo", ask.Seq, "no longer holds anything about you")
	counts := h.Settled()
	if counts["consents"] != 0 || counts["members"] != 0 {
		t.Errorf("after /forget: %d consent records, %d members; want none", counts["consents"], counts["members"])
	}
}

// TestAcceptCarriesTheCommand: privately too, accepting the notice carries
// out the command that brought it; a command with text of the member's own
// (a case, a name) is not carried, so none of it is kept in the button.
func TestAcceptCarriesTheCommand(t *testing.T) {
	h := startWith(t, huddletest.Options{Consent: notice1})
	seq := h.Last("dm-zola")
	h.Post("dm-zola", "zola", "Zola", "/lesson solo-quiz", "")
	notice := h.Wait("dm-zola", seq, noticeMark)
	h.PressAs("dm-zola", "zola", "Zola", notice.ID, notice.Options[0].Data)
	h.Wait("dm-zola", notice.Seq, "Welcome to Huddle")
	h.Wait("dm-zola", notice.Seq, "Which ward do you work on?")

	seq = h.Last("dm-yusuf")
	h.Post("dm-yusuf", "yusuf", "Yusuf", "/name Mama Yusuf", "")
	notice = h.Wait("dm-yusuf", seq, noticeMark)
	if strings.Contains(notice.Options[0].Data, "Mama") {
		t.Errorf("the notice's button carries the member's text: %q", notice.Options[0].Data)
	}
	h.PressAs("dm-yusuf", "yusuf", "Yusuf", notice.ID, notice.Options[0].Data)
	h.Wait("dm-yusuf", notice.Seq, "Welcome to Huddle")
	time.Sleep(100 * time.Millisecond)
	if got := simtest.Texts(h.After("dm-yusuf", notice.Seq)); len(got) != 1 {
		t.Errorf("after accepting the bot sent %q; want the welcome alone", got)
	}
}

// TestStaffNotAsked: the programme's staff and mentors, named in its
// configuration, are not asked the privacy notice: a staff member's
// /assign in a group and a mentor's /queue in private work from their
// first word, where a member's first command brings the notice.
func TestStaffNotAsked(t *testing.T) {
	h := startWith(t, huddletest.Options{Consent: notice1, Staff: []bot.StaffRef{{Channel: "sim", ID: "grace"}},
		Cases: &cases.Config{Mentors: map[string][]bot.StaffRef{"general": {{Channel: "sim", ID: "otieno"}}}}})
	seq := h.Last("ward")
	h.Post("ward", "grace", "Grace", "/assign weekly-check", "")
	h.Wait("ward", seq, "Weekly check-in is assigned to this group")
	seq = h.Last("dm-otieno")
	h.Post("dm-otieno", "otieno", "Dr Otieno", "/queue", "")
	h.Wait("dm-otieno", seq, "No cases for you")
	seq = h.Last("ward")
	h.Post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	h.Wait("ward", seq, noticeMark)
	seq = h.Last("dm-chidi")
	h.Post("dm-chidi", "chidi", "Chidi", "/queue", "")
	h.Wait("dm-chidi", seq, noticeMark)
}
