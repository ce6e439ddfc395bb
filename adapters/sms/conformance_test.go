package sms_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/bot/channeltest"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/smsfake"
	"github.com/huddlebot/huddle/smstext"
)

// TestConformance runs the channel conformance kit against the SMS
// channel through the Twilio fake: the kit's members are two phones of a
// cohort, its group the cohort.
func TestConformance(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 50)
	channeltest.Run(t, &smsPlatform{ch: ch, fake: fake})
}

type smsPlatform struct {
	ch   *sms.SMS
	fake *smsfake.Twilio
	// seen counts the texts each phone had when the bot last sent.
	seen map[string]int
}

var kitPhones = []string{amina.Number, brigitte.Number}

func (p *smsPlatform) Channel() bot.Channel      { return p.ch }
func (p *smsPlatform) Group() string             { return ward.ID }
func (p *smsPlatform) Private(member int) string { return kitPhones[member] }
func (p *smsPlatform) Member(i int) string       { return kitPhones[i] }

// Rendered: SMS leaves out the symbols that open lines (smstext.Plain).
func (p *smsPlatform) Rendered(text string) string { return smstext.Plain(text) }

func (p *smsPlatform) Lacks(c channeltest.Case) string {
	switch c {
	case channeltest.PrivateText:
		return "a cohort's member has one thread with the bot: their texts are the group's, and its answers to them theirs alone (docs/sms.md)"
	case channeltest.Reply, channeltest.Mention, channeltest.Edit, channeltest.Delete:
		return "an SMS cannot reply to, mention, edit or delete a message"
	case channeltest.Vote:
		return "options are answered by their number, as a press"
	case channeltest.SendReply:
		return "an SMS cannot quote the message it answers: the answer goes to its author alone (TestAnswersGoToTheirAuthor)"
	case channeltest.SendDocument:
		return "SMS carries no files: the text says so (TestPicturesAndFiles)"
	}
	return ""
}

func (p *smsPlatform) Do(t *testing.T, a channeltest.Action) string {
	t.Helper()
	text := a.Text
	if a.Case == channeltest.Press {
		text = strconv.Itoa(a.Option + 1)
	}
	var status int
	testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool {
		status = p.fake.Text(t, kitPhones[a.Member], text)
		return status != 503
	})
	if status != 200 {
		t.Fatalf("the webhook answered %d", status)
	}
	return ""
}

// Sent waits for the bot's message to reach the phones it is for: in
// the group, each member's; and reads it as a member's phone shows it.
func (p *smsPlatform) Sent(t *testing.T, chat, id string) channeltest.Received {
	t.Helper()
	if p.seen == nil {
		p.seen = map[string]int{}
	}
	phones := []string{chat}
	if chat == ward.ID {
		phones = kitPhones
	}
	var got smsfake.Text
	for _, n := range phones {
		testkit.Eventually(t, 10*time.Second, "the text to reach "+n, func() bool { return len(p.fake.Texts(n)) > p.seen[n] })
		texts := p.fake.Texts(n)
		p.seen[n] = len(texts)
		if got.Body != "" && texts[len(texts)-1].Body != got.Body {
			t.Errorf("%s got %q, another member %q", n, texts[len(texts)-1].Body, got.Body)
		}
		got = texts[len(texts)-1]
	}
	r := channeltest.Received{ID: id}
	for i, line := range strings.Split(got.Body, "\n") {
		if n, label, ok := strings.Cut(line, ". "); ok && n == strconv.Itoa(len(r.Options)+1) {
			r.Options = append(r.Options, label)
		} else if i == 0 || len(r.Options) == 0 {
			r.Text = strings.TrimPrefix(r.Text+"\n"+line, "\n")
		}
	}
	return r
}
