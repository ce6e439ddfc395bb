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
