package cases

import (
	"errors"
	"slices"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

// mentorCommand handles /mentor for staff: alone, privately, it lists
// each queue's mentors; "add QUEUE" and "remove QUEUE" change those added
// with it (the config's stay as written), naming the member by replying to
// their message, by mentioning them, or as CHANNEL:ID.
func (sv *Service) mentorCommand(tx Tx, s bot.Session, args []string) error {
	if !sv.isStaff(s.Member) {
		return sv.refuse(tx, s, "mentor", "staff_only")
	}
	queues := make([]string, 0, len(sv.cfg.Mentors))
	for q := range sv.cfg.Mentors {
		queues = append(queues, q)
	}
	slices.Sort(queues)
	if len(args) == 0 {
		if s.Chat.Type != bot.Direct {
			return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "private_only"))
		}
		return sv.listMentors(tx, s, queues)
	}
	usage := func() error {
		return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "mentor_usage", strings.Join(queues, ", ")))
	}
	if len(args) < 2 || len(args) > 3 || (args[0] != "add" && args[0] != "remove") {
		return usage()
	}
	queue := args[1]
	if !slices.Contains(queues, queue) {
		return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "unknown_queue", queue, strings.Join(queues, ", ")))
	}
	// Whom: CHANNEL:ID, else the member mentioned (the third word is
	// then their name), else the sender of the message replied to.
	var ref bot.StaffRef
	if len(args) == 3 {
		ref, _ = bot.ParseStaffRef(args[2])
	}
	switch ev := s.Event; {
	case ref.ID != "":
	case len(ev.Mentions) == 1:
		ref = bot.StaffRef{Channel: s.Chat.Channel, ID: ev.Mentions[0]}
	case ev.ReplyToSender != "" && len(args) == 2:
		ref = bot.StaffRef{Channel: s.Chat.Channel, ID: ev.ReplyToSender}
	case len(args) == 3:
		return usage()
	default:
		return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "mentor_whom", args[0], queue))
	}
	m, err := tx.MemberByRef(ref)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "not_known", ref))
	}
	if err != nil {
		return err
	}
	who := sv.shown(s.Lang, m.Name, m.Pseudonym)
	if args[0] == "remove" {
		if slices.ContainsFunc(sv.cfg.Mentors[queue], func(r bot.StaffRef) bool { return r.Matches(m) }) {
			return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "mentor_config", who, queue))
		}
		removed, err := tx.RemoveMentor(queue, m.ID)
		if err != nil || !removed {
			if err != nil {
				return err
			}
			return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "mentor_not", who, queue))
		}
		sv.log.Info("mentor removed", "queue", queue, "member", m.ID, "by", s.Member.ID)
		return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "mentor_removed", who, queue))
	}
	if ok, err := sv.isMentor(tx, m, queue); err != nil || ok {
		if err != nil {
			return err
		}
		return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "mentor_already", who, queue))
	}
	if _, err := tx.AddMentor(queue, m.ID, s.Now); err != nil {
		return err
	}
	sv.log.Info("mentor added", "queue", queue, "member", m.ID, "by", s.Member.ID)
	if dm, err := tx.DirectChatOf(m.ID); err == nil {
		if err := send(tx, dm, "ev:"+s.Event.ID+":welcome", sv.tr(dm.Lang, "mentor_welcome", queue), s.Now); err != nil {
			return err
		}
	} else if !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	return bot.Reply(tx, s, "mentor", sv.tr(s.Lang, "mentor_added", who, queue))
}

// listMentors shows each queue's mentors: the config's, by name once they
// have written, and those added with /mentor, with the CHANNEL:ID that
// removes them.
func (sv *Service) listMentors(tx Tx, s bot.Session, queues []string) error {
	added, err := tx.AddedMentors("")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(sv.tr(s.Lang, "mentor_list"))
	for _, q := range queues {
		var names []string
		for _, ref := range sv.cfg.Mentors[q] {
			name := ref.String()
			if m, err := tx.MemberByRef(ref); err == nil {
				name = sv.shown(s.Lang, m.Name, m.Pseudonym) + " (" + ref.String() + ")"
			} else if !errors.Is(err, bot.ErrNotFound) {
				return err
			}
			names = append(names, name)
		}
		for _, m := range added[q] {
			names = append(names, sv.shown(s.Lang, m.Name, m.Pseudonym)+" ("+m.Channel+":"+m.PlatformID+", /mentor)")
		}
		if len(names) == 0 {
			names = append(names, sv.tr(s.Lang, "mentor_none"))
		}
		b.WriteString(sv.tr(s.Lang, "mentor_line", q, strings.Join(names, ", ")))
	}
	b.WriteString("\n\n" + sv.tr(s.Lang, "mentor_usage", strings.Join(queues, ", ")))
	return bot.Reply(tx, s, "mentor", b.String())
}
