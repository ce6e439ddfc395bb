package router

import (
	"strings"

	"github.com/huddlebot/huddle/bot"
)

// dispatch decides what an event is: an option press, a command, or a
// message for the active run.
func (r *Router) dispatch(tx bot.Tx, s bot.Session) error {
	ev := s.Event
	engage := func(kind string) error {
		return tx.LogEngagement(bot.Engagement{MemberID: s.Member.ID, ChatID: s.Chat.ID, Kind: kind, At: s.Now})
	}
	switch {
	case ev.Kind == bot.Edited:
		// Every feature sees an edit (a case's text is checked as the
		// original was), even one caught up late: it is about privacy,
		// not a command.
		for _, f := range r.features {
			for _, h := range f.Edits {
				if _, err := h(tx, s); err != nil {
					return err
				}
			}
		}
		return engage(bot.EngageEdit)
	case ev.Late:
		// Caught up after an offline period: counted, not acted on.
		return engage(bot.EngageMessage)
	case ev.Kind == bot.Reaction:
		return engage(bot.EngageReaction)
	case ev.Kind == bot.Deleted:
		return engage(bot.EngageDelete)
	case ev.Kind == bot.Vote || ev.Kind == bot.OptionChosen:
		if err := engage(bot.EngageOption); err != nil {
			return err
		}
		// A press and a vote for one option take one path: the option's
		// handler, whatever sent it (a button, a poll); so every message
		// with options works as a poll. A quiz's poll takes the vote as a
		// vote: a changed vote, several picks.
		if data, ok := ev.Chosen(); ok {
			press := s
			press.Event.Kind, press.Event.Option = bot.OptionChosen, data
			if took, err := r.option(tx, press); err != nil || took {
				return err
			}
		}
		took, err := r.engine.Offer(tx, s)
		if err != nil || took || (ev.Kind == bot.Vote && len(ev.Choices) == 0) {
			return err
		}
		if ev.PressID != "" {
			return bot.AnswerPress(tx, ev, s.Now, r.tr(s.Lang, "option_stale"), false) // to the presser alone
		}
		return bot.Reply(tx, s, "stale", r.tr(s.Lang, "option_stale"))
	case strings.HasPrefix(ev.Text, "/"):
		if err := engage(bot.EngageCommand); err != nil {
			return err
		}
		name, args := bot.ParseCommand(ev.Text)
		return r.command(tx, s, name, args)
	default:
		took, err := r.engine.Offer(tx, s)
		if err != nil {
			return err
		}
		kind := bot.EngageAnswer
		if !took {
			if took, kind, err = r.offer(tx, s); err != nil {
				return err
			}
		}
		if err := engage(kind); err != nil {
			return err
		}
		if !took && s.Chat.Type == bot.Direct {
			return bot.Reply(tx, s, "hint", r.tr(s.Lang, "hint"))
		}
		return nil
	}
}

// offer gives a message no lesson took to the features' message
// handlers, in order, until one takes it; it returns the engagement to
// log.
func (r *Router) offer(tx bot.Tx, s bot.Session) (bool, string, error) {
	for _, f := range r.features {
		for _, h := range f.Messages {
			took, err := h(tx, s)
			if err != nil {
				return false, "", err
			}
			if !took {
				continue
			}
			if f.Engage != "" {
				return true, f.Engage, nil
			}
			return true, bot.EngageAnswer, nil
		}
	}
	return false, bot.EngageMessage, nil
}

// option hands a press (s.Event.Option) to the handler of its prefix;
// false when there is none (a quiz's option, or a stale one).
func (r *Router) option(tx bot.Tx, s bot.Session) (bool, error) {
	h, ok := r.commands.option(s.Event.Option)
	if !ok {
		return false, nil
	}
	return true, h.Run(tx, s)
}

// command runs the command name, refusing it where it does not work or to
// who may not use it; an unknown one is answered with the help.
func (r *Router) command(tx bot.Tx, s bot.Session, name string, args []string) error {
	c := r.commands.get(name)
	if c == nil {
		list, err := r.helpFor(tx, s)
		if err != nil {
			return err
		}
		return bot.Reply(tx, s, "unknown", r.tr(s.Lang, "unknown", bot.Clip("/"+name, 32))+"\n"+list)
	}
	refuse := ""
	switch {
	case c.Where == bot.InGroup && s.Chat.Type != bot.Group:
		refuse = "group_only"
	case c.Where == bot.InPrivate && s.Chat.Type != bot.Direct:
		// Where the bot may write first (SMS, whose member has one
		// thread), it is done in the member's private chat.
		dm, ok, err := privately(tx, r.direct, s)
		if err != nil {
			return err
		}
		if !ok {
			refuse = "private_only"
		}
		s = dm
	case c.Who == bot.Staff && !r.isStaff(s.Member):
		refuse = "staff_only"
	case c.Who == bot.Admins && !r.isStaff(s.Member) && !s.Event.SenderAdmin:
		refuse = "admin_only"
	}
	if refuse != "" {
		// Logged for the program by member number, not name or phone.
		r.log.Info("command refused", "command", c.Name, "why", refuse, "member", s.Member.ID, "channel", s.Chat.Channel)
		return bot.Reply(tx, s, c.Name, r.tr(s.Lang, refuse, c.Name))
	}
	return c.Run(tx, s, args)
}
