package router

import (
	"github.com/huddlebot/huddle/bot"
)

// builtins are the router's own commands and option handlers: /start,
// /help, and the answers to the privacy notice. The lessons' commands and
// the members' rights are features (learning, rights), as are the rest.
func (r *Router) builtins() (start, help bot.Command, opts []bot.OptionHandler) {
	start = bot.Command{Name: "start", Gate: bot.GateShow, Run: noArgs(r.start)}
	help = bot.Command{Name: "help", Help: helpText("help_help"), Gate: bot.GateOpen, Run: noArgs(r.help)}
	again := func(tx bot.Tx, s bot.Session) error { return r.consentAgain(tx, s, s.Event.Option) }
	opts = []bot.OptionHandler{{Prefix: consentYes, Run: again}, {Prefix: consentNo, Run: again}}
	return start, help, opts
}

// noArgs makes a command's Run of a handler that takes no arguments.
func noArgs(f func(bot.Tx, bot.Session) error) func(bot.Tx, bot.Session, []string) error {
	return func(tx bot.Tx, s bot.Session, _ []string) error { return f(tx, s) }
}

// helpText returns a Help (or Usage) function for a key of the router's
// texts.
func helpText(key string) func(lang string) string {
	return func(lang string) string { return tr(lang, key) }
}
