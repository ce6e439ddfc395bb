package router

import (
	"time"

	"github.com/huddlebot/huddle/bot"
)

// learning is the lessons' feature: /lessons, /lesson, /progress, /assign
// and /unassign, /data, and the answer to "replace the running lesson?".
// It asks the lesson engine, and /assign the features' assigners too.
type learning struct {
	engine bot.Engine
	loc    *time.Location
	// assigners are the features' (courses): what /assign gives besides
	// lessons.
	assigners func() []bot.Assigner
}

// feature is learning as a Feature.
func (l *learning) feature() bot.Feature {
	return bot.Feature{
		Name: "lessons",
		Commands: append([]bot.Command{
			{Name: "lessons", Help: helpText("help_lessons"), Gate: bot.GateCarry, Run: noArgs(l.listLessons)},
			{Name: "lesson", Usage: helpText("usage_id"), Help: helpText("help_lesson"), Gate: bot.GateCarry, Run: l.startLesson},
			{Name: "progress", Help: helpText("help_progress"), Gate: bot.GateCarry, Run: noArgs(l.progress)},
		}, append(l.assignCommands(), l.dataCommand())...),
		Options: []bot.OptionHandler{{Prefix: replacePrefix, Run: l.replaceAnswer}, {Prefix: keepPrefix, Run: l.replaceAnswer}},
	}
}
