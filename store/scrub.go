package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// nameNeedles are what stands for a forgotten member in what others
// wrote: their display name whole and each part of it of four letters or
// more ("Zawadi", "Wekesa"), their pseudonym or chosen name, and their
// platform ids (a phone number, a Telegram user id); longest first.
func nameNeedles(m memberNames) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string, least int) {
		s = strings.TrimSpace(s)
		key := strings.ToLower(s)
		if utf8.RuneCountInString(s) < least || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, s)
	}
	add(m.name, 3)
	for _, part := range strings.FieldsFunc(m.name, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) {
		add(part, 4)
	}
	add(m.pseudonym, 3)
	for _, id := range m.ids {
		add(id, 5)
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// memberNames is what nameNeedles reads of a member.
type memberNames struct {
	name, pseudonym string
	ids             []string
}

// wordsRe matches any of needles, without regard to case; replaceWords
// keeps the matches that stand as words.
func wordsRe(needles []string) *regexp.Regexp {
	quoted := make([]string, len(needles))
	for i, n := range needles {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return regexp.MustCompile(`(?i)(?:` + strings.Join(quoted, "|") + `)`)
}

// replaceWords replaces in s each match of re that stands as a word (no
// letter or digit just before or after it: "Amina" in "Amina's" but not
// in "Aminata") with repl, and says whether it changed anything.
func replaceWords(s string, re *regexp.Regexp, repl string) (string, bool) {
	var b strings.Builder
	last, changed := 0, false
	for _, loc := range re.FindAllStringIndex(s, -1) {
		before, _ := utf8.DecodeLastRuneInString(s[:loc[0]])
		after, _ := utf8.DecodeRuneInString(s[loc[1]:])
		if loc[0] > 0 && (unicode.IsLetter(before) || unicode.IsDigit(before)) ||
			loc[1] < len(s) && (unicode.IsLetter(after) || unicode.IsDigit(after)) {
			continue
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(repl)
		last, changed = loc[1], true
	}
	if !changed {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// scrubTexts takes a forgotten member's names and ids out of what others
// wrote: case texts (held or shared), replies and mentors' answers, and
// the archive's search index, each replaced by FormerMember. It reads
// every such text (an erasure is rare; the texts are a program's cases),
// and on SQLite merges the index afterwards, so the words deleted leave
// none of its pages.
func (t *Tx) scrubTexts(m memberNames) error {
	needles := nameNeedles(m)
	if len(needles) == 0 {
		return nil
	}
	re := wordsRe(needles)
	indexed := false
	for _, place := range []struct{ table, id, column string }{
		{"cases", "id", "text"},
		{"case_posts", "id", "text"},
		{"pending_cases", "id", "text"},
		{"case_search", "rowid", "body"},
	} {
		n, err := t.scrubColumn(place.table, place.id, place.column, re)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", place.table, place.column, err)
		}
		indexed = indexed || (place.table == "case_search" && n > 0)
	}
	if err := t.scrubOutboxTexts(needles, re); err != nil {
		return fmt.Errorf("the bot's messages: %w", err)
	}
	if indexed && !t.db.pg {
		// FTS5 marks a changed row's old words deleted; merging its
		// segments drops them.
		if _, err := t.exec(`INSERT INTO case_search (case_search) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("merge the case index: %w", err)
		}
	}
	return nil
}

// scrubColumn replaces re's word matches in every row's column; it
// returns how many rows changed.
func (t *Tx) scrubColumn(table, id, column string, re *regexp.Regexp) (int, error) {
	rows, err := t.query(`SELECT ` + id + `, ` + column + ` FROM ` + table)
	if err != nil {
		return 0, err
	}
	type change struct {
		id   int64
		text string
	}
	var changes []change
	for rows.Next() {
		var (
			rid  int64
			text sql.NullString
		)
		if err := rows.Scan(&rid, &text); err != nil {
			rows.Close()
			return 0, err
		}
		if out, ok := replaceWords(text.String, re, FormerMember); ok {
			changes = append(changes, change{rid, out})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range changes {
		if _, err := t.exec(`UPDATE `+table+` SET `+column+` = ? WHERE `+id+` = ?`, c.text, c.id); err != nil {
			return 0, err
		}
	}
	return len(changes), nil
}

// scrubOutboxTexts takes the needles out of the text of the bot's
// messages that quote what others wrote (a reply, a mentor's answer,
// posted to a group) or name the member (the word that their message was
// removed). Only messages that may hold one are read: their
// payload holds a needle as written, or in lower case.
func (t *Tx) scrubOutboxTexts(needles []string, re *regexp.Regexp) error {
	var conds []string
	var args []any
	for _, n := range needles {
		conds = append(conds, t.db.contains("payload"), t.db.contains("lower(payload"+t.db.dialect("", "::text")+")"))
		args = append(args, n, strings.ToLower(n))
	}
	rows, err := t.query(`SELECT id, payload FROM outbox WHERE `+strings.Join(conds, " OR "), args...)
	if err != nil {
		return err
	}
	type change struct {
		id      int64
		payload []byte
	}
	var changes []change
	for rows.Next() {
		var (
			id      int64
			payload []byte
		)
		if err := rows.Scan(&id, &payload); err != nil {
			rows.Close()
			return err
		}
		var m map[string]any
		if json.Unmarshal(payload, &m) != nil {
			continue
		}
		changed := false
		for _, field := range []string{"text", "removed"} { // what the message says, either way
			text, _ := m[field].(string)
			if out, ok := replaceWords(text, re, FormerMember); ok {
				m[field], changed = out, true
			}
		}
		if !changed {
			continue
		}
		if changed, err := json.Marshal(m); err == nil {
			changes = append(changes, change{id, changed})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := t.exec(`UPDATE outbox SET payload = ? WHERE id = ?`, c.payload, c.id); err != nil {
			return err
		}
	}
	return nil
}
