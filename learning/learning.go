// Package learning is the lessons' commands as a feature: /lessons,
// /lesson, /progress, /assign and /unassign, /data, and the answer to
// "replace the running lesson?". It asks the lesson engine, and /assign
// the other features' assigners (courses) too.
package learning

import (
	"time"

	"github.com/huddlebot/huddle/catalog"

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
	// Texts are the feature's (its Messages, or a program's laid over
	// them); the built-in ones when nil.
	Texts *catalog.Catalog
}

// learning is the feature's state.
type learning struct {
	engine    bot.Engine
	loc       *time.Location
	assigners []bot.Assigner
	texts     *catalog.Catalog
}

// Feature returns the lessons' commands as a feature.
func Feature(cfg Config) bot.Feature {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Texts == nil {
		cfg.Texts = builtinTexts()
	}
	l := &learning{engine: cfg.Engine, loc: cfg.Location, assigners: cfg.Assigners, texts: cfg.Texts}
	replace := func(tx bot.Tx, s bot.Session) error { return l.replaceAnswer(tx, s) }
	return bot.Feature{
		Name: "lessons",
		Commands: append([]bot.Command{
			{Name: "lessons", Aliases: []string{"courses"}, Help: l.texts.Phrase("help_lessons"), Gate: bot.GateCarry, Run: asCommand(bot.NoArgs(l.listLessons))},
			{Name: "lesson", Usage: l.texts.Phrase("usage_id"), Help: l.texts.Phrase("help_lesson"), Gate: bot.GateCarry, Run: func(tx bot.Tx, s bot.Session, args []string) error { return l.startLesson(tx, s, args) }},
			{Name: "progress", Help: l.texts.Phrase("help_progress"), Gate: bot.GateCarry, Run: asCommand(bot.NoArgs(l.progress))},
		}, append(l.assignCommands(), l.dataCommand())...),
		Options: []bot.OptionHandler{{Prefix: replacePrefix, Run: replace}, {Prefix: keepPrefix, Run: replace}},
	}
}
