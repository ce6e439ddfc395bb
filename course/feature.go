package course

import (
	"context"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Feature plugs courses into the App: /certificates, courses given to a
// group with /assign, and the work that opens each cohort's lessons in
// their turn and issues certificates, looked for every every.
func (sv *Service) Feature(q bot.CourseQueue, every time.Duration) bot.Feature {
	return bot.Feature{Name: "courses", Commands: sv.commands(), Assigner: sv,
		Jobs: []bot.Job{{Name: "courses", Every: every,
			Run: func(ctx context.Context, turns bot.ChatQueue) error { return sv.Tick(ctx, q, turns) }}}}
}
