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
// when asked; InAnyGroup says whether a member is in a group.
func testSimilarCases(t *testing.T, open Opener) {
	db := open(t)
	var ids []int64
	var fr, ward bot.Chat
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
	if got, want := similar(q), []int64{ids[0], ids[1]}; !slices.Equal(got, want) {
		t.Errorf("similar to bleeding and uterus: %v, want %v (both terms, then one; no open case, no French one, not the one left out)", got, want)
	}
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
		return nil
	})
}
