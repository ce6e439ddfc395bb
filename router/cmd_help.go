package router

import (
	"github.com/huddlebot/huddle/bot"
)

// start greets a member and lists the commands; "/start COMMAND", which a
// channel's link to the private chat sends (bot.Linking: Telegram's Start
// button under t.me/BOT?start=COMMAND), runs that command as if typed,
// with its checks.
func (r *Router) start(tx bot.Tx, s bot.Session, args []string) error {
	if len(args) == 1 && args[0] != "start" && r.commands.get(args[0]) != nil {
		return r.command(tx, s, args[0], nil)
	}
	list, err := r.helpFor(tx, s)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "start", r.tr(s.Lang, "welcome", s.Member.Name)+"\n\n"+list)
}

// help lists the commands.
func (r *Router) help(tx bot.CaseTx, s bot.Session) error {
	list, err := r.helpFor(tx, s)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "help", list)
}

// helpFor is the list of commands for the sender of s, where s is: the
// members' commands, and those of the sender's other roles that are of
// use there (a group's admins' in the group; mentors' and staff's in
// private, not shown to the whole group).
func (r *Router) helpFor(tx bot.CaseTx, s bot.Session) (string, error) {
	staff := r.isStaff(s.Member)
	roles := map[bot.Role]bool{
		bot.Admins: s.Chat.Type == bot.Group && (staff || s.Event.SenderAdmin),
		bot.Staff:  s.Chat.Type == bot.Direct && staff,
	}
	if s.Chat.Type == bot.Direct {
		roles[bot.Mentors] = staff
		for _, f := range r.features {
			if roles[bot.Mentors] || f.Mentors == nil {
				continue
			}
			mentor, err := f.Mentors(tx, s.Member)
			if err != nil {
				return "", err
			}
			roles[bot.Mentors] = mentor
		}
	}
	return r.commands.help(s.Lang, roles), nil
}
