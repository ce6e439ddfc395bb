// Package privacy is the privacy notice and the members' rights as a
// feature: the gate that stands in front of every other feature until a
// member accepts the notice (recording nothing about them before), and
// /privacy, /mydata, /forget, /name and /lang. A program that gathers
// consent outside Huddle runs it without a notice: the rights stay.
package privacy

import (
	"log/slog"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Config is what the privacy feature needs.
type Config struct {
	// Notice is the privacy notice members accept before anything about
	// them is recorded; nil when consent is gathered outside Huddle.
	Notice *bot.ConsentNotice
	// Location is the time zone in which times are shown; UTC when nil.
	Location *time.Location
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// rights are the feature's state: the notice, the time zone, the log.
type rights struct {
	consent *bot.ConsentNotice
	loc     *time.Location
	log     *slog.Logger
}

// Feature returns the members' rights, a Fallback feature (a program's
// own command of the same name stands instead), with the notice's gate
// when cfg has a notice.
func Feature(cfg Config) bot.Feature {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	g := &rights{consent: cfg.Notice, loc: cfg.Location, log: cfg.Logger}
	forget, forgetOpts := g.forgetCommand()
	langs := texts.Languages()
	again := func(tx bot.Tx, s bot.Session) error { return g.consentAgain(tx, s, s.Event.Option) }
	f := bot.Feature{
		Name: "privacy",
		Commands: []bot.Command{
			{Name: "lang", Usage: helpText("usage_code"), Help: func(lang string) string { return tr(lang, "help_lang", strings.Join(langs, ", ")) },
				Gate: bot.GateCarry, Run: g.setLang},
			{Name: "name", Usage: helpText("usage_new"), Help: helpText("help_name"), Run: g.setName},
			{Name: "mydata", Help: helpText("help_mydata"), Gate: bot.GateRight, Run: bot.NoArgs(g.myData)},
			{Name: "privacy", Help: helpText("help_privacy"), Gate: bot.GateShow, Run: bot.NoArgs(g.privacy)},
			forget,
		},
		Options:  append(forgetOpts, bot.OptionHandler{Prefix: consentYes, Run: again}, bot.OptionHandler{Prefix: consentNo, Run: again}),
		Fallback: true,
	}
	if cfg.Notice != nil {
		f.Gatekeeper = g
	}
	return f
}

// helpText returns a Help (or Usage) function for a key of the feature's
// texts.
func helpText(key string) func(lang string) string {
	return func(lang string) string { return tr(lang, key) }
}
