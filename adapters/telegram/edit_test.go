package telegram_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/tgemu"
)

// TestEditCheckedLikeNew: an edit of a case's text or of a reply is
// checked as the original was, through the real client's edited_message
// updates. A clean edit of the case replaces the archive's copy; an edit
// that adds a patient's name and number is taken down (deleteMessage of
// the edited message), the group hears only that a message was removed,
// the author is told privately, and the case keeps its earlier text; an
// edited reply is kept without the doctor's number, its author told so.
// Neither the name nor the number reaches the database files.
func TestEditCheckedLikeNew(t *testing.T) {
	emu, tg := emulated(t)
	app := huddletest.Start(t, huddletest.Options{Cases: &cases.Config{}}, tg)
	group := tgemu.Chat{ID: -1006, Type: "group", Title: "Ward 6"}
	amina, aminaDM := tgemu.User{ID: 16, FirstName: "Amina"}, tgemu.Chat{ID: 16, Type: "private"}
	brigitte := tgemu.User{ID: 17, FirstName: "Brigitte"}
	emu.Send(aminaDM, amina, "/start")
	emu.WaitFor(10*time.Second, "the welcome", hasText("Welcome"))

	opened := emu.Send(group, amina, "/case Woman of 34, heavy bleeding after delivery, BP 90/60. What next?")
	msgs := emu.WaitFor(10*time.Second, "the case", hasText("Case #C1, shared by Amina"))
	post := find(msgs, "Case #C1, shared by Amina")
	caseText := func() string {
		t.Helper()
		var c bot.Case
		if err := app.DB.Update(context.Background(), func(tx bot.Tx) (err error) { c, err = tx.CaseByID(1); return err }); err != nil {
			t.Fatal(err)
		}
		return c.Text
	}

	const clean = "Woman of 34, heavy bleeding after delivery, BP 85/55 and pulse 124 now. What next?"
	emu.Edit(group, amina, opened, "/case "+clean)
	testkit.Eventually(t, 10*time.Second, "the clean edit in the archive", func() bool { return caseText() == clean },
		func() string { return "the case reads " + caseText() })

	emu.Edit(group, amina, opened, "/case Mrs Achieng Otieno, 0722 123 456, heavy bleeding after delivery. What next?")
	msgs = emu.WaitFor(10*time.Second, "the word in the group", hasText("A message was removed for privacy"))
	emu.WaitFor(10*time.Second, "the private word", hasText("Your edit of case #C1 in Ward 6 was not kept"))
	if dels := emu.Deletions(); len(dels) != 1 || dels[0].MessageID != opened {
		t.Errorf("deletions %+v; want the edited message %d", dels, opened)
	}
	for _, m := range msgs {
		if strings.Contains(m.Text, "Achieng") || strings.Contains(m.Text, "0722") {
			t.Errorf("the bot repeated the edit: %q", m.Text)
		}
	}
	if got := caseText(); got != clean {
		t.Errorf("the case reads %q after a flagged edit; want its earlier text", got)
	}

	reply := emu.SendRaw(group, brigitte, map[string]any{"text": "Massage the uterus and call the doctor on call.",
		"reply_to_message": map[string]any{"message_id": post.ID, "chat": map[string]any{"id": group.ID, "type": group.Type}, "date": time.Now().Unix()}})
	emu.Edit(group, brigitte, reply, "Massage the uterus and call the doctor on call, 0733 222 111.")
	emu.WaitFor(10*time.Second, "the reply's notice", hasText("Brigitte, I kept your reply in case #C1 without"))
	var posts []bot.CasePost
	if err := app.DB.Update(context.Background(), func(tx bot.Tx) (err error) { posts, err = tx.CasePosts(1); return err }); err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "call the doctor on call") || strings.Contains(posts[0].Text, "0733") {
		t.Errorf("thread %+v; want the edited reply without the number", posts)
	}

	app.Stop()
	for _, path := range []string{app.Path, app.Path + "-wal"} {
		data, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, secret := range []string{"Achieng", "Otieno", "0722 123 456", "0733 222 111"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds %q", path, secret)
			}
		}
	}
}
