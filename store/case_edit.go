package store

import (
	"database/sql"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// CaseOpenedBy returns the case a member's message in a chat opened (a
// /case); ErrNotFound when it opened none.
func (t *Tx) CaseOpenedBy(chatID int64, platformMsgID string) (bot.Case, error) {
	c, err := scanCase(t.row(`SELECT `+caseColumns+` FROM cases c WHERE c.chat_id = ? AND c.message_id = ?`, chatID, platformMsgID))
	if err != nil {
		return c, fmt.Errorf("case opened by message %s: %w", platformMsgID, notFound(err))
	}
	return c, nil
}

// CasePostByMessage returns the post in a case's thread that a member's
// message in a chat made; ErrNotFound when it made none.
func (t *Tx) CasePostByMessage(chatID int64, platformMsgID string) (bot.CasePost, error) {
	var p bot.CasePost
	var member sql.NullInt64
	var at int64
	err := t.row(`SELECT p.id, p.case_id, p.member_id, p.kind, p.text, p.message_id, p.at FROM case_posts p
		JOIN cases c ON c.id = p.case_id WHERE p.message_id = ? AND c.chat_id = ?`, platformMsgID, chatID).
		Scan(&p.ID, &p.CaseID, &member, &p.Kind, &p.Text, &p.MessageID, &at)
	if err != nil {
		return p, fmt.Errorf("case post of message %s: %w", platformMsgID, notFound(err))
	}
	p.MemberID, p.At = member.Int64, fromMS(at)
	return p, nil
}

// SetCaseText replaces a case's text (its author edited it); the caller
// writes the search index.
func (t *Tx) SetCaseText(caseID int64, text string) error {
	if _, err := t.exec(`UPDATE cases SET text = ? WHERE id = ?`, text, caseID); err != nil {
		return fmt.Errorf("case %d text: %w", caseID, err)
	}
	return nil
}

// SetCasePostText replaces a post's text (its member edited it); the
// caller writes the search index.
func (t *Tx) SetCasePostText(postID int64, text string) error {
	if _, err := t.exec(`UPDATE case_posts SET text = ? WHERE id = ?`, text, postID); err != nil {
		return fmt.Errorf("case post %d text: %w", postID, err)
	}
	return nil
}
