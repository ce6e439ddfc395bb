package bot_test

import (
	"strings"
	"testing"

	"github.com/huddlebot/huddle/internal/huddletest"
)

// TestMyData: /mydata answers privately with what is held: profile and
// pseudonym, consent, groups, answers, activity. Someone who declined is
// told only their answer to the notice is held.
func TestMyData(t *testing.T) {
	h := startWith(t, huddletest.Options{Consent: notice1, Pseudonyms: true})
	seq := h.last("dm-amina")
	h.post("dm-amina", "amina", "Amina Yusuf", "/start", "")
	notice := h.wait("dm-amina", seq, noticeMark)
	h.pressAs("dm-amina", "amina", "Amina Yusuf", notice.ID, notice.Options[0].Data)
	h.wait("dm-amina", notice.Seq, "Welcome to Huddle, Member-")
	seq = h.last("ward")
	h.post("ward", "amina", "Amina Yusuf", "/lesson quick-quiz", "")
	h.wait("ward", seq, "Upper limit")
	h.post("ward", "amina", "Amina Yusuf", "20", "")
	h.wait("ward", seq, ": correct")
	h.post("ward", "amina", "Amina Yusuf", "/mydata", "")
	h.wait("ward", seq, "private chat")

	seq = h.last("dm-amina")
	h.post("dm-amina", "amina", "Amina Yusuf", "/mydata", "")
	got := h.wait("dm-amina", seq, "What Huddle holds about you").Text
	for _, want := range []string{"Amina Yusuf (sim id amina); others see you as Member-", "accepted, version 1",
		"Groups: Ward 5", "quiz answers kept: 1", "answer 1", "/forget"} {
		if !strings.Contains(got, want) {
			t.Errorf("/mydata says %q; want %q in it", got, want)
		}
	}

	seq = h.last("dm-baraka")
	h.post("dm-baraka", "baraka", "Baraka", "hello", "")
	notice = h.wait("dm-baraka", seq, noticeMark)
	h.pressAs("dm-baraka", "baraka", "Baraka", notice.ID, notice.Options[1].Data)
	h.post("dm-baraka", "baraka", "Baraka", "/mydata", "")
	h.wait("dm-baraka", notice.Seq, "nothing about you but your answer to the privacy notice: declined")
}
