package bot

import (
	"strings"
)

// builtins are the router's own commands and option handlers. The case
// service's come from Cases.Commands and Cases.Options, an embedding
// program's from RouterConfig.
func (r *Router) builtins() (learning, rights []Command, help Command, opts []OptionHandler) {
	noArgs := func(f func(Tx, Session) error) func(Tx, Session, []string) error {
		return func(tx Tx, s Session, _ []string) error { return f(tx, s) }
	}
	learning = []Command{
		{Name: "start", Gate: GateShow, Run: noArgs(r.start)},
		{Name: "lessons", Help: helpText("help_lessons"), Gate: GateCarry, Run: noArgs(r.listLessons)},
		{Name: "lesson", Usage: helpText("usage_id"), Help: helpText("help_lesson"), Gate: GateCarry, Run: r.startLesson},
		{Name: "progress", Help: helpText("help_progress"), Gate: GateCarry, Run: noArgs(r.progress)},
	}
	learning = append(learning, r.assignCommands()...)
	learning = append(learning, r.dataCommand())
	forget, forgetOpts := r.forgetCommand()
	langs := texts.Languages()
	rights = []Command{
		{Name: "lang", Usage: helpText("usage_code"), Help: func(lang string) string { return tr(lang, "help_lang", strings.Join(langs, ", ")) },
			Gate: GateCarry, Run: r.setLang},
		{Name: "name", Usage: helpText("usage_new"), Help: helpText("help_name"), Run: r.setName},
		{Name: "mydata", Help: helpText("help_mydata"), Gate: GateRight, Run: noArgs(r.myData)},
		{Name: "privacy", Help: helpText("help_privacy"), Gate: GateShow, Run: noArgs(r.privacy)},
		forget,
	}
	help = Command{Name: "help", Help: helpText("help_help"), Gate: GateOpen, Run: noArgs(r.help)}
	again := func(tx Tx, s Session) error { return r.consentAgain(tx, s, s.Event.Option) }
	opts = append([]OptionHandler{
		{Prefix: replacePrefix, Run: r.replaceAnswer},
		{Prefix: keepPrefix, Run: r.replaceAnswer},
		{Prefix: consentYes, Run: again},
		{Prefix: consentNo, Run: again},
	}, forgetOpts...)
	return learning, rights, help, opts
}

// helpText returns a Help (or Usage) function for a key of the router's
// texts.
func helpText(key string) func(lang string) string {
	return func(lang string) string { return tr(lang, key) }
}
