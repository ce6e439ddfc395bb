package cases

import (
	"errors"

	"github.com/huddlebot/huddle/bot"
)

// helpful handles /helpful, sent by a mentor (or staff) in reply to a
// peer's reply in a case thread: the reply is marked helpful, which earns
// its author a badge.
func (sv *Service) helpful(tx Tx, s bot.Session, _ []string) error {
	if ok, err := sv.mentorOrStaff(tx, s.Member, ""); err != nil || !ok {
		if err != nil {
			return err
		}
		return sv.refuse(tx, s, "helpful", "helpful_mentors")
	}
	if s.Event.ReplyTo == "" {
		return bot.Reply(tx, s, "helpful", sv.tr(s.Lang, "helpful_how"))
	}
	p, err := tx.MarkHelpful(s.Chat.ID, s.Event.ReplyTo, s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply(tx, s, "helpful", sv.tr(s.Lang, "helpful_how"))
	}
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "helpful", sv.tr(s.Lang, "helpful_done", p.CaseID))
}
