package learning

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

func (l *learning) progress(tx Tx, s bot.Session) error {
	rows, err := tx.MemberProgress(s.Member.ID)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return bot.Reply(tx, s, "progress", l.tr(s.Lang, "progress_none"))
	}
	var b strings.Builder
	b.WriteString(l.tr(s.Lang, "progress", s.Member.Name))
	for i, p := range rows {
		if i == 10 {
			break
		}
		title, passMark := p.LessonID, 0.0
		if info, ok := l.engine.Lesson(p.LessonID, s.Lang); ok {
			title, passMark = info.Title, info.PassMark
		}
		b.WriteString("\n• ")
		b.WriteString(l.tr(s.Lang, "progress_line", title, l.tr(s.Lang, "status_"+string(p.Status)),
			p.Correct, p.Answered, formatPoints(p.Points, p.MaxPoints)))
		if p.Missed > 0 {
			b.WriteString(l.tr(s.Lang, "progress_missed", p.Missed))
		}
		if p.Status == bot.RunDone && passMark > 0 && p.MaxPoints > 0 {
			if p.Points/p.MaxPoints >= passMark {
				b.WriteString(l.tr(s.Lang, "progress_passed"))
			} else {
				b.WriteString(l.tr(s.Lang, "progress_failed", int(passMark*100+0.5)))
			}
		}
	}
	return bot.Reply(tx, s, "progress", b.String())
}

// formatPoints renders "3/4 (75%)".
func formatPoints(points, max float64) string {
	num := strconv.FormatFloat(points, 'f', -1, 64) + "/" + strconv.FormatFloat(max, 'f', -1, 64)
	if max <= 0 {
		return num
	}
	return fmt.Sprintf("%s (%d%%)", num, int(points/max*100+0.5))
}
