package bot_test

import (
	"testing"

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
