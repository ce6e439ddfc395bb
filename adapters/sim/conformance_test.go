package sim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/bot/channeltest"
	"github.com/huddlebot/huddle/internal/testkit"
)

// TestConformance runs the channel conformance kit against the simulator.
func TestConformance(t *testing.T) { channeltest.Run(t, &simPlatform{s: sim.New(nil)}) }

// simPlatform plays the kit's members on the simulator's own API, as its
// page does.
type simPlatform struct{ s *sim.Sim }

var simMembers = []string{"amina", "brigitte"}

func (p *simPlatform) Channel() bot.Channel      { return p.s }
func (p *simPlatform) Group() string             { return "ward-3" }
func (p *simPlatform) Private(member int) string { return "dm-" + simMembers[member] }
func (p *simPlatform) Member(i int) string       { return simMembers[i] }

func (p *simPlatform) Lacks(c channeltest.Case) string {
	switch c {
	case channeltest.Vote:
		return "the simulator offers options as buttons, not polls"
	case channeltest.Edit, channeltest.Delete:
		return "the simulator's page has no way to edit or delete a message"
	}
	return ""
}

func (p *simPlatform) Do(t *testing.T, a channeltest.Action) string {
	t.Helper()
	ctx := context.Background()
	who := simMembers[a.Member]
	typ := bot.Direct
	if a.Chat == p.Group() {
		typ = bot.Group
	}
	var (
		msg sim.Message
		err error
	)
	// Run may not have taken its handler yet.
	testkit.Eventually(t, 5*time.Second, "the simulator to take "+string(a.Case), func() bool {
		switch a.Case {
		case channeltest.Press:
			err = p.s.Press(ctx, sim.Press{Chat: a.Chat, Sender: who, MessageID: a.Message.ID, Label: a.Message.Options[a.Option]})
		default:
			post := sim.Post{Chat: a.Chat, ChatType: typ, Sender: who, Name: who, Text: a.Text, ReplyTo: a.ReplyTo}
			if a.Case == channeltest.Mention {
				post.Mentions = []string{simMembers[a.Mentioned]}
			}
			msg, err = p.s.Post(ctx, post)
		}
		return !errors.Is(err, sim.ErrNotRunning)
	})
	if err != nil {
		t.Fatalf("%s: %v", a.Case, err)
	}
	return msg.ID
}

// Gone: the simulator marks a message taken down Removed, with nothing
// of it left.
func (p *simPlatform) Gone(t *testing.T, chat, id string) bool {
	for _, m := range p.s.Messages(context.Background(), chat, 0, 0) {
		if m.ID == id {
			return m.Removed && m.Text == "" && m.File == nil
		}
	}
	t.Fatalf("no message %s in %s", id, chat)
	return false
}

func (p *simPlatform) Sent(t *testing.T, chat, id string) channeltest.Received {
	t.Helper()
	for _, m := range p.s.Messages(context.Background(), chat, 0, 0) {
		if m.ID != id {
			continue
		}
		r := channeltest.Received{ID: m.ID, Text: m.Text, ReplyTo: m.ReplyTo}
		for _, o := range m.Options {
			r.Options = append(r.Options, o.Label)
		}
		if m.File != nil {
			r.File = m.File.Name
		}
		return r
	}
	t.Fatalf("no message %s in %s", id, chat)
	return channeltest.Received{}
}
