package course

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/certificate"
)

// Commands are /certificates, for the router's table.
func (sv *Service) Commands() []bot.Command {
	text := func(key string) func(string) string { return func(lang string) string { return tr(lang, key) } }
	return []bot.Command{{Name: "certificates", Where: bot.InPrivate, Gate: bot.GateCarry,
		Usage: text("usage_certificates"), Help: text("help_certificates"), Run: sv.certificates}}
}

// certificates handles /certificates (the member's certificates, each
// sent again) and /certificates name FULL NAME (the name printed on
// those to come).
func (sv *Service) certificates(tx bot.Tx, s bot.Session, args []string) error {
	if len(args) > 0 && strings.EqualFold(args[0], "name") {
		name, ok := checkCertName(strings.Join(args[1:], " "))
		if !ok {
			return bot.Reply(tx, s, "certificates", tr(s.Lang, "certificates_name_bad"))
		}
		p, err := tx.ReviewPrefs(s.Member.ID)
		if err != nil {
			return err
		}
		p.CertName = name
		if err := tx.SetReviewPrefs(p); err != nil {
			return err
		}
		return bot.Reply(tx, s, "certificates", tr(s.Lang, "certificates_name_set", name))
	}
	certs, err := tx.MemberCertificates(s.Member.ID)
	if err != nil {
		return err
	}
	if len(certs) == 0 {
		return bot.Reply(tx, s, "certificates", tr(s.Lang, "certificates_none"))
	}
	if err := bot.Reply(tx, s, "certificates", tr(s.Lang, "certificates_list", len(certs))); err != nil {
		return err
	}
	for _, c := range certs {
		text := tr(s.Lang, "certificates_item", c.Title, certificate.Hours(c.Hours), c.Issued.In(sv.cfg.Location).Format("2 Jan 2006"))
		if err := sv.sendCertificate(tx, s.Chat, c, text, fmt.Sprintf("%s:cert:%s", s.Event.ID, c.Code), s.Now); err != nil {
			return err
		}
	}
	return nil
}

// checkCertName tidies a name for certificates: 2 to 80 characters,
// letters, marks, spaces and . ' -; ok is false otherwise.
func checkCertName(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n < 2 || n > 80 {
		return "", false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.M, r) && !strings.ContainsRune(" .'-’", r) {
			return "", false
		}
	}
	return s, true
}
