package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

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
		AND ch.lang IN (SELECT value FROM json_each(?3)) AND (?4 = 0 OR c.chat_id = ?4)
		ORDER BY bm25(case_search) LIMIT ?5`
	match := strings.Join(lite, " OR ")
	if t.db.pg {
		match = strings.Join(pg, " | ")
		query = `SELECT ` + caseColumns + `, ch.title, s.body
		FROM case_search s JOIN cases c ON c.id = s.rowid JOIN chats ch ON ch.id = c.chat_id
		WHERE s.terms @@ to_tsquery('simple', ?1) AND c.status IN ('answered', 'closed') AND c.id <> ?2
		AND ch.lang IN (SELECT jsonb_array_elements_text(?3::jsonb)) AND (?4 = 0 OR c.chat_id = ?4)
		ORDER BY ts_rank(s.terms, to_tsquery('simple', ?1)) DESC, c.id LIMIT ?5`
	}
	rows, err := t.query(query, match, q.Except, string(langs), q.ChatID, q.Limit)
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
