package privacy

import (
	"github.com/huddlebot/huddle/bot"
)

func (g *rights) setLang(tx Tx, s bot.Session, args []string) error {
	if len(args) == 0 {
		return bot.Reply(tx, s, "lang", g.tr(s.Lang, "lang_usage", g.languageList()))
	}
	code, ok := bot.ParseLang(args[0])
	if !ok {
		return bot.Reply(tx, s, "lang", g.tr(s.Lang, "lang_bad", bot.Clip(args[0], 16)))
	}
	if err := tx.SetMemberLang(s.Member.ID, code); err != nil {
		return err
	}
	// In a group, the first member to choose a language sets the group's
	// language for lesson posts too.
	if s.Chat.Type == bot.Group && s.Chat.Lang == "" {
		if err := tx.SetChatLang(s.Chat.ID, code); err != nil {
			return err
		}
	}
	s.Lang = code
	return bot.Reply(tx, s, "lang", g.tr(code, "lang_set", g.languageName(code)))
}
