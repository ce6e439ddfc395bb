// Package channeltest is a conformance kit for channels: one table of
// inbound and outbound cases (a text in a group and in private, a reply,
// a mention, an option pressed or voted for, an edit, a deletion; a text,
// a reply, options and a document sent, a member's message taken down)
// that every channel passes against its platform or a faithful stand-in
// of it. The simulator, Telegram and WhatsApp run it; so can a program's
// own channel:
//
//	func TestConformance(t *testing.T) { channeltest.Run(t, newMyPlatform(t)) }
package channeltest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Case names one row of the table.
type Case string

// The cases.
const (
	// Inbound: what members do.
	GroupText   Case = "a text in the group"
	PrivateText Case = "a text in private"
	Reply       Case = "a reply to a message"
	Mention     Case = "a mention of another member"
	Press       Case = "an option pressed"
	Vote        Case = "a vote in a poll"
	Edit        Case = "an edit"
	Delete      Case = "a deletion"
	// Outbound: what the bot sends.
	SendText     Case = "the bot's text"
	SendReply    Case = "the bot's reply"
	SendOptions  Case = "the bot's options"
	SendDocument Case = "the bot's document"
	// TakeDown is the bot's taking down of a member's message in the
	// group (a case's photo, until its author has checked it); run where
	// the platform implements TakingDown, with the bot an admin of the
	// group.
	TakeDown Case = "the bot's take-down of a member's message"
)

// TakingDown is a Platform that tells whether a member's message is gone
// from its chat: the kit then has the bot take one down (TakeDown).
type TakingDown interface {
	// Gone reports whether member's message id (as Do returned it, or
	// the event's MessageID) is gone from chat.
	Gone(t *testing.T, chat, id string) bool
}

// Rendering is a Platform whose channel shows the bot's texts changed in
// a way of its own (SMS leaves out the symbols that open lines, which
// would make every text UCS-2): the kit compares what arrived with
// Rendered of what was sent.
type Rendering interface {
	Rendered(text string) string
}

// Platform is the stand-in for a channel's platform that a test gives
// Run: it plays two members, a group they share and their private chats,
// and shows what reached it from the bot.
type Platform interface {
	// Channel is the channel under test, not yet running: Run runs it.
	Channel() bot.Channel
	// Group is the group's chat id as the channel gives it in events and
	// takes it in Outbound.ChatID; Private is member i's private chat's.
	Group() string
	Private(member int) string
	// Member is member i's id (0 or 1) as the channel gives it in
	// SenderID and Mentions.
	Member(i int) string
	// Do has the platform deliver what a member did to the running
	// channel. It returns the platform's id of the message the member
	// posted (a text, a reply or a mention) where the platform tells it;
	// "" otherwise, and the kit takes the id from the event.
	Do(t *testing.T, a Action) string
	// Sent returns what reached the platform for the bot's message id (as
	// Send returned it) in chat.
	Sent(t *testing.T, chat, id string) Received
	// Lacks says why the platform cannot do case c, or "" when it can.
	Lacks(c Case) string
}

// Action is what a member does.
type Action struct {
	Case Case
	// Member is who does it (0 or 1), in Chat.
	Member int
	Chat   string
	Text   string
	// ReplyTo is the message replied to, for Reply.
	ReplyTo string
	// Mentioned is the member mentioned, for Mention.
	Mentioned int
	// Message is the bot's message whose option is pressed or voted for
	// (Press, Vote), as it reached the platform and as the bot sent it
	// (what the store keeps of it, which a channel may look up), and
	// Option the option's index.
	Message Received
	Sent    bot.Outbound
	Option  int
	// Target is the member's own message edited or deleted.
	Target string
}

// Received is a bot's message as it reached the platform.
type Received struct {
	ID      string
	Text    string
	ReplyTo string
	// Options are the labels offered (buttons or a poll's options).
	Options []string
	// File is the name of the document sent, "" for none.
	File string
}

// recorder is the handler the channel under test gives its events to.
type recorder struct{ events chan bot.Event }

func (r *recorder) HandleEvent(_ context.Context, ev bot.Event) error {
	r.events <- ev
	return nil
}

