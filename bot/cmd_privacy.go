package bot

import "strings"

// privacy shows the notice again to a member who accepted it, with the
// date, so that they can withdraw.
func (r *Router) privacy(tx Tx, s Session) error {
	if r.consent == nil {
		return Reply(tx, s, "privacy", tr(s.Lang, "privacy_off"))
	}
	c, err := tx.Consent(s.Member.Channel, s.Member.PlatformIDs()...)
	if err != nil {
		return err
	}
	return Reply(tx, s, "privacy", r.consent.text(s.Lang)+"\n\n"+tr(s.Lang, "consent_given", c.Version, r.when(c.AnsweredAt)),
		r.noticeOptions(s.Lang)...)
}

// consentAgain acts on a press of the notice's options by a member who
// accepted it: "no" withdraws their consent, so nothing more is recorded
// about them; what is held stays until /forget.
func (r *Router) consentAgain(tx Tx, s Session, data string) error {
	if !strings.HasPrefix(data, consentNo) || r.consent == nil {
		return nil
	}
	// Asked now, so that the reminder for those who said no waits a day.
	c := Consent{Status: ConsentDeclined, Version: r.consent.Version, AnsweredAt: s.Now, AskedAt: s.Now, LastEvent: EventPrint(s.Event.ID)}
	if err := tx.SetConsent(s.Member.Channel, s.Member.PlatformIDs(), c); err != nil {
		return err
	}
	r.log.Info("privacy consent withdrawn", "member", s.Member.ID, "version", c.Version)
	return Reply(tx, s, "consent", tr(s.Lang, "consent_declined")+"\n"+tr(s.Lang, "consent_declined_known"))
}
