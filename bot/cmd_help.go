package bot

// start greets a member and lists the commands.
func (r *Router) start(tx Tx, s Session) error {
	list, err := r.helpFor(tx, s)
	if err != nil {
		return err
	}
	return Reply(tx, s, "start", tr(s.Lang, "welcome", s.Member.Name)+"\n\n"+list)
}

// help lists the commands.
func (r *Router) help(tx Tx, s Session) error {
	list, err := r.helpFor(tx, s)
	if err != nil {
		return err
	}
	return Reply(tx, s, "help", list)
}

// helpFor is the list of commands for the sender of s, where s is: the
// members' commands, and those of the sender's other roles that are of
// use there (a group's admins' in the group; mentors' and staff's in
// private, not shown to the whole group).
func (r *Router) helpFor(tx Tx, s Session) (string, error) {
	staff := r.isStaff(s.Member)
	roles := map[Role]bool{
		Admins: s.Chat.Type == Group && (staff || s.Event.SenderAdmin),
		Staff:  s.Chat.Type == Direct && staff,
	}
	if s.Chat.Type == Direct {
		roles[Mentors] = staff
		for _, f := range r.features {
			if roles[Mentors] || f.Mentors == nil {
				continue
			}
			mentor, err := f.Mentors(tx, s.Member)
			if err != nil {
				return "", err
			}
			roles[Mentors] = mentor
		}
	}
	return r.commands.help(s.Lang, roles), nil
}
