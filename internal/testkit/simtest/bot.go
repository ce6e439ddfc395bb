package simtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// Bot is Huddle on the simulator, driven as members drive it: the
// harness of the router's and the features' conversation tests.
type Bot struct {
	T   *testing.T
	Sim *sim.Sim
	App *huddletest.App
}

// Start runs Huddle with opts on a new simulator until the test ends, and
// returns once the simulator takes messages.
func Start(t *testing.T, opts huddletest.Options) *Bot {
	t.Helper()
	s := sim.New(nil)
	b := &Bot{T: t, Sim: s, App: huddletest.Start(t, opts, s)}
	var err error
	testkit.Eventually(t, 5*time.Second, "the simulator to take a message", func() bool {
		_, err = s.Post(context.Background(), sim.Post{Chat: "warmup", ChatType: bot.Direct, Sender: "warmup", Text: "/help"})
		return err == nil
	}, func() string { return err.Error() })
	return b
}

// OnBothStores runs test on a SQLite file and on a real PostgreSQL (which
// skips where none is installed, and fails in CI).
func OnBothStores(t *testing.T, test func(t *testing.T, postgres bool)) {
	t.Run("sqlite", func(t *testing.T) { test(t, false) })
	t.Run("postgres", func(t *testing.T) { test(t, true) })
}

// chatType is a chat's type by its name: "dm-" starts a private chat.
func chatType(chat string) bot.ChatType {
	if strings.HasPrefix(chat, "dm-") {
		return bot.Direct
	}
	return bot.Group
}

// title is a sender's display name: "amina" shows as "Amina".
func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// Say posts text as a member and returns the bot's messages in that chat
// that follow, once the bot has sent at least want of them.
func (b *Bot) Say(chat, sender, text string, want int) []sim.Message {
	b.T.Helper()
	msg, err := b.Sim.Post(context.Background(), sim.Post{Chat: chat, ChatType: chatType(chat), Sender: sender, Name: title(sender), Text: text})
	if err != nil {
		b.T.Fatalf("post %q: %v", text, err)
	}
	return b.Replies(chat, msg.Seq, want)
}

// Choose presses option data of message messageID as a member and
// returns the bot's replies, once there are at least want.
func (b *Bot) Choose(chat, sender, messageID, data string, want int) []sim.Message {
	b.T.Helper()
	after := b.Last(chat)
	b.PressAs(chat, sender, title(sender), messageID, data)
	return b.Replies(chat, after, want)
}

// PressAs presses option data of message id as a member named name.
func (b *Bot) PressAs(chat, who, name, id, data string) {
	b.T.Helper()
	if err := b.Sim.Press(context.Background(), sim.Press{Chat: chat, Sender: who, Name: name, MessageID: id, Data: data}); err != nil {
		b.T.Fatalf("press %q: %v", data, err)
	}
}

// Post posts text as a member with a display name, in reply to replyTo
// when it is set, and returns the message posted.
func (b *Bot) Post(chat, who, name, text, replyTo string) sim.Message {
	b.T.Helper()
	m, err := b.Sim.Post(context.Background(), sim.Post{Chat: chat, ChatType: chatType(chat), ChatTitle: "Ward 5", Sender: who, Name: name, Text: text, ReplyTo: replyTo})
	if err != nil {
		b.T.Fatal(err)
	}
	return m
}

// Last is the newest message's sequence number in chat.
func (b *Bot) Last(chat string) int64 {
	msgs := b.Sim.Messages(context.Background(), chat, 0, 0)
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].Seq
}

// Replies waits for want bot messages in chat after seq and returns them;
// for want 0, it waits a moment to catch any and returns what came.
func (b *Bot) Replies(chat string, after int64, want int) []sim.Message {
	b.T.Helper()
	if want == 0 {
		time.Sleep(100 * time.Millisecond) // nothing to wait for: a moment for a stray reply
		return b.After(chat, after)
	}
	var out []sim.Message
	testkit.Eventually(b.T, 5*time.Second, "the bot's replies", func() bool {
		out = b.After(chat, after)
		return len(out) >= want
	}, func() string { return strings.Join(Texts(out), " | ") })
	return out
}

// After lists the bot's messages in chat after seq.
func (b *Bot) After(chat string, after int64) []sim.Message {
	var out []sim.Message
	for _, m := range b.Sim.Messages(context.Background(), chat, after, 0) {
		if m.Bot {
			out = append(out, m)
		}
	}
	return out
}

// Wait waits for a bot message in chat after seq that contains text.
func (b *Bot) Wait(chat string, after int64, text string) sim.Message {
	b.T.Helper()
	var found sim.Message
	testkit.Eventually(b.T, 15*time.Second, "a bot message saying "+text, func() bool {
		for _, m := range b.After(chat, after) {
			if strings.Contains(m.Text, text) {
				found = m
				return true
			}
		}
		return false
	}, func() string { return strings.Join(Texts(b.After(chat, after)), " | ") })
	return found
}

// Settled waits until the sender has sent everything queued (transient
// messages are gone from the outbox once sent), then counts every table's
// rows.
func (b *Bot) Settled() map[string]int64 {
	b.T.Helper()
	ctx := context.Background()
	// Sent, or given up: a message being sent is neither yet. One due
	// more than an hour on is not waited for.
	testkit.Until(5*time.Second, func() bool {
		n, err := b.App.DB.Unsent(ctx, b.App.Clock.Now().Add(time.Hour))
		if err != nil {
			b.T.Fatal(err)
		}
		return n == 0
	})
	counts, err := b.App.DB.RowCounts(ctx)
	if err != nil {
		b.T.Fatal(err)
	}
	return counts
}

// ConsentOf reads the consent record of a simulator sender.
func (b *Bot) ConsentOf(sender string) bot.Consent {
	b.T.Helper()
	var c bot.Consent
	err := b.App.DB.Update(context.Background(), func(tx bot.Tx) error {
		var err error
		c, err = tx.Consent("sim", sender)
		return err
	})
	if err != nil {
		b.T.Fatal(err)
	}
	return c
}

// QuizInWard has Amina and Brigitte greet the ward, and Amina start
// quick-quiz there; it returns the ward's last message before the lesson,
// once the first question is out.
func (b *Bot) QuizInWard() int64 {
	b.T.Helper()
	b.Post("ward", "amina", "Amina", "morning", "")
	b.Post("ward", "brigitte", "Brigitte", "morning", "")
	seq := b.Last("ward")
	b.Post("ward", "amina", "Amina", "/lesson quick-quiz", "")
	b.Wait("ward", seq, "Upper limit")
	return seq
}

// Texts are the texts of msgs.
func Texts(msgs []sim.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}
