package bot

import "time"

// learning is the lessons' feature: /lessons, /lesson, /progress, /assign
// and /unassign, /data, and the answer to "replace the running lesson?".
// It asks the lesson engine, and /assign the features' assigners too.
type learning struct {
	engine Engine
	loc    *time.Location
	// assigners are the features' (courses): what /assign gives besides
	// lessons.
	assigners func() []Assigner
}

// feature is learning as a Feature.
func (l *learning) feature() Feature {
	return Feature{
		Name: "lessons",
		Commands: append([]Command{
			{Name: "lessons", Help: helpText("help_lessons"), Gate: GateCarry, Run: noArgs(l.listLessons)},
			{Name: "lesson", Usage: helpText("usage_id"), Help: helpText("help_lesson"), Gate: GateCarry, Run: l.startLesson},
			{Name: "progress", Help: helpText("help_progress"), Gate: GateCarry, Run: noArgs(l.progress)},
		}, append(l.assignCommands(), l.dataCommand())...),
		Options: []OptionHandler{{Prefix: replacePrefix, Run: l.replaceAnswer}, {Prefix: keepPrefix, Run: l.replaceAnswer}},
	}
}
