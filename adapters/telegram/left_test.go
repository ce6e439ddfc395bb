package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/tgemu"
)

// TestNobodyWaitsForWhoLeft: a group question stops waiting for a member
// from the moment Telegram says they left. Chinedu leaves (the service
// message and the chat_member update both come: counted once), and the
// question closes on the two answers it has; Brigitte is removed by an
// admin, told by a chat_member update alone, and the next question closes
// on Amina's answer.
func TestNobodyWaitsForWhoLeft(t *testing.T) {
	emu, tg := emulated(t)
	huddletest.Start(t, huddletest.Options{}, tg)
	group := tgemu.Chat{ID: -1009, Type: "supergroup", Title: "Ward 9 midwives"}
	emu.SetChatSize(group, 4) // three members and the bot
	amina := tgemu.User{ID: 91, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 92, FirstName: "Brigitte"}
	chinedu := tgemu.User{ID: 93, FirstName: "Chinedu"}
	emu.Send(group, brigitte, "Good morning")
	emu.Send(group, chinedu, "Morning")
	emu.Send(group, amina, "/lesson quick-quiz")
	emu.WaitFor(10*time.Second, "the first question", hasText("Upper limit of a normal adult respiratory rate"))
	emu.Send(group, amina, "20")
	emu.Send(group, brigitte, "18")
	emu.WaitFor(10*time.Second, "Brigitte's verdict", hasText("Brigitte: correct"))
	if msgs := emu.BotMessages(); find(msgs, "Everyone has answered").Text != "" {
		t.Fatal("the question closed before Chinedu answered or left")
	}

	emu.SetChatSize(group, 3)
	emu.Leave(group, chinedu)
	msgs := emu.WaitFor(10*time.Second, "the close without Chinedu", hasText("Everyone has answered: 2 of 2 correct."))
	q := last(msgs, "Who is seen first?")
	if q.Text == "" {
		msgs = emu.WaitFor(10*time.Second, "the second question", hasText("Who is seen first?"))
		q = last(msgs, "Who is seen first?")
	}

	emu.Press(group, amina, q.ID, q.Buttons[1].Data) // the right one
	emu.WaitFor(10*time.Second, "Amina's verdict", hasText("Amina: correct"))
	emu.SetChatSize(group, 2)
	emu.Remove(group, amina, brigitte)
	emu.WaitFor(10*time.Second, "the close without Brigitte", hasText("Everyone has answered: 1 of 1 correct."))

	// One leave told twice was counted once: no close counted three.
	for _, m := range emu.BotMessages() {
		if strings.Contains(m.Text, "of 3") {
			t.Errorf("a close counted three members: %q", m.Text)
		}
	}
}
