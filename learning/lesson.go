package learning

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

func (l *learning) listLessons(tx Tx, s bot.Session) error {
	list := l.engine.Lessons(s.Lang)
	if len(list) == 0 {
		return bot.Reply(tx, s, "lessons", l.tr(s.Lang, "lessons_none"))
	}
	var b strings.Builder
	b.WriteString(l.tr(s.Lang, "lessons"))
	for _, l := range list {
		fmt.Fprintf(&b, "\n• %s: %s", l.ID, l.Title)
	}
	for _, a := range l.assigners {
		if more := a.Offered(s.Lang); more != "" {
			b.WriteString("\n\n" + more)
		}
	}
	return bot.Reply(tx, s, "lessons", b.String())
}

// Option data prefixes of the replace question.
const (
	replacePrefix = "r+:"
	keepPrefix    = "r-:"
)

func (l *learning) startLesson(tx lessonTx, s bot.Session, args []string) error {
	if len(args) == 0 {
		example := "hand-hygiene"
		if list := l.engine.Lessons(s.Lang); len(list) > 0 {
			example = list[0].ID
		}
		return bot.Reply(tx, s, "lesson", l.tr(s.Lang, "lesson_usage", example))
	}
	id := strings.ToLower(args[0])
	info, ok := l.engine.Lesson(id, s.Lang)
	if !ok {
		return bot.Reply(tx, s, "lesson", l.tr(s.Lang, "lesson_unknown", bot.Clip(args[0], 40)))
	}
	if info.Mode == "direct" && s.Chat.Type == bot.Group {
		return bot.Reply(tx, s, "lesson", l.tr(s.Lang, "direct_only", info.Title, info.ID))
	}
	run, err := tx.ActiveRun(s.Chat.ID)
	switch {
	case errors.Is(err, bot.ErrNotFound):
		_, err := l.engine.Start(tx, s, id)
		return err
	case err != nil:
		return err
	}
	if len(args) > 1 && strings.EqualFold(args[1], "replace") {
		if err := l.engine.Stop(tx, run, s.Now); err != nil {
			return err
		}
		_, err := l.engine.Start(tx, s, id)
		return err
	}
	runID := strconv.FormatInt(run.ID, 10)
	question, yes := l.tr(s.Lang, "replace_q", l.engine.Describe(run, s.Lang), info.Title), l.tr(s.Lang, "replace_yes")
	if run.LessonID == id {
		// The same lesson: say that it starts again, not "replace X with X".
		question, yes = l.tr(s.Lang, "restart_q", l.engine.Describe(run, s.Lang)), l.tr(s.Lang, "restart_yes")
	}
	return bot.Reply(tx, s, "lesson", question,
		bot.Option{Label: yes, Data: replacePrefix + runID + ":" + id},
		bot.Option{Label: l.tr(s.Lang, "replace_no"), Data: keepPrefix + runID},
	)
}

// replaceAnswer acts on a press of the replace question's options.
func (l *learning) replaceAnswer(tx lessonTx, s bot.Session) error {
	replace := strings.HasPrefix(s.Event.Option, replacePrefix)
	rest := s.Event.Option[len(replacePrefix):]
	runPart, lessonID, _ := strings.Cut(rest, ":")
	runID, _ := strconv.ParseInt(runPart, 10, 64)
	run, err := tx.ActiveRun(s.Chat.ID)
	if errors.Is(err, bot.ErrNotFound) || (err == nil && run.ID != runID) {
		return bot.Reply(tx, s, "replace", l.tr(s.Lang, "replace_stale"))
	}
	if err != nil {
		return err
	}
	if !replace {
		return bot.Reply(tx, s, "replace", l.tr(s.Lang, "replace_kept", l.engine.Describe(run, s.Lang)))
	}
	if _, ok := l.engine.Lesson(lessonID, s.Lang); !ok {
		return bot.Reply(tx, s, "replace", l.tr(s.Lang, "replace_stale"))
	}
	if err := l.engine.Stop(tx, run, s.Now); err != nil {
		return err
	}
	_, err = l.engine.Start(tx, s, lessonID)
	return err
}
