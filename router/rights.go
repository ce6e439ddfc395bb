package router

import (
	"github.com/huddlebot/huddle/bot"
	"log/slog"
	"strings"
	"time"
)

// rights are the members' own commands: /lang, /name, /mydata, /privacy
// and /forget (with the answers to its question). They come after the
// features' commands in /help, and a feature's own of the same name
// stands instead.
type rights struct {
	consent *bot.ConsentNotice
	loc     *time.Location
	log     *slog.Logger
}

// feature is rights as a Feature.
func (g *rights) feature() bot.Feature {
	forget, forgetOpts := g.forgetCommand()
	langs := texts.Languages()
	return bot.Feature{
		Name: "rights",
		Commands: []bot.Command{
			{Name: "lang", Usage: helpText("usage_code"), Help: func(lang string) string { return tr(lang, "help_lang", strings.Join(langs, ", ")) },
				Gate: bot.GateCarry, Run: g.setLang},
			{Name: "name", Usage: helpText("usage_new"), Help: helpText("help_name"), Run: g.setName},
			{Name: "mydata", Help: helpText("help_mydata"), Gate: bot.GateRight, Run: noArgs(g.myData)},
			{Name: "privacy", Help: helpText("help_privacy"), Gate: bot.GateShow, Run: noArgs(g.privacy)},
			forget,
		},
		Options: forgetOpts,
	}
}
