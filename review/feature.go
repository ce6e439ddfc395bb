package review

import (
	"context"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Feature plugs spaced review into the App: /review and /nudges, the
// answers to review questions (pressed, voted or typed privately), and
// the work that makes cards of wrong answers and asks those due, looked
// for every every.
func (sv *Service) Feature(q bot.ReviewQueue, every time.Duration) bot.Feature {
	return bot.Feature{Name: "spaced review", Commands: sv.commands(), Options: sv.options(),
		Messages: []bot.TextHandler{asText(sv.typed)},
		Jobs: []bot.Job{{Name: "spaced review", Every: every,
			Run: func(ctx context.Context, _ bot.ChatQueue) error { return sv.Tick(ctx, q) }}}}
}
