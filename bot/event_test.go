package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

func TestWantsFile(t *testing.T) {
	group := bot.Event{ChatType: bot.Group}
	with := func(f func(*bot.Event)) bot.Event {
		ev := group
		f(&ev)
		return ev
	}
	tests := []struct {
		name string
		ev   bot.Event
		mime string
		want bool
	}{
		{"a voice note in a group", group, "audio/ogg", true},
		{"the group's own photo", with(func(e *bot.Event) { e.Text = "Our new ward!" }), "image/jpeg", false},
		{"a photo captioned /case", with(func(e *bot.Event) { e.Text = " /case Woman of 30…" }), "image/jpeg", true},
		{"a photo in reply", with(func(e *bot.Event) { e.ReplyTo = "m12" }), "image/jpeg", true},
		{"a photo in a topic", with(func(e *bot.Event) { e.Thread = "7" }), "image/jpeg", true},
		{"a photo sent privately", bot.Event{ChatType: bot.Direct}, "image/png", true},
		{"a video in reply", with(func(e *bot.Event) { e.ReplyTo = "m12" }), "video/mp4", false},
		{"a PDF privately", bot.Event{ChatType: bot.Direct}, "application/pdf", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bot.WantsFile(tt.ev, tt.mime); got != tt.want {
				t.Errorf("WantsFile = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestOutboundShape: a message is one shape, and Check refuses one that
// asks for two, options on what cannot carry them, or Removed without a
// take-down.
func TestOutboundShape(t *testing.T) {
	file := &bot.File{Name: "a.pdf", MIMEType: "application/pdf", Data: []byte("%PDF")}
	opts := []bot.Option{{Label: "A", Data: "q:a"}}
	for _, tc := range []struct {
		name  string
		m     bot.Outbound
		shape bot.Shape
		bad   string // what Check's error names; "" when it passes
	}{
		{"text", bot.Outbound{Text: "hello", Options: opts}, bot.ShapeText, ""},
		{"document with options", bot.Outbound{File: file, Options: opts}, bot.ShapeDocument, ""},
		{"reaction with its words", bot.Outbound{React: "✅", ReplyTo: "9", Text: "Right"}, bot.ShapeReaction, ""},
		{"take-down", bot.Outbound{Delete: "9", Removed: "Taken down", Text: "Please delete it"}, bot.ShapeTakeDown, ""},
		{"topic", bot.Outbound{Topic: "Case 4"}, bot.ShapeTopic, ""},
		{"press answer", bot.Outbound{PressID: "p1", Text: "Saved"}, bot.ShapePressAnswer, ""},
		{"reaction with a file", bot.Outbound{React: "✅", File: file}, bot.ShapeReaction, "react and file"},
		{"take-down that opens a topic", bot.Outbound{Delete: "9", Topic: "x"}, bot.ShapeTakeDown, "delete and topic"},
		{"press answer with a reaction", bot.Outbound{PressID: "p", React: "✅"}, bot.ShapePressAnswer, "press_id and react"},
		{"options on a reaction", bot.Outbound{React: "✅", Options: opts}, bot.ShapeReaction, "a reaction carries no options"},
		{"options on a topic", bot.Outbound{Topic: "x", Options: opts}, bot.ShapeTopic, "a topic carries no options"},
		{"removed without a take-down", bot.Outbound{Text: "x", Removed: "gone"}, bot.ShapeText, "only after a take-down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.m.Key = "k1"
			if got := tc.m.Shape(); got != tc.shape {
				t.Errorf("Shape() = %s, want %s", got, tc.shape)
			}
			err := tc.m.Check()
			switch {
			case tc.bad == "" && err != nil:
				t.Errorf("Check() = %v, want nil", err)
			case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
				t.Errorf("Check() = %v, want an error naming %q", err, tc.bad)
			}
		})
	}
}

// webOnly is a channel that serves pages and has no other capability.
type webOnly struct{}

func (webOnly) Name() string                                       { return "web" }
func (webOnly) Run(context.Context, bot.Handler) error             { return nil }
func (webOnly) Send(context.Context, bot.Outbound) (string, error) { return "", nil }
func (webOnly) Routes() []bot.Route                                { return nil }

// expiring is a channel whose messages go stale after a day.
type expiring struct{ webOnly }

func (expiring) MaxAge() time.Duration { return 24 * time.Hour }

// TestCapsOf: what a channel can do is read once, field by field.
func TestCapsOf(t *testing.T) {
	c := bot.CapsOf(webOnly{})
	if c.Web == nil || c.Reporting != nil || c.Expiring != nil || c.Single != nil || c.Rate != nil {
		t.Errorf("CapsOf(webOnly) = %+v, want Web alone", c)
	}
	if c.MaxAge() != 0 || c.Name() != "web" {
		t.Errorf("MaxAge() = %v, Name() = %q; want 0 and web", c.MaxAge(), c.Name())
	}
	if got := bot.CapsOf(expiring{}).MaxAge(); got != 24*time.Hour {
		t.Errorf("expiring MaxAge() = %v, want 24h", got)
	}
}

// TestEventCheck: an event an adapter should not make (an unknown kind,
// a kind without what it needs, fields of another kind) is named.
func TestEventCheck(t *testing.T) {
	base := bot.Event{ID: "e1", Channel: "sim", ChatID: "g", SenderID: "u"}
	with := func(f func(*bot.Event)) bot.Event { ev := base; f(&ev); return ev }
	for _, tc := range []struct {
		name string
		ev   bot.Event
		bad  string // what the error names; "" when it passes
	}{
		{"message", with(func(e *bot.Event) { e.Kind, e.Text = bot.Message, "hi" }), ""},
		{"message with a photo", with(func(e *bot.Event) { e.Kind, e.File = bot.Message, &bot.File{Name: "p.jpg"} }), ""},
		{"press", with(func(e *bot.Event) { e.Kind, e.Option, e.PressID = bot.OptionChosen, "q:1", "p" }), ""},
		{"vote withdrawn", with(func(e *bot.Event) { e.Kind, e.MessageID = bot.Vote, "poll" }), ""},
		{"reaction", with(func(e *bot.Event) { e.Kind, e.Target, e.Text = bot.Reaction, "9", "👍" }), ""},
		{"migration", bot.Event{ID: "m", Kind: bot.ChatMigrated, Channel: "telegram", ChatID: "-1", MigrateTo: "-100"}, ""},
		{"channel down", bot.Event{ID: "d", Kind: bot.ChannelDown, Channel: "whatsapp", Text: "logged out"}, ""},
		{"unknown kind", with(func(e *bot.Event) { e.Kind = "sticker" }), `unknown kind "sticker"`},
		{"message without a sender", with(func(e *bot.Event) { e.Kind, e.SenderID = bot.Message, "" }), "without its sender id"},
		{"press without its option", with(func(e *bot.Event) { e.Kind = bot.OptionChosen }), "without its option"},
		{"edit without its target", with(func(e *bot.Event) { e.Kind = bot.Edited }), "without its target"},
		{"migration without its new id", bot.Event{ID: "m", Kind: bot.ChatMigrated, ChatID: "-1"}, "without its migrate_to"},
		{"message with a press's data", with(func(e *bot.Event) { e.Kind, e.Option = bot.Message, "q:1" }), "carries option"},
		{"press with choices", with(func(e *bot.Event) { e.Kind, e.Option, e.Choices = bot.OptionChosen, "q", []string{"a"} }), "carries choices"},
		{"vote with a file", with(func(e *bot.Event) { e.Kind, e.MessageID, e.File = bot.Vote, "poll", &bot.File{} }), "carries file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ev.Check()
			switch {
			case tc.bad == "" && err != nil:
				t.Errorf("Check() = %v, want nil", err)
			case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
				t.Errorf("Check() = %v, want an error naming %q", err, tc.bad)
			}
		})
	}
}
