// Package learning is the lessons' commands as a feature: /lessons,
// /lesson, /progress, /assign and /unassign, /data, and the answer to
// "replace the running lesson?". It asks the lesson engine, and /assign
// the other features' assigners (courses) too.
package learning

import (
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Config is what the lessons' commands need.
type Config struct {
	Engine bot.Engine
	// Location is the time zone in which times are shown; UTC when nil.
	Location *time.Location
	// Assigners are what /assign gives besides lessons: the other
	// features' (Feature.Assigner).
	Assigners []bot.Assigner
}

// learning is the feature's state.
type learning struct {
	engine    bot.Engine
	loc       *time.Location
	assigners []bot.Assigner
}

// Feature returns the lessons' commands as a feature.
func Feature(cfg Config) bot.Feature {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	l := &learning{engine: cfg.Engine, loc: cfg.Location, assigners: cfg.Assigners}
	return bot.Feature{
		Name: "lessons",
		Commands: append([]bot.Command{
			{Name: "lessons", Help: helpText("help_lessons"), Gate: bot.GateCarry, Run: bot.NoArgs(l.listLessons)},
			{Name: "lesson", Usage: helpText("usage_id"), Help: helpText("help_lesson"), Gate: bot.GateCarry, Run: l.startLesson},
			{Name: "progress", Help: helpText("help_progress"), Gate: bot.GateCarry, Run: bot.NoArgs(l.progress)},
		}, append(l.assignCommands(), l.dataCommand())...),
		Options: []bot.OptionHandler{{Prefix: replacePrefix, Run: l.replaceAnswer}, {Prefix: keepPrefix, Run: l.replaceAnswer}},
	}
}

// helpText returns a Help (or Usage) function for a key of the feature's
// texts.
func helpText(key string) func(lang string) string {
	return func(lang string) string { return tr(lang, key) }
}
