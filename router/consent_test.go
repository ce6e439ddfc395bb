package router_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// notice1 is the built-in notice at version 1.
var notice1 = &bot.ConsentNotice{Version: 1}

// noticeMark starts the built-in notice.
const noticeMark = "🔒 Before Huddle records anything about you"

// settled waits until the sender has sent everything queued (transient
// messages are gone from the outbox once sent), then counts every table's
// rows.
func (h *harness) settled() map[string]int64 {
	h.t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		pending, err := h.app.DB.PendingOutbox(ctx, "sim", h.app.Clock.Now().Add(time.Hour), 10, nil)
		if err != nil {
			h.t.Fatal(err)
		}
		if len(pending) == 0 || time.Now().After(deadline) {
			break
		}
	}
	counts, err := h.app.DB.RowCounts(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return counts
}

// consentOf reads the consent record of a simulator sender.
func (h *harness) consentOf(sender string) bot.Consent {
	h.t.Helper()
	var c bot.Consent
	err := h.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		var err error
		c, err = tx.Consent("sim", sender)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// pressAs presses option data on message id as a member.
func (h *harness) pressAs(chat, who, name, id, data string) {
	h.t.Helper()
	if err := h.sim.Press(context.Background(), sim.Press{Chat: chat, Sender: who, Name: name, MessageID: id, Data: data}); err != nil {
		h.t.Fatal(err)
	}
}

// TestDeclineLeavesOnlyTheConsentRecord: Baraka writes to the bot
// privately, is asked once however often he writes, and declines. Every
// table is then empty but for the consent record (and the database's
// key); nothing holds his id or name.
func TestDeclineLeavesOnlyTheConsentRecord(t *testing.T) {
	onBothStores(t, testDeclineLeavesOnlyTheConsentRecord)
}

func testDeclineLeavesOnlyTheConsentRecord(t *testing.T, postgres bool) {
	h := startWith(t, huddletest.Options{Consent: notice1, Postgres: postgres})
	baraka := func(text string) sim.Message { return h.post("dm-baraka", "baraka", "Baraka Otieno", text, "") }

	seq := h.last("dm-baraka")
	baraka("hello")
	notice := h.wait("dm-baraka", seq, noticeMark)
	if len(notice.Options) != 2 {
		t.Fatalf("notice options = %v", notice.Options)
	}
	baraka("hello again")
	baraka("/lessons")
	baraka("/lesson quick-quiz")
	if got := h.botAfter("dm-baraka", notice.Seq); len(got) != 0 {
		t.Errorf("asked once, then the bot sent %q; want nothing until he answers", texts(got))
	}
	if c := h.consentOf("baraka"); c.Status != bot.ConsentAsked || c.Version != 1 {
		t.Errorf("consent before answering = %+v", c)
	}

	h.pressAs("dm-baraka", "baraka", "Baraka Otieno", notice.ID, notice.Options[1].Data)
	h.wait("dm-baraka", notice.Seq, "Huddle records nothing about you")
	baraka("/progress")

	counts := h.settled()
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
	traces, err := h.app.DB.Traces(context.Background(), -1, "baraka", "Otieno")
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		t.Errorf("Baraka left a trace: %s", tr)
	}
	if c := h.consentOf("baraka"); c.Status != bot.ConsentDeclined || c.Version != 1 || c.AnsweredAt.IsZero() {
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
	seq := h.last("ward")
	h.post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	notice := h.wait("ward", seq, noticeMark)
	if notice.ReplyTo != "" {
		t.Errorf("the group's notice replies to %q; it is for everyone", notice.ReplyTo)
	}
	if got := texts(h.botAfter("ward", seq)); len(got) != 1 {
		t.Errorf("the bot sent %q; want the notice alone, no lesson", got)
	}
	// Accepting is acknowledged to her alone; the group's notice carries
	// no one's command: she asks again.
	h.pressAs("ward", "amina", "Amina", notice.ID, notice.Options[0].Data)
	thanks := h.wait("ward", notice.Seq, "your answers count from now on")
	if !thanks.Toast || thanks.To != "amina" {
		t.Errorf("the thanks %+v; want it to Amina alone", thanks)
	}
	seq = h.last("ward")
	h.post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	q := h.wait("ward", seq, "Upper limit")

	// Baraka answers before accepting: the day's notice is there already,
	// so nothing more is posted, and he is not scored.
	h.post("ward", "baraka", "Baraka", "20", "")
	h.post("ward", "baraka", "Baraka", "18", "")
	h.post("ward", "amina", "Amina", "20", "")
	h.wait("ward", q.Seq, "Amina: correct")
	if got := h.botAfter("ward", q.Seq); slices.ContainsFunc(got, func(m sim.Message) bool {
		return strings.Contains(m.Text, "Baraka") || strings.HasPrefix(m.Text, noticeMark)
	}) {
		t.Errorf("after the notice the bot sent %q; want nothing about Baraka", texts(got))
	}
	// He presses "No thanks" on the group's notice: told alone.
	h.pressAs("ward", "baraka", "Baraka", notice.ID, notice.Options[1].Data)
	no := h.wait("ward", notice.Seq, "You can still read the group")
	if !no.Toast || no.To != "baraka" {
		t.Errorf("the answer to his no %+v; want it to him alone", no)
	}
	if rows := h.app.Progress(t, "sim", "amina"); len(rows) != 1 || rows[0].Answered != 1 {
		t.Errorf("Amina's progress = %+v", rows)
	}

	// A day on: no notice in the group; privately, a reminder, once.
	h.app.Clock.Advance(25 * time.Hour)
	seq = h.last("ward")
	h.post("ward", "baraka", "Baraka", "morning", "")
	dm := h.last("dm-baraka")
	h.post("dm-baraka", "baraka", "Baraka", "/progress", "")
	h.wait("dm-baraka", dm, "Send /privacy if you change your mind")
	h.post("dm-baraka", "baraka", "Baraka", "/progress", "")
	if got := h.botAfter("ward", seq); slices.ContainsFunc(got, func(m sim.Message) bool {
		return strings.HasPrefix(m.Text, noticeMark) || strings.Contains(m.Text, "/privacy")
	}) {
		t.Errorf("in the group the bot sent %q: it asked someone who declined", texts(got))
	}
	if got := h.botAfter("dm-baraka", dm); len(got) != 1 {
		t.Errorf("privately the bot sent %q; want one reminder", texts(got))
	}

	// He changes his mind.
	dm = h.last("dm-baraka")
	h.post("dm-baraka", "baraka", "Baraka", "/privacy", "")
	notice = h.wait("dm-baraka", dm, noticeMark)
	h.pressAs("dm-baraka", "baraka", "Baraka", notice.ID, notice.Options[0].Data)
	h.wait("dm-baraka", notice.Seq, "Welcome to Huddle, Baraka")
	h.post("dm-baraka", "baraka", "Baraka", "/progress", "")
	h.wait("dm-baraka", notice.Seq, "You haven't answered any lesson yet")
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
	chipo := func(h *harness, text string) sim.Message { return h.post("dm-chipo", "chipo", "Chipo", text, "") }
	notices := func(h *harness) []sim.Message {
		var out []sim.Message
		for _, m := range h.botAfter("dm-chipo", 0) {
			if strings.HasPrefix(m.Text, noticeMark) {
				out = append(out, m)
			}
		}
		return out
	}
	chipo(h, "hi")
	h.wait("dm-chipo", 0, noticeMark)
	clock.Advance(23 * time.Hour)
	chipo(h, "hi")
	h.replies("dm-chipo", h.last("dm-chipo"), 0)
	if n := len(notices(h)); n != 1 {
		t.Errorf("after 23 hours, %d notices; want 1", n)
	}
	clock.Advance(2 * time.Hour)
	chipo(h, "hi")
	h.wait("dm-chipo", notices(h)[0].Seq, noticeMark)
	old := notices(h)[1]
	h.pressAs("dm-chipo", "chipo", "Chipo", old.ID, old.Options[0].Data)
	h.wait("dm-chipo", old.Seq, "Welcome to Huddle, Chipo")
	h.app.Stop()

	// Version 2 of the notice: asked again before anything else.
	h = startWith(t, huddletest.Options{Consent: &bot.ConsentNotice{Version: 2, Text: map[string]string{"en": "🔒 Notice v2: do you accept?"}}, Clock: clock, DBPath: path})
	seq := h.last("dm-chipo")
	chipo(h, "/progress")
	v2 := h.wait("dm-chipo", seq, "Notice v2")
	h.pressAs("dm-chipo", "chipo", "Chipo", old.ID, old.Options[0].Data)
	again := h.wait("dm-chipo", v2.Seq, "Notice v2")
	if c := h.consentOf("chipo"); c.Accepted(2) {
		t.Errorf("a press on version 1 accepted version 2: %+v", c)
	}
	h.pressAs("dm-chipo", "chipo", "Chipo", again.ID, again.Options[0].Data)
	h.wait("dm-chipo", again.Seq, "Welcome to Huddle")
	if c := h.consentOf("chipo"); !c.Accepted(2) {
		t.Errorf("consent = %+v, want version 2 accepted", c)
	}

	// She withdraws: nothing more is recorded; /forget still works.
	seq = h.last("dm-chipo")
	chipo(h, "/privacy")
	shown := h.wait("dm-chipo", seq, "You accepted version 2")
	h.pressAs("dm-chipo", "chipo", "Chipo", shown.ID, shown.Options[1].Data)
	h.wait("dm-chipo", shown.Seq, "/forget")
	seq = h.last("dm-chipo")
	chipo(h, "/lesson solo-quiz")
	h.replies("dm-chipo", seq, 0)
	if got := h.botAfter("dm-chipo", seq); len(got) != 0 {
		t.Errorf("after withdrawing, /lesson brought %q", texts(got))
	}
	chipo(h, "/forget")
	ask := h.wait("dm-chipo", seq, "Erase everything?")
	h.pressAs("dm-chipo", "chipo", "Chipo", ask.ID, ask.Options[0].Data)
	h.wait("dm-chipo", ask.Seq, "no longer holds anything about you")
	counts := h.settled()
	if counts["consents"] != 0 || counts["members"] != 0 {
		t.Errorf("after /forget: %d consent records, %d members; want none", counts["consents"], counts["members"])
	}
}

// TestAcceptCarriesTheCommand: privately too, accepting the notice carries
// out the command that brought it; a command with text of the member's own
// (a case, a name) is not carried, so none of it is kept in the button.
func TestAcceptCarriesTheCommand(t *testing.T) {
	h := startWith(t, huddletest.Options{Consent: notice1})
	seq := h.last("dm-zola")
	h.post("dm-zola", "zola", "Zola", "/lesson solo-quiz", "")
	notice := h.wait("dm-zola", seq, noticeMark)
	h.pressAs("dm-zola", "zola", "Zola", notice.ID, notice.Options[0].Data)
	h.wait("dm-zola", notice.Seq, "Welcome to Huddle")
	h.wait("dm-zola", notice.Seq, "Which ward do you work on?")

	seq = h.last("dm-yusuf")
	h.post("dm-yusuf", "yusuf", "Yusuf", "/name Mama Yusuf", "")
	notice = h.wait("dm-yusuf", seq, noticeMark)
	if strings.Contains(notice.Options[0].Data, "Mama") {
		t.Errorf("the notice's button carries the member's text: %q", notice.Options[0].Data)
	}
	h.pressAs("dm-yusuf", "yusuf", "Yusuf", notice.ID, notice.Options[0].Data)
	h.wait("dm-yusuf", notice.Seq, "Welcome to Huddle")
	time.Sleep(100 * time.Millisecond)
	if got := texts(h.botAfter("dm-yusuf", notice.Seq)); len(got) != 1 {
		t.Errorf("after accepting the bot sent %q; want the welcome alone", got)
	}
}
