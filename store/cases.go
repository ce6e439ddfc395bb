package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/huddlebot/huddle/bot"
)

// msOrNull stores a zero time as NULL.
func msOrNull(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: ms(t), Valid: !t.IsZero()}
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

const caseColumns = `c.id, c.chat_id, c.author_id, c.run_id, c.text, c.status, c.queue, c.created_at, c.first_reply_at,
	c.escalate_at, c.escalated_at, c.assigned_to, c.assigned_at, c.reminded, c.overdue_at, c.first_answer_at,
	c.closed_at, c.next_check_at, c.message_id, c.answered_from`

// scanCase reads caseColumns, then the columns after them into extra.
func scanCase(sc interface{ Scan(...any) error }, extra ...any) (bot.Case, error) {
	var (
		c                                                  bot.Case
		author, run, assignedTo                            sql.NullInt64
		created                                            int64
		firstReply, escAt, escd, asg, over, answer, closed sql.NullInt64
		next                                               sql.NullInt64
		reminded                                           int
		message                                            sql.NullString
		from                                               sql.NullInt64
	)
	err := sc.Scan(append([]any{&c.ID, &c.ChatID, &author, &run, &c.Text, &c.Status, &c.Queue, &created, &firstReply,
		&escAt, &escd, &assignedTo, &asg, &reminded, &over, &answer, &closed, &next, &message, &from}, extra...)...)
	c.AuthorID, c.RunID, c.AssignedTo = author.Int64, run.Int64, assignedTo.Int64
	c.Created, c.FirstReply, c.EscalateAt, c.Escalated = fromMS(created), nullMS(firstReply), nullMS(escAt), nullMS(escd)
	c.Assigned, c.Reminded, c.Overdue, c.FirstAnswer = nullMS(asg), reminded != 0, nullMS(over), nullMS(answer)
	c.Closed, c.NextCheck, c.MessageID, c.AnsweredFrom = nullMS(closed), nullMS(next), message.String, from.Int64
	return c, err
}

