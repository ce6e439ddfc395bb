package privacy_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/report"
)

// TestPseudonyms: with pseudonyms on, the group's quiz feedback and the
// staff view (the store's report reader) name Amina by a stable given pseudonym, never by
// her name; /name lets her choose one, unique without regard to case and
// checked for phone numbers and slurs.
func TestPseudonyms(t *testing.T) {
	h := startWith(t, huddletest.Options{Pseudonyms: true})
	given := regexp.MustCompile(`Member-\d{4}`)
	name := func(who, text string) string {
		t.Helper()
		seq := h.Last("dm-" + who)
		h.Post("dm-"+who, who, title(who), text, "")
		return h.Replies("dm-"+who, seq, 1)[0].Text
	}
	first := given.FindString(name("amina", "/name"))
	if first == "" {
		t.Fatal("no given pseudonym in the reply to /name")
	}
	if again := given.FindString(name("amina", "/name")); again != first {
		t.Errorf("pseudonym changed from %s to %s", first, again)
	}

	seq := h.Last("ward")
	h.Post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	h.Wait("ward", seq, "Upper limit")
	h.Post("ward", "amina", "Amina", "20", "")
	h.Wait("ward", seq, first+": correct")
	for _, m := range h.After("ward", seq) {
		if strings.Contains(m.Text, "Amina") {
			t.Errorf("the group was told her name: %q", m.Text)
		}
	}

	// Choosing a name.
	for _, tc := range []struct{ who, text, want string }{
		{"amina", "/name Mama Grace", "others now see you as Mama Grace"},
		{"brigitte", "/name mama GRACE", "Someone already uses"},
		{"brigitte", "/name Mama-Grace", "Someone already uses"},
		{"brigitte", "/name Mamá  Gráce", "Someone already uses"},
		{"brigitte", "/name MamaGrace", "Someone already uses"},
		{"brigitte", "/name " + strings.Replace(first, "-", " ", 1), "Names of the form Member-1234"},
		{"brigitte", "/name " + first, "Names of the form Member-1234"},
		{"brigitte", "/name 0722 123 456", "looks like a phone number"},
		{"brigitte", "/name F4gg0t", "not allowed"},
		{"brigitte", "/name Sœur Brigitte", "others now see you as Sœur Brigitte"},
	} {
		if got := name(tc.who, tc.text); !strings.Contains(got, tc.want) {
			t.Errorf("%s sends %q: the bot says %q, want %q", tc.who, tc.text, got, tc.want)
		}
	}
	q := h.Wait("ward", 0, "Who is seen first?")
	h.PressAs("ward", "amina", "Amina", q.ID, q.Options[1].Data)
	h.Wait("ward", q.Seq, "Mama Grace: correct")

	// Staff who may not see real names see the pseudonym.
	var id int64
	h.App.DB.Update(context.Background(), func(tx bot.Tx) error {
		m, err := tx.MemberByRef(bot.StaffRef{Channel: "sim", ID: "amina"})
		id = m.ID
		return err
	})
	// The store gives the staff view both; the dashboard shows the
	// pseudonym unless the config lets staff see real names.
	r := report.Range{From: time.Unix(0, 0), To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	if s, err := h.App.DB.Reports().Member(context.Background(), r, id); err != nil || s.Pseudonym != "Mama Grace" || s.Name != "Amina" {
		t.Errorf("staff view: pseudonym %q, name %q (%v); want Mama Grace and Amina", s.Pseudonym, s.Name, err)
	}
}
