// Package simtest drives the simulator's chats in tests, as members do:
// it posts and presses, and waits for the bot's messages. A chat whose
// name starts with "dm-" is a private chat; any other is a group.
package simtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
)

// Chats are the simulator's chats, seen from a test.
type Chats struct {
	T   testing.TB
	Sim *sim.Sim
	// Title names the groups ("Ward 3" when empty).
	Title string
}

// Last is the newest message's sequence number in chat.
func (c Chats) Last(chat string) int64 {
	msgs := c.Sim.Messages(context.Background(), chat, 0, 0)
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].Seq
}

// Post sends text from who into chat, once the simulator runs, and
// returns the chat's last sequence number before it.
func (c Chats) Post(chat, who, text string) int64 {
	c.T.Helper()
	return c.Send(chat, who, sim.Post{Text: text})
}

// Send sends p (text, a file, a reply) from who into chat, as Post does,
// and returns the chat's last sequence number before it.
func (c Chats) Send(chat, who string, p sim.Post) int64 {
	c.T.Helper()
	seq := c.Last(chat)
	typ, title := bot.Group, c.Title
	if title == "" {
		title = "Ward 3"
	}
	if strings.HasPrefix(chat, "dm-") {
		typ, title = bot.Direct, ""
	}
	name := strings.ToUpper(who[:1]) + who[1:]
	p.Chat, p.ChatType, p.ChatTitle, p.Sender, p.Name = chat, typ, title, who, name
	var err error
	testkit.Eventually(c.T, 5*time.Second, "the simulator to take a message", func() bool {
		_, err = c.Sim.Post(context.Background(), p)
		return err == nil
	}, func() string { return err.Error() })
	return seq
}

// Wait returns the first bot message in chat after seq that says text
// (toasts aside), failing after five seconds.
func (c Chats) Wait(chat string, after int64, text string) sim.Message {
	c.T.Helper()
	var seen []string
	var found sim.Message
	testkit.Eventually(c.T, 5*time.Second, fmt.Sprintf("%q in %s", text, chat), func() bool {
		for _, m := range c.Sim.Messages(context.Background(), chat, after, 0) {
			after = m.Seq
			if m.Bot && !m.Toast {
				seen = append(seen, m.Text)
				if strings.Contains(m.Text, text) {
					found = m
					return true
				}
			}
		}
		return false
	}, func() string { return fmt.Sprintf("the bot said %q", seen) })
	return found
}

// None fails if a bot message in chat after seq says text within half a
// second of real time (the scheduler looks every few milliseconds).
func (c Chats) None(chat string, after int64, text string) {
	c.T.Helper()
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); {
		for _, m := range c.Sim.Messages(context.Background(), chat, after, 100*time.Millisecond) {
			after = m.Seq
			if m.Bot && strings.Contains(m.Text, text) {
				c.T.Fatalf("unexpected in %s: %q", chat, m.Text)
			}
		}
	}
}

// Press presses option i of message m in chat as who.
func (c Chats) Press(chat, who string, m sim.Message, i int) {
	c.T.Helper()
	if err := c.Sim.Press(context.Background(), sim.Press{Chat: chat, Sender: who, MessageID: m.ID, Data: m.Options[i].Data}); err != nil {
		c.T.Fatal(err)
	}
}
