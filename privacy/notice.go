package privacy

import (
	"github.com/huddlebot/huddle/bot"
)

// privacy shows the notice again to a member who accepted it, with the
// date, so that they can withdraw.
func (g *rights) privacy(tx Tx, s bot.Session) error {
	if g.consent == nil {
		return bot.Reply(tx, s, "privacy", g.tr(s.Lang, "privacy_off"))
	}
	c, err := tx.Consent(s.Member.Channel, s.Member.PlatformIDs()...)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "privacy", g.noticeText(s.Lang)+"\n\n"+g.tr(s.Lang, "consent_given", c.Version, bot.ShowTime(c.AnsweredAt, g.loc)),
		g.noticeOptions(s.Lang)...)
}
