package bot

// builtins are the router's own commands and option handlers: /start,
// /help, and the answers to the privacy notice. The lessons' commands and
// the members' rights are features (learning, rights), as are the rest.
func (r *Router) builtins() (start, help Command, opts []OptionHandler) {
	start = Command{Name: "start", Gate: GateShow, Run: noArgs(r.start)}
	help = Command{Name: "help", Help: helpText("help_help"), Gate: GateOpen, Run: noArgs(r.help)}
	again := func(tx Tx, s Session) error { return r.consentAgain(tx, s, s.Event.Option) }
	opts = []OptionHandler{{Prefix: consentYes, Run: again}, {Prefix: consentNo, Run: again}}
	return start, help, opts
}

// noArgs makes a command's Run of a handler that takes no arguments.
func noArgs(f func(Tx, Session) error) func(Tx, Session, []string) error {
	return func(tx Tx, s Session, _ []string) error { return f(tx, s) }
}

// helpText returns a Help (or Usage) function for a key of the router's
// texts.
func helpText(key string) func(lang string) string {
	return func(lang string) string { return tr(lang, key) }
}