// next waits for the channel's next event.
func (r *recorder) next(t *testing.T, what Case) bot.Event {
	t.Helper()
	select {
	case ev := <-r.events:
		if err := ev.Check(); err != nil {
			t.Errorf("%s: the router would drop this event: %v", what, err)
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no event reached the handler in 10s", what)
		return bot.Event{}
	}
}

// Run runs the table against p: the channel runs until the test ends.
func Run(t *testing.T, p Platform) {
	ch := p.Channel()
	rec := &recorder{events: make(chan bot.Event, 64)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx, rec) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	k := &kit{p: p, ch: ch, rec: rec, ctx: ctx}
	for _, c := range []struct {
		c  Case
		fn func(t *testing.T)
	}{
		{GroupText, k.groupText}, {PrivateText, k.privateText}, {Reply, k.reply}, {Mention, k.mention},
		{Press, k.press}, {Vote, k.vote}, {Edit, k.edit}, {Delete, k.delete},
		{SendText, k.sendText}, {SendReply, k.sendReply}, {SendOptions, k.sendOptions}, {SendDocument, k.sendDocument},
		{TakeDown, k.takeDown},
	} {
		t.Run(string(c.c), func(t *testing.T) {
			if why := p.Lacks(c.c); why != "" {
				t.Skip(why)
			}
			c.fn(t)
		})
	}
}

// kit holds what the cases share.
type kit struct {
	p   Platform
	ch  bot.Channel
	rec *recorder
	ctx context.Context
	n   int
}

// text has member post a text in chat and returns its event and id.
func (k *kit) text(t *testing.T, c Case, chat string, member int, words string) (bot.Event, string) {
	t.Helper()
	id := k.p.Do(t, Action{Case: c, Member: member, Chat: chat, Text: words})
	ev := k.rec.next(t, c)
	if id == "" {
		id = ev.MessageID
	}
	return ev, id
}

// check fails when the event is not a message from member in chat, of
// chat type typ, saying text.
func (k *kit) check(t *testing.T, ev bot.Event, kind bot.EventKind, chat string, typ bot.ChatType, member int, text string) {
	t.Helper()
	switch {
	case ev.Kind != kind:
		t.Errorf("kind %q, want %q", ev.Kind, kind)
	case ev.Channel != k.ch.Name():
		t.Errorf("channel %q, want %q", ev.Channel, k.ch.Name())
	case ev.ChatID != chat || ev.ChatType != typ:
		t.Errorf("chat %q (%s), want %q (%s)", ev.ChatID, ev.ChatType, chat, typ)
	case ev.SenderID != k.p.Member(member):
		t.Errorf("sender %q, want %q", ev.SenderID, k.p.Member(member))
	case text != "" && ev.Text != text:
		t.Errorf("text %q, want %q", ev.Text, text)
	case ev.ID == "":
		t.Error("no event id: a repeat could not be recognised")
	}
}

// unique is a text no earlier case used.
func (k *kit) unique(s string) string {
	k.n++
	return s + " " + strings.Repeat("·", k.n)
}

func (k *kit) groupText(t *testing.T) {
	words := k.unique("Morning, everyone")
	ev, id := k.text(t, GroupText, k.p.Group(), 0, words)
	k.check(t, ev, bot.Message, k.p.Group(), bot.Group, 0, words)
	if ev.MessageID == "" || (id != "" && ev.MessageID != id) {
		t.Errorf("message id %q, want the platform's %q", ev.MessageID, id)
	}
}

func (k *kit) privateText(t *testing.T) {
	words := k.unique("/progress")
	ev, _ := k.text(t, PrivateText, k.p.Private(1), 1, words)
	k.check(t, ev, bot.Message, k.p.Private(1), bot.Direct, 1, words)
}

func (k *kit) reply(t *testing.T) {
	_, first := k.text(t, GroupText, k.p.Group(), 0, k.unique("Who has seen this rash?"))
	words := k.unique("I have, twice")
	k.p.Do(t, Action{Case: Reply, Member: 1, Chat: k.p.Group(), Text: words, ReplyTo: first})
	ev := k.rec.next(t, Reply)
	k.check(t, ev, bot.Message, k.p.Group(), bot.Group, 1, words)
	if ev.ReplyTo != first {
		t.Errorf("reply to %q, want %q", ev.ReplyTo, first)
	}
}

func (k *kit) mention(t *testing.T) {
	k.p.Do(t, Action{Case: Mention, Member: 0, Chat: k.p.Group(), Text: k.unique("what do you think?"), Mentioned: 1})
	ev := k.rec.next(t, Mention)
	k.check(t, ev, bot.Message, k.p.Group(), bot.Group, 0, "")
	if !slices.Contains(ev.Mentions, k.p.Member(1)) {
		t.Errorf("mentions %q, want %q among them", ev.Mentions, k.p.Member(1))
	}
}

// offer sends a bot message with two options to the group and returns it
// as the platform shows it, and as sent.
func (k *kit) offer(t *testing.T, c Case) (Received, bot.Outbound) {
	t.Helper()
	out := bot.Outbound{Channel: k.ch.Name(), ChatID: k.p.Group(), Text: k.unique("Which drug first for PPH?"), Key: "kit:" + string(c),
		Options: []bot.Option{{Label: "Oxytocin", Data: "kit:q:1"}, {Label: "Ergometrine", Data: "kit:q:2"}}}
	id, err := k.ch.Send(k.ctx, out)
	if err != nil {
		t.Fatalf("send options: %v", err)
	}
	got := k.p.Sent(t, k.p.Group(), id)
	if len(got.Options) != 2 || !strings.Contains(got.Options[0], "Oxytocin") || !strings.Contains(got.Options[1], "Ergometrine") {
		t.Fatalf("options %q, want Oxytocin and Ergometrine", got.Options)
	}
	return got, out
}

func (k *kit) press(t *testing.T) {
	msg, out := k.offer(t, Press)
	k.p.Do(t, Action{Case: Press, Member: 1, Chat: k.p.Group(), Message: msg, Sent: out, Option: 1})
	ev := k.rec.next(t, Press)
	k.check(t, ev, bot.OptionChosen, k.p.Group(), bot.Group, 1, "")
	if ev.Option != "kit:q:2" || ev.MessageID != msg.ID {
		t.Errorf("pressed %q under %q, want kit:q:2 under %q", ev.Option, ev.MessageID, msg.ID)
	}
}

func (k *kit) vote(t *testing.T) {
	msg, out := k.offer(t, Vote)
	k.p.Do(t, Action{Case: Vote, Member: 1, Chat: k.p.Group(), Message: msg, Sent: out, Option: 0})
	ev := k.rec.next(t, Vote)
	k.check(t, ev, bot.Vote, k.p.Group(), bot.Group, 1, "")
	if !slices.Equal(ev.Choices, []string{"kit:q:1"}) || ev.MessageID != msg.ID {
		t.Errorf("voted %q in %q, want [kit:q:1] in %q", ev.Choices, ev.MessageID, msg.ID)
	}
}

func (k *kit) edit(t *testing.T) {
	_, id := k.text(t, GroupText, k.p.Group(), 0, k.unique("BP 120/80"))
	words := k.unique("BP 100/60")
	k.p.Do(t, Action{Case: Edit, Member: 0, Chat: k.p.Group(), Text: words, Target: id})
	ev := k.rec.next(t, Edit)
	k.check(t, ev, bot.Edited, k.p.Group(), bot.Group, 0, words)
	if ev.Target != id {
		t.Errorf("edit of %q, want %q", ev.Target, id)
	}
}

func (k *kit) delete(t *testing.T) {
	_, id := k.text(t, GroupText, k.p.Group(), 1, k.unique("wrong group, sorry"))
	k.p.Do(t, Action{Case: Delete, Member: 1, Chat: k.p.Group(), Target: id})
	ev := k.rec.next(t, Delete)
	k.check(t, ev, bot.Deleted, k.p.Group(), bot.Group, 1, "")
	if ev.Target != id {
		t.Errorf("deletion of %q, want %q", ev.Target, id)
	}
}

// send sends out and returns what reached the platform.
func (k *kit) send(t *testing.T, out bot.Outbound) Received {
	t.Helper()
	out.Channel = k.ch.Name()
	id, err := k.ch.Send(k.ctx, out)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if id == "" {
		t.Fatal("Send returned no platform id")
	}
	got := k.p.Sent(t, out.ChatID, id)
	if got.ID != id {
		t.Errorf("reached the platform as %q, Send said %q", got.ID, id)
	}
	return got
}

func (k *kit) sendText(t *testing.T) {
	for _, chat := range []string{k.p.Group(), k.p.Private(0)} {
		words := k.unique("📘 Hand hygiene: the five moments")
		want := words
		if r, ok := k.p.(Rendering); ok {
			want = r.Rendered(words)
		}
		if got := k.send(t, bot.Outbound{ChatID: chat, Text: words, Key: "kit:text:" + chat}); got.Text != want {
			t.Errorf("%s got %q, want %q", chat, got.Text, want)
		}
	}
}

func (k *kit) sendReply(t *testing.T) {
	_, id := k.text(t, GroupText, k.p.Group(), 0, k.unique("/progress"))
	words := k.unique("Your progress:")
	got := k.send(t, bot.Outbound{ChatID: k.p.Group(), Text: words, ReplyTo: id, Key: "kit:reply"})
	if got.ReplyTo != id || got.Text != words {
		t.Errorf("got %q replying to %q, want %q replying to %q", got.Text, got.ReplyTo, words, id)
	}
}

func (k *kit) sendOptions(t *testing.T) { k.offer(t, SendOptions) }

func (k *kit) takeDown(t *testing.T) {
	td, ok := k.p.(TakingDown)
	if !ok {
		t.Skip("the platform does not tell whether a message is gone (channeltest.TakingDown)")
	}
	_, id := k.text(t, GroupText, k.p.Group(), 1, k.unique("a photo of the chart, sorry"))
	if td.Gone(t, k.p.Group(), id) {
		t.Fatal("the member's message is gone before the bot took it down")
	}
	out := bot.Outbound{Channel: k.ch.Name(), ChatID: k.p.Group(), Delete: id, ReplyTo: id, Key: "kit:takedown",
		Text: "Please delete your photo: I cannot."}
	if _, err := k.ch.Send(k.ctx, out); err != nil {
		t.Fatalf("send: %v", err)
	}
	if !td.Gone(t, k.p.Group(), id) {
		t.Errorf("member's message %s is still in the group", id)
	}
}

func (k *kit) sendDocument(t *testing.T) {
	got := k.send(t, bot.Outbound{ChatID: k.p.Private(0), Text: "All of it, as a file.", Key: "kit:doc",
		File: &bot.File{Name: "huddle-mydata.json", MIMEType: "application/json", Data: []byte(`{"member":{}}`)}})
	if got.File != "huddle-mydata.json" {
		t.Errorf("document %q, want huddle-mydata.json", got.File)
	}
}
