package bot

func (g *rights) setLang(tx Tx, s Session, args []string) error {
	if len(args) == 0 {
		return Reply(tx, s, "lang", tr(s.Lang, "lang_usage", languageList()))
	}
	code, ok := ParseLang(args[0])
	if !ok {
		return Reply(tx, s, "lang", tr(s.Lang, "lang_bad", Clip(args[0], 16)))
	}
	if err := tx.SetMemberLang(s.Member.ID, code); err != nil {
		return err
	}
	// In a group, the first member to choose a language sets the group's
	// language for lesson posts too.
	if s.Chat.Type == Group && s.Chat.Lang == "" {
		if err := tx.SetChatLang(s.Chat.ID, code); err != nil {
			return err
		}
	}
	s.Lang = code
	return Reply(tx, s, "lang", tr(code, "lang_set", languageName(code)))
}