// CreateCase stores a new case.
func (t *Tx) CreateCase(c *bot.Case) error {
	err := t.row(`INSERT INTO cases (chat_id, author_id, run_id, text, status, queue, created_at, escalate_at, next_check_at, message_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ChatID, nullID(c.AuthorID), nullID(c.RunID), c.Text, c.Status, c.Queue, ms(c.Created), msOrNull(c.EscalateAt), msOrNull(c.NextCheck),
		nullString(c.MessageID)).
		Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("create case in chat %d: %w", c.ChatID, err)
	}
	return nil
}

// SaveCase writes a case's mutable fields.
func (t *Tx) SaveCase(c *bot.Case) error {
	reminded := 0
	if c.Reminded {
		reminded = 1
	}
	_, err := t.exec(`UPDATE cases SET status = ?, queue = ?, first_reply_at = ?, escalate_at = ?, escalated_at = ?,
		assigned_to = ?, assigned_at = ?, reminded = ?, overdue_at = ?, first_answer_at = ?, closed_at = ?, next_check_at = ?,
		answered_from = ?
		WHERE id = ?`,
		c.Status, c.Queue, msOrNull(c.FirstReply), msOrNull(c.EscalateAt), msOrNull(c.Escalated), nullID(c.AssignedTo),
		msOrNull(c.Assigned), reminded, msOrNull(c.Overdue), msOrNull(c.FirstAnswer), msOrNull(c.Closed), msOrNull(c.NextCheck),
		nullID(c.AnsweredFrom), c.ID)
	if err != nil {
		return fmt.Errorf("save case %d: %w", c.ID, err)
	}
	return nil
}

// SaveCaseAuthor sets a case's author.
func (t *Tx) SaveCaseAuthor(caseID, authorID int64) error {
	if _, err := t.exec(`UPDATE cases SET author_id = ? WHERE id = ?`, nullID(authorID), caseID); err != nil {
		return fmt.Errorf("author of case %d: %w", caseID, err)
	}
	return nil
}

// CaseByID returns a case.
func (t *Tx) CaseByID(id int64) (bot.Case, error) {
	c, err := scanCase(t.row(`SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("case %d: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("case %d: %w", id, err)
	}
	return c, nil
}

// LatestRunCase returns the last case a run opened.
func (t *Tx) LatestRunCase(runID int64) (bot.Case, error) {
	c, err := scanCase(t.row(`SELECT `+caseColumns+` FROM cases c WHERE c.run_id = ? ORDER BY c.id DESC LIMIT 1`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("case of run %d: %w", runID, bot.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("case of run %d: %w", runID, err)
	}
	return c, nil
}

// LinkCaseMessage ties an outbox message to a case.
func (t *Tx) LinkCaseMessage(outboxKey string, caseID int64) error {
	if _, err := t.exec(`INSERT INTO case_messages (outbox_key, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, outboxKey, caseID); err != nil {
		return fmt.Errorf("link message to case %d: %w", caseID, err)
	}
	return nil
}

// CaseByMessage finds the case a message in a chat is about.
func (t *Tx) CaseByMessage(chatID int64, platformMsgID string) (bot.Case, error) {
	if platformMsgID == "" {
		return bot.Case{}, bot.ErrNotFound
	}
	c, err := scanCase(t.row(`SELECT `+caseColumns+` FROM cases c WHERE c.id = COALESCE(
			(SELECT cm.case_id FROM chats ch JOIN outbox o ON o.channel = ch.channel AND o.chat_id = ch.platform_id
				JOIN case_messages cm ON cm.outbox_key = o.key
				WHERE ch.id = ? AND o.platform_id = ? LIMIT 1),
			(SELECT p.case_id FROM case_posts p JOIN cases pc ON pc.id = p.case_id
				WHERE p.message_id = ? AND pc.chat_id = ? LIMIT 1))`,
		chatID, platformMsgID, platformMsgID, chatID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, bot.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("case of message %s: %w", platformMsgID, err)
	}
	return c, nil
}

// CaseMessageID returns the platform id of the case's post in its group
// (not of the forum topic it opened, which is no message).
func (t *Tx) CaseMessageID(caseID int64) (string, error) {
	var id string
	err := t.row(`SELECT o.platform_id FROM case_messages cm JOIN outbox o ON o.key = cm.outbox_key
		JOIN cases c ON c.id = cm.case_id JOIN chats ch ON ch.id = c.chat_id
		WHERE cm.case_id = ? AND o.chat_id = ch.platform_id AND o.sent_at IS NOT NULL
			AND `+t.db.dialect(`json_extract(o.payload, '$.topic')`, `o.payload ->> 'topic'`)+` IS NULL ORDER BY o.id LIMIT 1`, caseID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("message of case %d: %w", caseID, err)
	}
	return id, nil
}

// AddCasePost adds a post to a case's thread.
func (t *Tx) AddCasePost(p bot.CasePost) error {
	_, err := t.exec(`INSERT INTO case_posts (case_id, member_id, kind, text, message_id, at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.CaseID, nullID(p.MemberID), p.Kind, p.Text, p.MessageID, ms(p.At))
	if err != nil {
		return fmt.Errorf("post in case %d: %w", p.CaseID, err)
	}
	return nil
}

// CasePosts lists a case's thread, oldest first.
func (t *Tx) CasePosts(caseID int64) ([]bot.CasePost, error) {
	rows, err := t.query(`SELECT p.member_id, COALESCE(m.name, ''), COALESCE(m.pseudonym, ''), p.kind, p.text, p.message_id, p.at
		FROM case_posts p LEFT JOIN members m ON m.id = p.member_id WHERE p.case_id = ? ORDER BY p.at, p.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("posts of case %d: %w", caseID, err)
	}
	defer rows.Close()
	var out []bot.CasePost
	for rows.Next() {
		p := bot.CasePost{CaseID: caseID}
		var member sql.NullInt64
		var at int64
		if err := rows.Scan(&member, &p.Name, &p.Pseudonym, &p.Kind, &p.Text, &p.MessageID, &at); err != nil {
			return nil, fmt.Errorf("posts of case %d: %w", caseID, err)
		}
		p.MemberID, p.At = member.Int64, fromMS(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// IndexCase replaces a case's entry in the search index.
func (t *Tx) IndexCase(caseID int64, body string) error {
	if _, err := t.exec(`DELETE FROM case_search WHERE rowid = ?`, caseID); err != nil {
		return fmt.Errorf("index case %d: %w", caseID, err)
	}
	if _, err := t.exec(`INSERT INTO case_search (rowid, body) VALUES (?, ?)`, caseID, body); err != nil {
		return fmt.Errorf("index case %d: %w", caseID, err)
	}
	return nil
}

// ftsQuery turns a member's words into an FTS5 query: each word a quoted
// prefix term, all required, so no input is FTS syntax.
func ftsQuery(words string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(words, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, `"`+w+`"*`)
	}
	return strings.Join(terms, " ")
}

// tsQuery is ftsQuery for PostgreSQL's to_tsquery: each word a prefix
// term, all required.
func tsQuery(words string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(words, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, w+":*")
	}
	return strings.Join(terms, " & ")
}

// SearchCases finds answered and closed cases matching the words, among the
// groups the member belongs to, best first.
func (t *Tx) SearchCases(memberID int64, words string, limit int) ([]bot.CaseHit, error) {
	q := ftsQuery(words)
	if q == "" {
		return nil, nil
	}
	query := `SELECT ` + caseColumns + `, ch.title, snippet(case_search, 0, '', '', '…', 12)
		FROM case_search s JOIN cases c ON c.id = s.rowid JOIN chats ch ON ch.id = c.chat_id
		WHERE case_search MATCH ? AND c.status IN ('answered', 'closed')
		AND EXISTS (SELECT 1 FROM chat_members cm WHERE cm.chat_id = c.chat_id AND cm.member_id = ? AND cm.left_at IS NULL)
		ORDER BY bm25(case_search) LIMIT ?`
	if t.db.pg {
		// PostgreSQL's own full-text search: every word a prefix, all
		// required, best ranked first, a dozen words around the match.
		q = tsQuery(words)
		query = `SELECT ` + caseColumns + `, ch.title,
			ts_headline('simple', s.body, to_tsquery('simple', ?1), 'StartSel="", StopSel="", MaxWords=12, MinWords=6, FragmentDelimiter=…, MaxFragments=1')
		FROM case_search s JOIN cases c ON c.id = s.rowid JOIN chats ch ON ch.id = c.chat_id
		WHERE s.terms @@ to_tsquery('simple', ?1) AND c.status IN ('answered', 'closed')
		AND EXISTS (SELECT 1 FROM chat_members cm WHERE cm.chat_id = c.chat_id AND cm.member_id = ?2 AND cm.left_at IS NULL)
		ORDER BY ts_rank(s.terms, to_tsquery('simple', ?1)) DESC, c.id LIMIT ?3`
	}
	rows, err := t.query(query, q, memberID, limit)
	if err != nil {
		return nil, fmt.Errorf("search cases: %w", err)
	}
	defer rows.Close()
	var out []bot.CaseHit
	for rows.Next() {
		var h bot.CaseHit
		c, err := scanCase(rows, &h.ChatTitle, &h.Snippet)
		if err != nil {
			return nil, fmt.Errorf("search cases: %w", err)
		}
		h.Case = c
		out = append(out, h)
	}
	return out, rows.Err()
}

// MentorCases lists a mentor's assigned cases and the escalated ones
// waiting in the queues.
func (t *Tx) MentorCases(mentorID int64, queues []string) ([]bot.Case, error) {
	args := []any{mentorID}
	waiting := "0"
	if len(queues) > 0 {
		waiting = "c.status = 'open' AND c.escalated_at IS NOT NULL AND c.assigned_to IS NULL AND c.queue IN (?" + strings.Repeat(", ?", len(queues)-1) + ")"
		for _, q := range queues {
			args = append(args, q)
		}
	}
	rows, err := t.query(`SELECT `+caseColumns+` FROM cases c
		WHERE (c.status = 'assigned' AND c.assigned_to = ?) OR (`+waiting+`) ORDER BY c.escalated_at, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("mentor cases: %w", err)
	}
	defer rows.Close()
	var out []bot.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("mentor cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenAssignments counts a mentor's unanswered assignments.
func (t *Tx) OpenAssignments(mentorID int64) (int, error) {
	var n int
	err := t.row(`SELECT COUNT(*) FROM cases WHERE status = 'assigned' AND assigned_to = ?`, mentorID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("assignments of %d: %w", mentorID, err)
	}
	return n, nil
}

// LastAssignee is the mentor of the queue's latest assignment.
func (t *Tx) LastAssignee(queue string) (int64, error) {
	var id sql.NullInt64
	err := t.row(`SELECT assigned_to FROM cases WHERE queue = ? AND assigned_at IS NOT NULL ORDER BY assigned_at DESC, id DESC LIMIT 1`, queue).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last assignee of %s: %w", queue, err)
	}
	return id.Int64, nil
}

// MemberByRef finds a configured member by platform id or alias.
func (t *Tx) MemberByRef(ref bot.StaffRef) (bot.Member, error) {
	rows, err := t.query(`SELECT `+memberColumns+` FROM members m WHERE m.channel = ? AND (m.platform_id = ? OR m.alias = ?
		OR m.platform_id LIKE ? || '@%' OR m.alias LIKE ? || '@%')`, ref.Channel, ref.ID, ref.ID, ref.ID, ref.ID)
	if err != nil {
		return bot.Member{}, fmt.Errorf("member %s: %w", ref, err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return m, fmt.Errorf("member %s: %w", ref, err)
		}
		if ref.Matches(m) {
			return m, nil
		}
	}
	if err := rows.Err(); err != nil {
		return bot.Member{}, fmt.Errorf("member %s: %w", ref, err)
	}
	return bot.Member{}, fmt.Errorf("member %s: %w", ref, bot.ErrNotFound)
}

// DirectChatOf is the member's private chat with the bot.
func (t *Tx) DirectChatOf(memberID int64) (bot.Chat, error) {
	var c bot.Chat
	err := t.row(`SELECT c.id, c.channel, c.platform_id, c.type, c.title,
		COALESCE(NULLIF(m.lang, ''), NULLIF(c.lang, ''), (`+groupLang+`), '') FROM chats c
		JOIN chat_members cm ON cm.chat_id = c.id JOIN members m ON m.id = cm.member_id
		WHERE cm.member_id = ? AND c.type = 'direct'
		ORDER BY cm.last_seen_at DESC LIMIT 1`, memberID).Scan(&c.ID, &c.Channel, &c.PlatformID, &c.Type, &c.Title, &c.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("private chat of member %d: %w", memberID, bot.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("private chat of member %d: %w", memberID, err)
	}
	return c, nil
}

// groupLang selects the language of the group member m was last seen in
// that has one.
const groupLang = `SELECT g.lang FROM chats g JOIN chat_members gm ON gm.chat_id = g.id
	WHERE gm.member_id = m.id AND g.type = 'group' AND g.lang != '' ORDER BY gm.last_seen_at DESC LIMIT 1`

// MemberLang returns the language to write to a member in: the one they
// chose, else that of the group they were last seen in that has one, else
// "".
func (t *Tx) MemberLang(memberID int64) (string, error) {
	var lang string
	err := t.row(`SELECT COALESCE(NULLIF(m.lang, ''), (`+groupLang+`), '') FROM members m WHERE m.id = ?`, memberID).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("language of member %d: %w", memberID, err)
	}
	return lang, nil
}

// InChat reports whether a member has been seen in a chat and not left it.
func (t *Tx) InChat(memberID, chatID int64) (bool, error) {
	var one int
	err := t.row(`SELECT 1 FROM chat_members WHERE chat_id = ? AND member_id = ? AND left_at IS NULL`, chatID, memberID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// InAnyGroup reports whether a member is in a group and has not left it.
func (t *Tx) InAnyGroup(memberID int64) (bool, error) {
	var one int
	err := t.row(`SELECT 1 FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
		WHERE cm.member_id = ? AND cm.left_at IS NULL AND c.type = 'group' LIMIT 1`, memberID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SavePendingCase stores a flagged case's redacted text.
func (t *Tx) SavePendingCase(p *bot.PendingCase) error {
	err := t.row(`INSERT INTO pending_cases (chat_id, author_id, text, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		p.ChatID, p.AuthorID, p.Text, ms(p.Created)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("hold case: %w", err)
	}
	return nil
}

// TakePendingCase returns and deletes an author's pending case.
func (t *Tx) TakePendingCase(id, authorID int64) (bot.PendingCase, error) {
	p := bot.PendingCase{ID: id}
	var created int64
	err := t.row(`DELETE FROM pending_cases WHERE id = ? AND author_id = ? RETURNING chat_id, author_id, text, created_at`, id, authorID).
		Scan(&p.ChatID, &p.AuthorID, &p.Text, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("pending case %d: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("pending case %d: %w", id, err)
	}
	p.Created = fromMS(created)
	return p, nil
}

// DueCases lists cases whose next check has come.
func (d *DB) DueCases(ctx context.Context, now time.Time, limit int) ([]bot.Case, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases c
		WHERE c.next_check_at IS NOT NULL AND c.next_check_at <= ? ORDER BY c.next_check_at LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due cases: %w", err)
	}
	defer rows.Close()
	var out []bot.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("due cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MemberByID returns a member.
func (t *Tx) MemberByID(id int64) (bot.Member, error) {
	m, err := scanMember(t.row(`SELECT `+memberColumns+` FROM members m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("member %d: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("member %d: %w", id, err)
	}
	return m, nil
}
