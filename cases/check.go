package cases

import (
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Escalate sends a case to its queue's mentors now (a lesson's escalate
// step), saying so in its group.
func (sv *Service) Escalate(tx Tx, c bot.Case, now time.Time) error {
	return sv.escalateNow(tx, c, now)
}

// escalateNow is Escalate within the feature's part of the store.
func (sv *Service) escalateNow(tx Tx, c bot.Case, now time.Time) error {
	if c.Status != bot.CaseOpen || !c.Escalated.IsZero() {
		return nil
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	how, err := sv.escalateCase(tx, &c, chat, now)
	if err != nil {
		return err
	}
	return post(tx, chat, c.ID, fmt.Sprintf("case:%d:escalated", c.ID), sv.escalatedText(chat.Lang, "escalated", c, how), now)
}

// check acts on a case whose next check has come, as due decides: an
// automatic escalation when no peer replied, another offer of a waiting
// case, a reminder, a reassignment, and notices to staff when it is
// overdue.
func (sv *Service) check(tx Tx, c bot.Case, now time.Time) error {
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	target := sv.cfg.Target
	c, v := due(c, now, target)
	switch v.act {
	case autoEscalate:
		how, err := sv.escalateCase(tx, &c, chat, now)
		if err != nil {
			return err
		}
		return post(tx, chat, c.ID, fmt.Sprintf("case:%d:auto", c.ID), sv.escalatedText(chat.Lang, "escalate_auto", c, how), now)
	case offer:
		if _, err := sv.assign(tx, &c, chat, now, 0); err != nil {
			return err
		}
		if v.overdue && c.Status == bot.CaseOpen {
			c.Overdue = now
			if err := sv.tellStaff(tx, c, chat, now, now.Sub(c.Escalated)); err != nil {
				return err
			}
		}
	case remind:
		if v.overdue {
			if err := sv.tellStaff(tx, c, chat, now, now.Sub(c.Assigned)); err != nil {
				return err
			}
		}
		if dm, err := tx.DirectChatOf(c.AssignedTo); err == nil {
			err := send(tx, dm, fmt.Sprintf("case:%d:remind:%d", c.ID, c.Assigned.UnixMilli()),
				sv.tr(dm.Lang, "reminder", c.ID, since(now, c.Assigned), c.ID, c.ID), now)
			if err != nil {
				return err
			}
		} else if !errors.Is(err, bot.ErrNotFound) {
			return err
		}
	case reassign:
		prev, waited := c.AssignedTo, since(now, c.Assigned)
		moved, err := sv.assign(tx, &c, chat, now, prev)
		if err != nil {
			return err
		}
		if !moved {
			c = kept(c, prev, now, target)
			break
		}
		if dm, err := tx.DirectChatOf(prev); err == nil {
			if err := send(tx, dm, fmt.Sprintf("case:%d:moved:%d", c.ID, now.UnixMilli()), sv.tr(dm.Lang, "reassigned", c.ID, waited), now); err != nil {
				return err
			}
		}
	}
	return tx.SaveCase(&c)
}

// tellStaff tells the staff, privately where they have written to the bot,
// that a case is overdue.
func (sv *Service) tellStaff(tx Tx, c bot.Case, chat bot.Chat, now time.Time, waited time.Duration) error {
	sv.log.Warn("case overdue", "case", c.ID, "queue", c.Queue, "waited", waited.Round(time.Minute))
	return sv.toStaff(tx, now, func(m bot.Member, lang string) (string, string) {
		return fmt.Sprintf("case:%d:overdue:%d", c.ID, m.ID), sv.tr(lang, "overdue_staff", c.ID, chat.Title, c.Queue, since(now, now.Add(-waited)))
	})
}

// toStaff sends each member of staff who has written to the bot privately
// the message msg makes for them, in their language: its outbox key and
// text.
func (sv *Service) toStaff(tx Tx, now time.Time, msg func(m bot.Member, lang string) (key, text string)) error {
	for _, ref := range sv.cfg.Staff {
		m, err := tx.MemberByRef(ref)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		dm, err := tx.DirectChatOf(m.ID)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		key, text := msg(m, dm.Lang)
		if err := send(tx, dm, key, text, now); err != nil {
			return err
		}
	}
	return nil
}
