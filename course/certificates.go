package course

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/certificate"
)

// commands are /certificates.
func (sv *Service) commands() []bot.Command {
	text := sv.texts.Phrase
	return []bot.Command{{Name: "certificates", Where: bot.InPrivate, Gate: bot.GateCarry,
		Usage: text("usage_certificates"), Help: text("help_certificates"), Run: asCommand(sv.certificates)}}
}

// certificates handles /certificates (the member's certificates, each
// sent again) and /certificates name FULL NAME (the name printed on
// those to come).
func (sv *Service) certificates(tx Tx, s bot.Session, args []string) error {
	if len(args) > 0 && strings.EqualFold(args[0], "name") {
		name, ok := checkCertName(strings.Join(args[1:], " "))
		if !ok {
			return bot.Reply(tx, s, "certificates", sv.tr(s.Lang, "certificates_name_bad"))
		}
		p, err := tx.ReviewPrefs(s.Member.ID)
		if err != nil {
			return err
		}
		p.CertName = name
		if err := tx.SetReviewPrefs(p); err != nil {
			return err
		}
		return bot.Reply(tx, s, "certificates", sv.tr(s.Lang, "certificates_name_set", name))
	}
	certs, err := tx.MemberCertificates(s.Member.ID)
	if err != nil {
		return err
	}
	if len(certs) == 0 {
		return bot.Reply(tx, s, "certificates", sv.tr(s.Lang, "certificates_none"))
	}
	if err := bot.Reply(tx, s, "certificates", sv.tr(s.Lang, "certificates_list", len(certs))); err != nil {
		return err
	}
	for _, c := range certs {
		text := sv.tr(s.Lang, "certificates_item", c.Title, sv.hours(s.Lang, c.Hours), c.Issued.In(sv.cfg.Location).Format("2 Jan 2006"))
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

// issue issues cert to its member (its code, name and title, in their
// language, filled here) and sends it to them privately after the text
// said gives; nothing when they hold one for that cohort or run already.
// A member with no private chat with the bot yet is told in the group
// (groupID) how to get it: write to the bot privately and send
// /certificates.
func (sv *Service) issue(tx Tx, cert bot.Certificate, groupID int64, title, said func(lang string) string, key string, now time.Time) error {
	m, err := tx.MemberByID(cert.MemberID)
	if err != nil {
		return err
	}
	p, err := tx.ReviewPrefs(cert.MemberID)
	if err != nil {
		return err
	}
	lang, err := tx.MemberLang(cert.MemberID)
	if err != nil {
		return err
	}
	if cert.Code, err = certificate.NewCode(); err != nil {
		return err
	}
	cert.Name, cert.Title = certName(p, m), title(lang)
	if issued, err := tx.IssueCertificate(cert); err != nil || !issued {
		return err
	}
	dm, err := tx.DirectChatOf(cert.MemberID)
	if errors.Is(err, bot.ErrNotFound) {
		return sv.waiting(tx, m, groupID, title, key, now)
	} else if err != nil {
		return err
	}
	return sv.sendCertificate(tx, dm, cert, said(dm.Lang), key, now)
}

// waiting tells member m, in the group groupID, that a certificate waits
// for them, and how to get it (the bot may not write to someone who has
// not written to it first).
func (sv *Service) waiting(tx Tx, m bot.Member, groupID int64, title func(lang string) string, key string, now time.Time) error {
	if groupID == 0 {
		return nil
	}
	group, err := tx.ChatByID(groupID)
	if err != nil || group.Type != bot.Group {
		return err
	}
	name := m.Name
	if m.Pseudonym != "" && sv.cfg.Pseudonyms {
		name = m.Pseudonym
	}
	text := sv.tr(group.Lang, "certificate_waiting", name, title(group.Lang))
	if sv.cfg.DirectLink != nil {
		if link := sv.cfg.DirectLink(group.Channel, "certificates"); link != "" {
			text = sv.tr(group.Lang, "certificate_waiting_link", name, title(group.Lang), link)
		}
	}
	return tx.Enqueue(bot.Outbound{Channel: group.Channel, ChatID: group.PlatformID, Text: text, Key: key + ":waiting"}, now)
}

// certName is the name printed on a member's certificate: the one they
// gave, else their platform name.
func certName(p bot.ReviewPrefs, m bot.Member) string {
	if p.CertName != "" {
		return p.CertName
	}
	return m.Name
}

// sendCertificate sends cert's PDF to chat dm, with text before it.
func (sv *Service) sendCertificate(tx Tx, dm bot.Chat, cert bot.Certificate, text, key string, now time.Time) error {
	pdf, err := sv.cfg.Certificates.PDF(cert)
	if err != nil {
		return err
	}
	text += "\n" + sv.tr(dm.Lang, "certificate_caption", cert.Code, sv.cfg.Certificates.URL(cert.Code))
	return tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Text: text, Key: key,
		File: &bot.File{Name: certificate.FileName(cert), MIMEType: "application/pdf", Data: pdf}}, now)
}
