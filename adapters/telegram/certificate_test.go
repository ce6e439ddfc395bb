package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/tgemu"
)

// TestCertificateLinkThroughEmulator: a member who passes in a Telegram
// group, never having written to the bot privately (so the bot may not
// write to them), is given in the group the bot's deep link; pressing
// Start under it sends "/start certificates" in the private chat, and the
// certificate comes.
func TestCertificateLinkThroughEmulator(t *testing.T) {
	emu, tg := emulated(t)
	huddletest.Start(t, huddletest.Options{Lessons: "../../testdata/group-certificate"}, tg)
	group := tgemu.Chat{ID: -1009, Type: "group", Title: "Ward 9"}
	amina := tgemu.User{ID: 31, FirstName: "Amina"}
	private := tgemu.Chat{ID: 31, Type: "private"}

	emu.Send(group, amina, "/lesson ward-quiz")
	msgs := emu.WaitFor(10*time.Second, "the question", hasText("How long should an alcohol hand rub take?"))
	q := last(msgs, "How long should an alcohol hand rub take?")
	emu.Press(group, amina, q.ID, q.Buttons[0].Data)
	msgs = emu.WaitFor(10*time.Second, "the certificate's note", hasText("your certificate for Ward quiz is ready"))
	note := last(msgs, "your certificate for Ward quiz is ready")
	if note.ChatID != group.ID || !strings.Contains(note.Text, "https://t.me/TestNameBot?start=certificates") {
		t.Fatalf("the note in chat %d: %q; want the group told the bot's deep link", note.ChatID, note.Text)
	}

	emu.Send(private, amina, "/start certificates")
	msgs = emu.WaitFor(10*time.Second, "the certificate", func(msgs []tgemu.Message) bool {
		for _, m := range msgs {
			if m.ChatID == private.ID && m.Document != nil && m.Document.MIMEType == "application/pdf" {
				return true
			}
		}
		return false
	})
	var said []string
	for _, m := range msgs {
		if m.ChatID == private.ID {
			said = append(said, m.Text)
		}
	}
	if all := strings.Join(said, "\n"); !strings.Contains(all, "Ward quiz: 1 CPD hour") {
		t.Errorf("the private chat says %q; want the certificate named", said)
	}
}
