package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/tgemu"
)

// TestFlaggedCaseTakenDown: a /case that names a patient and gives a
// phone number is taken down from the group through the real client
// (deleteMessage) where the bot may, and the group hears only that a
// message was removed for privacy; where it may not, its author is asked
// to delete it, and that request is no reply (which would show the case
// again beneath). Neither quotes the text.
func TestFlaggedCaseTakenDown(t *testing.T) {
	const text = "/case Mrs Wanjiru Kamau, 0722 123 456, heavy bleeding after delivery. What next?"
	for _, admin := range []bool{true, false} {
		t.Run(map[bool]string{true: "bot is admin", false: "bot may not delete"}[admin], func(t *testing.T) {
			emu, tg := emulated(t)
			huddletest.Start(t, huddletest.Options{Cases: &cases.Config{}}, tg)
			group := tgemu.Chat{ID: -1005, Type: "group", Title: "Ward 5"}
			amina, aminaDM := tgemu.User{ID: 15, FirstName: "Amina"}, tgemu.Chat{ID: 15, Type: "private"}
			if !admin {
				emu.DenyDelete(group)
			}
			emu.Send(aminaDM, amina, "/start")
			emu.WaitFor(10*time.Second, "the welcome", hasText("Welcome"))
			emu.Send(group, amina, text)
			want := "A message was removed for privacy"
			if !admin {
				want = "please delete your last message"
			}
			msgs := emu.WaitFor(10*time.Second, "the word in the group", hasText(want))
			emu.WaitFor(10*time.Second, "the private offer", hasText("Here it is with those parts removed"))
			for _, m := range msgs {
				if m.ChatID != group.ID {
					continue
				}
				if m.ReplyTo != 0 || strings.Contains(m.Text, "Wanjiru") || strings.Contains(m.Text, "0722") {
					t.Errorf("the group got %q (a reply to %d): it shows the flagged case again", m.Text, m.ReplyTo)
				}
			}
			if dels := emu.Deletions(); admin != (len(dels) == 1) {
				t.Errorf("deletions %+v; the bot is admin: %v", dels, admin)
			}
		})
	}
}
