package store

import (
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// MemberData gathers what Huddle holds about a member, for /mydata.
func (t *Tx) MemberData(memberID int64) (bot.MemberData, error) {
	var d bot.MemberData
	m, err := scanMember(t.row(`SELECT `+memberColumns+` FROM members m WHERE m.id = ?`, memberID))
	if err != nil {
		return d, fmt.Errorf("data of member %d: %w", memberID, notFound(err))
	}
	d.Member = m
	if d.Consent, err = t.Consent(m.Channel, m.PlatformIDs()...); err != nil {
		return d, err
	}
	rows, err := t.query(`SELECT COALESCE(c.title, ''), c.type FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
		WHERE cm.member_id = ? ORDER BY c.type, c.title`, memberID)
	if err != nil {
		return d, fmt.Errorf("data of member %d: groups: %w", memberID, err)
	}
	for rows.Next() {
		var title, typ string
		if err := rows.Scan(&title, &typ); err != nil {
			rows.Close()
			return d, fmt.Errorf("data of member %d: groups: %w", memberID, err)
		}
		if typ == string(bot.Group) {
			d.Groups = append(d.Groups, title)
		}
	}
	rows.Close()
	if d.Lessons, err = t.MemberProgress(memberID); err != nil {
		return d, err
	}
	err = t.row(`SELECT (SELECT count(*) FROM answers WHERE member_id = ?1),
			(SELECT count(*) FROM cases WHERE author_id = ?1),
			(SELECT count(*) FROM case_posts WHERE member_id = ?1)`, memberID).
		Scan(&d.Answers, &d.CasesShared, &d.CasePosts)
	if err != nil {
		return d, fmt.Errorf("data of member %d: counts: %w", memberID, err)
	}
	d.Activity = make(map[string]int)
	rows, err = t.query(`SELECT kind, count(*) FROM engagement WHERE member_id = ? GROUP BY kind`, memberID)
	if err != nil {
		return d, fmt.Errorf("data of member %d: activity: %w", memberID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return d, fmt.Errorf("data of member %d: activity: %w", memberID, err)
		}
		d.Activity[kind] = n
	}
	return d, rows.Err()
}
