package bot

// privacy shows the notice again to a member who accepted it, with the
// date, so that they can withdraw.
func (g *rights) privacy(tx Tx, s Session) error {
	if g.consent == nil {
		return Reply(tx, s, "privacy", tr(s.Lang, "privacy_off"))
	}
	c, err := tx.Consent(s.Member.Channel, s.Member.PlatformIDs()...)
	if err != nil {
		return err
	}
	return Reply(tx, s, "privacy", g.consent.text(s.Lang)+"\n\n"+tr(s.Lang, "consent_given", c.Version, when(c.AnsweredAt, g.loc)),
		g.consent.options(s.Lang)...)
}
