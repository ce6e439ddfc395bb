package motivation

import (
	"context"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Feature plugs motivation into the App: /streaks and /badges, and the
// work that sends each group's weekly summary and awards badges, looked
// for every every.
func (sv *Service) Feature(q bot.MotivationQueue, every time.Duration) bot.Feature {
	return bot.Feature{Name: "motivation", Commands: sv.commands(),
		Jobs: []bot.Job{{Name: "weekly summaries and badges", Every: every,
			Run: func(ctx context.Context, _ bot.ChatQueue) error { return sv.Tick(ctx, q) }}}}
}
