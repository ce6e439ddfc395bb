package storetest

import (
	"slices"
	"testing"

	"github.com/huddlebot/huddle/bot"
)

// testSimilarCases: the archive's answered and closed cases that hold any
// of a query's terms come back best first (the case holding more of them
// before the one holding fewer), prefixes match longer words, open cases,
// the case left out and other languages' groups do not, a group alone
// when asked, or the groups that took a course with a group;
// InAnyGroup says whether a member is in a group, and InCourseWith
// whether in one that took a course with a given group.
func testSimilarCases(t *testing.T, open Opener) {
	db := open(t)
	var ids []int64
	var fr, ward, annex, other bot.Chat
	var nurse, loner bot.Member
	update(t, db, func(tx bot.Tx) error {
		var err error
		if nurse, err = tx.EnsureMember("sim", "nurse", "Nurse", t0); err != nil {
			return err
		}
		if loner, err = tx.EnsureMember("sim", "loner", "Loner", t0); err != nil {
			return err
		}
		if ward, err = tx.EnsureChat("sim", "ward", bot.Group, "Ward", t0); err != nil {
			return err
		}
		if fr, err = tx.EnsureChat("sim", "salle", bot.Group, "Salle", t0); err != nil {
			return err
		}
		if err := tx.SetChatLang(fr.ID, "fr"); err != nil {
			return err
		}
		if err := tx.JoinChat(ward.ID, nurse.ID, t0); err != nil {
			return err
		}
		// The ward and the annex took a course together; the other ward
		// took another.
		if annex, err = tx.EnsureChat("sim", "annex", bot.Group, "Annex", t0); err != nil {
			return err
		}
		if other, err = tx.EnsureChat("sim", "other", bot.Group, "Other", t0); err != nil {
			return err
		}
		for _, h := range []bot.Cohort{{ChatID: ward.ID, CourseID: "safe-care"}, {ChatID: annex.ID, CourseID: "safe-care"}, {ChatID: other.ID, CourseID: "malaria"}} {
			h.Started = t0
			if err := tx.StartCohort(&h, nil); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			chat   bot.Chat
			text   string
			status bot.CaseStatus
		}{
			{ward, "heavy bleeding after birth, uterus soft", bot.CaseAnswered},     // 0: bleeding, uterus
			{ward, "bleeding gums in pregnancy", bot.CaseClosed},                    // 1: bleeding
			{ward, "heavy bleeding, uterus soft, still open", bot.CaseOpen},         // 2: open: not archived
			{fr, "saignement abondant, uterus mou", bot.CaseAnswered},               // 3: another language
			{ward, "fever and cough in a child", bot.CaseAnswered},                  // 4: none of the terms
			{ward, "bleeding after delivery, the uterus is soft", bot.CaseAnswered}, // 5: left out
			{annex, "bleeding heavily in the annex", bot.CaseAnswered},              // 6: the ward's course
			{other, "bleeding heavily in the other ward", bot.CaseAnswered},         // 7: another course
		} {
			k := bot.Case{ChatID: c.chat.ID, AuthorID: nurse.ID, Text: c.text, Status: c.status, Created: t0}
			if err := tx.CreateCase(&k); err != nil {
				return err
			}
			if err := tx.IndexCase(k.ID, c.text); err != nil {
				return err
			}
			ids = append(ids, k.ID)
		}
		return nil
	})
	similar := func(q bot.SimilarQuery) []int64 {
		t.Helper()
		var out []int64
		update(t, db, func(tx bot.Tx) error {
			hits, err := tx.SimilarCases(q)
			for _, h := range hits {
				if h.Indexed == "" || h.ChatTitle == "" {
					t.Errorf("hit %d without its indexed text or group: %+v", h.ID, h)
				}
				out = append(out, h.ID)
			}
			return err
		})
		return out
	}
	q := bot.SimilarQuery{Terms: []string{"bleed*", "uterus"}, Langs: []string{""}, Except: ids[5], Limit: 10}
	if got := similar(q); len(got) != 4 || got[0] != ids[0] || !sameSet(got, []int64{ids[0], ids[1], ids[6], ids[7]}) {
		t.Errorf("similar to bleeding and uterus: %v, want %v first (both terms), then %v (one); no open case, no French one, not the one left out",
			got, ids[0], []int64{ids[1], ids[6], ids[7]})
	}
	q.CourseOf = ward.ID
	if got := similar(q); !sameSet(got, []int64{ids[0], ids[1], ids[6]}) {
		t.Errorf("similar within the ward's course: %v, want %v (the ward's and the annex's)", got, []int64{ids[0], ids[1], ids[6]})
	}
	q.CourseOf = 0
	q.Langs = []string{"fr"}
	q.Terms = []string{"saign*", "uterus"}
	if got := similar(q); !slices.Equal(got, []int64{ids[3]}) {
		t.Errorf("similar in French: %v, want %v", got, []int64{ids[3]})
	}
	q = bot.SimilarQuery{Terms: []string{"bleed*"}, Langs: []string{""}, ChatID: fr.ID, Limit: 10}
	if got := similar(q); len(got) != 0 {
		t.Errorf("similar in the French group alone: %v, want none", got)
	}
	q = bot.SimilarQuery{Terms: []string{`"bleeding"`, "a:b|c", "(", "*"}, Langs: []string{""}, Limit: 10}
	if got := similar(q); len(got) == 0 {
		t.Error("terms with query syntax in them found nothing: they must be taken as words")
	}
	update(t, db, func(tx bot.Tx) error {
		for m, want := range map[int64]bool{nurse.ID: true, loner.ID: false} {
			if in, err := tx.InAnyGroup(m); err != nil || in != want {
				t.Errorf("member %d in a group: %v, %v; want %v", m, in, err, want)
			}
		}
		for chat, want := range map[int64]bool{ward.ID: true, annex.ID: true, other.ID: false} {
			if in, err := tx.InCourseWith(nurse.ID, chat); err != nil || in != want {
				t.Errorf("the ward's nurse in a course with group %d: %v, %v; want %v", chat, in, err, want)
			}
		}
		return nil
	})
}

// sameSet reports whether a and b hold the same ids, in any order.
func sameSet(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
