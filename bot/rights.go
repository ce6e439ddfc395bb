package bot

import (
	"log/slog"
	"strings"
	"time"
)

// rights are the members' own commands: /lang, /name, /mydata, /privacy
// and /forget (with the answers to its question). They come after the
// features' commands in /help, and a feature's own of the same name
// stands instead.
type rights struct {
	consent *ConsentNotice
	loc     *time.Location
	log     *slog.Logger
}

// feature is rights as a Feature.
func (g *rights) feature() Feature {
	forget, forgetOpts := g.forgetCommand()
	langs := texts.Languages()
	return Feature{
		Name: "rights",
		Commands: []Command{
			{Name: "lang", Usage: helpText("usage_code"), Help: func(lang string) string { return tr(lang, "help_lang", strings.Join(langs, ", ")) },
				Gate: GateCarry, Run: g.setLang},
			{Name: "name", Usage: helpText("usage_new"), Help: helpText("help_name"), Run: g.setName},
			{Name: "mydata", Help: helpText("help_mydata"), Gate: GateRight, Run: noArgs(g.myData)},
			{Name: "privacy", Help: helpText("help_privacy"), Gate: GateShow, Run: noArgs(g.privacy)},
			forget,
		},
		Options: forgetOpts,
	}
}
