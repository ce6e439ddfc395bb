package router

import (
	"github.com/huddlebot/huddle/bot"
)

// builtins are the router's own commands: /start and /help. Everything
// else is a feature's.
func (r *Router) builtins() (start, help bot.Command) {
	start = bot.Command{Name: "start", Gate: bot.GateShow, Run: r.start}
	help = bot.Command{Name: "help", Help: r.texts.Phrase("help_help"), Gate: bot.GateOpen, Run: func(tx bot.Tx, s bot.Session, _ []string) error { return r.help(tx, s) }}
	return start, help
}
