package router

import (
	"github.com/huddlebot/huddle/bot"
)

// builtins are the router's own commands: /start and /help. Everything
// else is a feature's.
func (r *Router) builtins() (start, help bot.Command) {
	start = bot.Command{Name: "start", Gate: bot.GateShow, Run: bot.NoArgs(r.start)}
	help = bot.Command{Name: "help", Help: helpText("help_help"), Gate: bot.GateOpen, Run: bot.NoArgs(r.help)}
	return start, help
}

// helpText returns a Help (or Usage) function for a key of the router's
// texts.
func helpText(key string) func(lang string) string {
	return func(lang string) string { return tr(lang, key) }
}
