package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

// courseOf keeps, when ?6 is set, the cases of ?6's group and of the
// groups that took a course it took.
const courseOf = `(?6 = 0 OR c.chat_id = ?6 OR c.chat_id IN (SELECT h2.chat_id FROM cohorts h1
	JOIN cohorts h2 ON h2.course_id = h1.course_id WHERE h1.chat_id = ?6))`

// InCourseWith reports whether a member is in chatID's group, or in a
// group that took a course chatID's group took (and has not left it).
func (t *Tx) InCourseWith(memberID, chatID int64) (bool, error) {
	var one int
	err := t.row(`SELECT 1 FROM chat_members cm WHERE cm.member_id = ?1 AND cm.left_at IS NULL AND (cm.chat_id = ?2
		OR cm.chat_id IN (SELECT h2.chat_id FROM cohorts h1 JOIN cohorts h2 ON h2.course_id = h1.course_id WHERE h1.chat_id = ?2))
		LIMIT 1`, memberID, chatID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SimilarCases lists up to q.Limit answered and closed cases whose index
// holds any of q.Terms, in groups of q.Langs (q.ChatID's only, when set),
// best first: by FTS5's BM25 on SQLite, by ts_rank on PostgreSQL (which
// has no BM25), each with what the index holds of it.
func (t *Tx) SimilarCases(q bot.SimilarQuery) ([]bot.CaseHit, error) {
	var lite, pg []string
	for _, term := range q.Terms {
		w, prefix := strings.CutSuffix(term, "*")
		w = strings.Map(func(r rune) rune {
			if r == '"' || r == '\'' || r == ':' || r == '&' || r == '|' || r == '!' || r == '(' || r == ')' || r == '\\' {
				return -1
			}
			return r
		}, w)
		if w == "" {
			continue
		}
		l, p := `"`+w+`"`, w
		if prefix {
			l, p = l+"*", p+":*"
		}
		lite, pg = append(lite, l), append(pg, p)
	}
	if len(lite) == 0 || q.Limit <= 0 {
		return nil, nil
	}
	langs, err := json.Marshal(append([]string{}, q.Langs...))
	if err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	query := `SELECT ` + caseColumns + `, ch.title, s.body
		FROM case_search s JOIN cases c ON c.id = s.rowid JOIN chats ch ON ch.id = c.chat_id
		WHERE case_search MATCH ?1 AND c.status IN ('answered', 'closed') AND c.id <> ?2
		AND ch.lang IN (SELECT value FROM json_each(?3)) AND (?4 = 0 OR c.chat_id = ?4) AND ` + courseOf + `
		ORDER BY bm25(case_search) LIMIT ?5`
	match := strings.Join(lite, " OR ")
	if t.db.pg {
		match = strings.Join(pg, " | ")
		query = `SELECT ` + caseColumns + `, ch.title, s.body
		FROM case_search s JOIN cases c ON c.id = s.rowid JOIN chats ch ON ch.id = c.chat_id
		WHERE s.terms @@ to_tsquery('simple', ?1) AND c.status IN ('answered', 'closed') AND c.id <> ?2
		AND ch.lang IN (SELECT jsonb_array_elements_text(?3::jsonb)) AND (?4 = 0 OR c.chat_id = ?4) AND ` + courseOf + `
		ORDER BY ts_rank(s.terms, to_tsquery('simple', ?1)) DESC, c.id LIMIT ?5`
	}
	rows, err := t.query(query, match, q.Except, string(langs), q.ChatID, q.Limit, q.CourseOf)
	if err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	defer rows.Close()
	var out []bot.CaseHit
	for rows.Next() {
		var h bot.CaseHit
		c, err := scanCase(rows, &h.ChatTitle, &h.Indexed)
		if err != nil {
			return nil, fmt.Errorf("similar cases: %w", err)
		}
		h.Case = c
		out = append(out, h)
	}
	return out, rows.Err()
}
