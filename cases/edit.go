package cases

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/deid"
)

// edited checks an edit of a case's text, or of a reply in its thread, as
// the original was checked: an edit could otherwise add a patient's name
// or number after the check. The edited message is s.Event.Target; its
// new text s.Event.Text.
//
// A case text that stays de-identified replaces the archive's copy and
// its index. One that now may identify a patient is taken down like a
// flagged /case (deleted where the bot may, else its author asked to),
// and held back: the case keeps its earlier text, and its author is told
// privately what was found. A reply is kept without what was found, and
// its author told so, as a reply is.
func (sv *Service) edited(tx Tx, s bot.Session) (bool, error) {
	target := s.Event.Target
	if s.Chat.Type != bot.Group || target == "" {
		return false, nil
	}
	c, err := tx.CaseOpenedBy(s.Chat.ID, target)
	switch {
	case err == nil && c.AuthorID == s.Member.ID:
		return true, sv.editCase(tx, s, c)
	case err != nil && !errors.Is(err, bot.ErrNotFound):
		return false, err
	}
	p, err := tx.CasePostByMessage(s.Chat.ID, target)
	if errors.Is(err, bot.ErrNotFound) || err == nil && (p.MemberID != s.Member.ID || p.Kind != bot.PostReply) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, sv.editReply(tx, s, p)
}

// editCase checks the new text of case c's opening message.
func (sv *Service) editCase(tx Tx, s bot.Session, c bot.Case) error {
	text := s.Event.Text
	if strings.HasPrefix(text, "/") {
		text = afterWords(text, 1) // "/case …" as it was typed
	}
	if utf8.RuneCountInString(text) < 10 || text == c.Text {
		return nil // too short to be a case: the archive keeps the last one
	}
	findings, _ := sv.checkIn(text, s.Lang)
	if len(findings) == 0 {
		if err := tx.SetCaseText(c.ID, text); err != nil {
			return err
		}
		c.Text = text
		return sv.reindex(tx, c)
	}
	kinds := sv.list(s.Lang, sv.kindNames(s.Lang, deid.Summary(findings)))
	who := sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym)
	dm, err := tx.DirectChatOf(s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return sv.takeDownFlagged(tx, s, s.Event.Target, sv.tr(s.Lang, "edit_flagged_nodm_removed", who, kinds, c.ID),
			sv.tr(s.Lang, "edit_flagged_nodm_ask", who, kinds, c.ID))
	}
	if err != nil {
		return err
	}
	lang := dm.Lang
	if lang == "" {
		lang = s.Lang
	}
	if err := send(tx, dm, fmt.Sprintf("case:%d:edit:%s", c.ID, bot.EventPrint(s.Event.ID)), sv.tr(lang, "edit_flagged_dm", c.ID, s.Chat.Title,
		sv.list(lang, sv.kindNames(lang, deid.Summary(findings)))), s.Now); err != nil {
		return err
	}
	return sv.takeDownFlagged(tx, s, s.Event.Target, sv.tr(s.Lang, "flagged_removed", who), sv.tr(s.Lang, "edit_flagged_ask", who))
}

// editReply checks the new text of reply p, keeping it without what may
// identify a patient.
func (sv *Service) editReply(tx Tx, s bot.Session, p bot.CasePost) error {
	findings, text := sv.checkIn(s.Event.Text, s.Lang)
	if text == p.Text {
		return nil
	}
	if err := tx.SetCasePostText(p.ID, text); err != nil {
		return err
	}
	c, err := tx.CaseByID(p.CaseID)
	if err != nil {
		return err
	}
	if err := sv.reindex(tx, c); err != nil {
		return err
	}
	if len(findings) == 0 {
		return nil
	}
	reply := s
	reply.Event.MessageID = s.Event.Target // the reply itself, not the edit's own id (WhatsApp)
	return bot.Reply(tx, reply, "redacted", sv.tr(s.Lang, "reply_redacted", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym),
		c.ID, sv.list(s.Lang, sv.kindNames(s.Lang, deid.Summary(findings)))))
}
