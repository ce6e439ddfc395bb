package learning

import (
	"fmt"
	"github.com/huddlebot/huddle/bot"
	"strings"
)

// lessonTx is what starting a lesson sees of the store: the feature's
// part, and the engine's.
type lessonTx interface {
	Tx
	bot.EngineTx
}

// assignTx is what /unassign and the list of /assign see of the store:
// the feature's part, and the assigners'.
type assignTx interface {
	Tx
	bot.AssignerTx
}

// assignCommands are /assign and /unassign, for a group's admins and the
// program's staff.
func (l *learning) assignCommands() []bot.Command {
	return []bot.Command{
		{Name: "assign", Usage: l.texts.Phrase("usage_id"), Help: l.texts.Phrase("help_assign"), Where: bot.InGroup, Who: bot.Admins, Gate: bot.GateCarry, Run: func(tx bot.Tx, s bot.Session, args []string) error { return l.assign(tx, s, args) }},
		{Name: "unassign", Usage: l.texts.Phrase("usage_id"), Help: l.texts.Phrase("help_unassign"), Where: bot.InGroup, Who: bot.Admins, Gate: bot.GateCarry, Run: func(tx bot.Tx, s bot.Session, args []string) error { return l.unassign(tx, s, args) }},
	}
}

// assign handles /assign LESSON: a scheduled lesson starts by itself on
// its schedule; one without a schedule starts now. /assign alone lists the
// group's assignments.
func (l *learning) assign(tx lessonTx, s bot.Session, args []string) error {
	if len(args) == 0 {
		return l.assigned(tx, s)
	}
	id := strings.ToLower(args[0])
	info, ok := l.engine.Lesson(id, s.Lang)
	if !ok {
		for _, a := range l.assigners {
			if done, err := a.Assign(tx, s, id); done || err != nil {
				return err
			}
		}
		return bot.Reply(tx, s, "assign", l.tr(s.Lang, "lesson_unknown", bot.Clip(args[0], 40)))
	}
	if info.Mode == "direct" {
		return bot.Reply(tx, s, "assign", l.tr(s.Lang, "direct_only", info.Title, info.ID))
	}
	next, scheduled := l.engine.NextStart(id, s.Now)
	if !scheduled {
		return l.startLesson(tx, s, args)
	}
	if err := tx.Assign(&bot.Assignment{ChatID: s.Chat.ID, LessonID: id, AssignedBy: s.Member.ID, Next: next}); err != nil {
		return err
	}
	return bot.Reply(tx, s, "assign", l.tr(s.Lang, "assigned", info.Title, info.Schedule, l.loc.String(), bot.ShowTime(next, l.loc), info.ID))
}

// assigned lists the group's assigned lessons and the assigners' things.
func (l *learning) assigned(tx assignTx, s bot.Session) error {
	list, err := tx.ChatAssignments(s.Chat.ID)
	if err != nil {
		return err
	}
	var lines []string
	for _, a := range list {
		title := a.LessonID
		if info, ok := l.engine.Lesson(a.LessonID, s.Lang); ok {
			title = info.Title
		}
		lines = append(lines, fmt.Sprintf("• %s (%s): %s", title, a.LessonID, bot.ShowTime(a.Next, l.loc)))
	}
	for _, a := range l.assigners {
		more, err := a.Assigned(tx, s)
		if err != nil {
			return err
		}
		lines = append(lines, more...)
	}
	if len(lines) == 0 {
		return bot.Reply(tx, s, "assign", l.tr(s.Lang, "assign_none"))
	}
	return bot.Reply(tx, s, "assign", l.tr(s.Lang, "assign_list")+"\n"+strings.Join(lines, "\n"))
}

// unassign handles /unassign LESSON.
func (l *learning) unassign(tx assignTx, s bot.Session, args []string) error {
	if len(args) == 0 {
		return bot.Reply(tx, s, "unassign", l.tr(s.Lang, "unassign_usage"))
	}
	id := strings.ToLower(args[0])
	removed, err := tx.Unassign(s.Chat.ID, id)
	if err != nil {
		return err
	}
	if !removed {
		for _, a := range l.assigners {
			if done, err := a.Unassign(tx, s, id); done || err != nil {
				return err
			}
		}
		return bot.Reply(tx, s, "unassign", l.tr(s.Lang, "unassign_none", bot.Clip(args[0], 40)))
	}
	return bot.Reply(tx, s, "unassign", l.tr(s.Lang, "unassigned", id))
}
