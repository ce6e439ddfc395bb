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
	"github.com/huddlebot/huddle/catalog"
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
	// Texts are the feature's (its Messages, or a program's laid over
	// them); the built-in ones when nil.
	Texts *catalog.Catalog
}

// rights are the feature's state: the notice, the time zone, the log.
type rights struct {
	consent *bot.ConsentNotice
	loc     *time.Location
	log     *slog.Logger
	texts   *catalog.Catalog
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
	if cfg.Texts == nil {
		cfg.Texts = builtinTexts()
	}
	g := &rights{consent: cfg.Notice, loc: cfg.Location, log: cfg.Logger, texts: cfg.Texts}
	forget, forgetOpts := g.forgetCommand()
	langs := g.texts.Languages()
	again := func(tx bot.Tx, s bot.Session) error { return g.consentAgain(tx, s, s.Event.Option) }
	f := bot.Feature{
		Name: "privacy",
		Commands: []bot.Command{
			{Name: "lang", Usage: g.texts.Phrase("usage_code"), Help: func(lang string) string { return g.tr(lang, "help_lang", strings.Join(langs, ", ")) },
				Gate: bot.GateCarry, Run: asCommand(g.setLang)},
			{Name: "name", Usage: g.texts.Phrase("usage_new"), Help: g.texts.Phrase("help_name"), Run: asCommand(g.setName)},
			{Name: "mydata", Help: g.texts.Phrase("help_mydata"), Gate: bot.GateRight, Run: asCommand(bot.NoArgs(g.myData))},
			{Name: "privacy", Help: g.texts.Phrase("help_privacy"), Gate: bot.GateShow, Run: asCommand(bot.NoArgs(g.privacy))},
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
