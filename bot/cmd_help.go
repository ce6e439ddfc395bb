package bot

// start greets a member and lists the commands.
func (r *Router) start(tx Tx, s Session) error {
	return Reply(tx, s, "start", tr(s.Lang, "welcome", s.Member.Name)+"\n\n"+r.commands.help(s.Lang))
}

// help lists the commands.
func (r *Router) help(tx Tx, s Session) error {
	return Reply(tx, s, "help", r.commands.help(s.Lang))
}
