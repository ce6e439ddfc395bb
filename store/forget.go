package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormerMember replaces a forgotten member's name in the bot's sent
// messages.
const FormerMember = "a former member"

// ForgetMember erases a member: their answers, runs they started in their
// private chat, engagement log, activity rollups, memberships, pending
// cases, mentorship, answer to the privacy notice, their private chat and the messages sent to it, the
// events seen from them, and their profile. Their case posts and cases
// stay, de-identified already, without an author ("a former member"); a
// case they held as mentor goes back to its queue. Their certificates stay,
// verifiable, with the printed name replaced by a keyed hash of it (see
// CertificateNameMatches). Counts without identity
// (chat_days, week_counts) stay. Their name in the bot's sent group
// messages becomes "a former member", and unsent ones naming them are
// dropped.
//
// Every table that refers to members must be handled here:
// TestForgetLeavesNothing walks the schema and fails on one that is not.
func (t *Tx) ForgetMember(memberID int64, now time.Time) error {
	m, err := scanMember(t.row(`SELECT `+memberColumns+` FROM members m WHERE m.id = ?`, memberID))
	if err != nil {
		return fmt.Errorf("forget member %d: %w", memberID, notFound(err))
	}
	channel, ids := m.Channel, m.PlatformIDs()
	t.db.askRebuild()
	t.sweepAfter()
	// Their certificates still verify (an employer checks a genuine one),
	// naming no one: the name becomes a keyed hash, and the links to them
	// and to the runs about to go are dropped first, so no foreign key
	// breaks.
	if err := t.forgetCertificates(memberID); err != nil {
		return fmt.Errorf("forget member %d: certificates: %w", memberID, err)
	}
	steps := []struct {
		what string
		sql  string
		args []any
	}{
		// Their private chat, with everything in it.
		{"private chat", `CREATE TEMP TABLE IF NOT EXISTS forget_chats (id BIGINT PRIMARY KEY)`, nil},
		{"private chat", `DELETE FROM forget_chats`, nil},
		{"private chat", `INSERT INTO forget_chats SELECT c.id FROM chats c JOIN chat_members cm ON cm.chat_id = c.id
			WHERE cm.member_id = ? AND c.type = 'direct'`, []any{memberID}},
		{"private timers", `DELETE FROM timers WHERE run_id IN (SELECT id FROM runs WHERE chat_id IN (SELECT id FROM forget_chats))`, nil},
		{"private answers", `DELETE FROM answers WHERE run_id IN (SELECT id FROM runs WHERE chat_id IN (SELECT id FROM forget_chats))`, nil},
		{"private runs", `DELETE FROM run_members WHERE run_id IN (SELECT id FROM runs WHERE chat_id IN (SELECT id FROM forget_chats))`, nil},
		{"private runs", `UPDATE cases SET run_id = NULL WHERE run_id IN (SELECT id FROM runs WHERE chat_id IN (SELECT id FROM forget_chats))`, nil},
		{"private runs", `DELETE FROM runs WHERE chat_id IN (SELECT id FROM forget_chats)`, nil},
		{"private assignments", `DELETE FROM assignments WHERE chat_id IN (SELECT id FROM forget_chats)`, nil},
		{"private rollups", `DELETE FROM chat_days WHERE chat_id IN (SELECT id FROM forget_chats)`, nil},
		{"private rollups", `DELETE FROM week_counts WHERE chat_id IN (SELECT id FROM forget_chats)`, nil},
		{"private rollups", `DELETE FROM member_weeks WHERE chat_id IN (SELECT id FROM forget_chats)`, nil},
		{"private engagement", `DELETE FROM engagement WHERE chat_id IN (SELECT id FROM forget_chats)`, nil},
		{"private messages", `DELETE FROM outbox WHERE channel = ? AND chat_id IN (SELECT platform_id FROM chats WHERE id IN (SELECT id FROM forget_chats))`, []any{channel}},
		{"private chat", `DELETE FROM chat_members WHERE chat_id IN (SELECT id FROM forget_chats)`, nil},
		{"private chat", `DELETE FROM chats WHERE id IN (SELECT id FROM forget_chats)`, nil},
		// What they did in groups.
		{"answers", `DELETE FROM answers WHERE member_id = ?`, []any{memberID}},
		{"review cards", `DELETE FROM review_cards WHERE member_id = ?`, []any{memberID}},
		{"review cards", `DELETE FROM review_log WHERE member_id = ?`, []any{memberID}},
		{"review cards", `DELETE FROM review_prefs WHERE member_id = ?`, []any{memberID}},
		{"mentoring", `DELETE FROM mentor_digests WHERE member_id = ?`, []any{memberID}},
		// Their platform id as the configuration named them staff or
		// mentor (SetStaff writes it again at the next start while the
		// configuration still names them: docs/privacy.md says to remove
		// them there too).
		{"roles", `DELETE FROM staff WHERE channel = ? AND ref IN (?, ?, ?, ?)`, staffRefsOf(channel, ids)},
		{"engagement", `DELETE FROM engagement WHERE member_id = ?`, []any{memberID}},
		{"activity", `DELETE FROM member_weeks WHERE member_id = ?`, []any{memberID}},
		{"activity", `DELETE FROM program_weeks WHERE member_id = ?`, []any{memberID}},
		{"memberships", `DELETE FROM chat_members WHERE member_id = ?`, []any{memberID}},
		{"runs", `UPDATE runs SET started_by = NULL WHERE started_by = ?`, []any{memberID}},
		// A run's document changes with its members' parts (its rev), so the
		// engine's cached copy, which still holds the part, is not used.
		{"scores in lessons", `UPDATE runs SET state = ` + t.db.dialect(`json_set(state, '$.rev', COALESCE(json_extract(state, '$.rev'), 0) + 1)`,
			`jsonb_set(state, '{rev}', to_jsonb(COALESCE((state ->> 'rev')::bigint, 0) + 1))`) + `
			WHERE ` + t.db.dialect("json_valid(state) AND ", "") + `id IN (SELECT run_id FROM run_members WHERE member_id = ?)`, []any{memberID}},
		{"scores in lessons", `DELETE FROM run_members WHERE member_id = ?`, []any{memberID}},
		// Runs begun before members' parts had rows of their own keep them
		// in the run's state, keyed by member id.
		{"scores in lessons", t.db.dialect(`UPDATE runs SET state = json_remove(state, '$.members."' || ?1 || '"')
			WHERE json_valid(state) AND json_type(state, '$.members."' || ?1 || '"') IS NOT NULL`,
			`UPDATE runs SET state = state #- ARRAY['members', ?1] WHERE state -> 'members' -> ?1 IS NOT NULL`),
			[]any{strconv.FormatInt(memberID, 10)}},
		{"assignments", `UPDATE assignments SET assigned_by = NULL WHERE assigned_by = ?`, []any{memberID}},
		{"courses started", `UPDATE cohorts SET started_by = NULL WHERE started_by = ?`, []any{memberID}},
		{"course results", `DELETE FROM course_results WHERE member_id = ?`, []any{memberID}},
		{"badges", `DELETE FROM badges WHERE member_id = ?`, []any{memberID}},
		{"helpful marks", `UPDATE case_posts SET helpful_by = NULL WHERE helpful_by = ?`, []any{memberID}},
		{"cases", `UPDATE cases SET author_id = NULL WHERE author_id = ?`, []any{memberID}},
		// A case they held as mentor goes back to the queue, offered now.
		{"cases", `UPDATE cases SET status = 'open', assigned_to = NULL, assigned_at = NULL, reminded = 0, next_check_at = ?
			WHERE assigned_to = ? AND status = 'assigned'`, []any{ms(now), memberID}},
		{"cases", `UPDATE cases SET assigned_to = NULL WHERE assigned_to = ?`, []any{memberID}},
		{"case posts", `UPDATE case_posts SET member_id = NULL WHERE member_id = ?`, []any{memberID}},
		// Their photos and voice notes: the messages that carry one leave
		// it (unsent ones go), the rows go, and the writer removes the
		// files after the commit.
		// A photo of a confirmed case belongs to the group's archive, like
		// the case: it stays, without the link to them.
		{"case photos", `UPDATE attachments SET member_id = NULL WHERE member_id = ? AND case_id IS NOT NULL AND status = 'shown' AND kind = 'photo'`, []any{memberID}},
		{"photos and voice notes", `DELETE FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND key LIKE 'att:%'
			AND ` + t.db.attachmentOfKey() + ` IN (SELECT id FROM attachments WHERE member_id = ?)`, []any{memberID}},
		{"photos and voice notes", `UPDATE outbox SET payload = ` + t.db.dialect(`json_remove(payload, '$.file.data')`, `payload #- '{file,data}'`) + `
			WHERE key LIKE 'att:%' AND ` + t.db.attachmentOfKey() + ` IN (SELECT id FROM attachments WHERE member_id = ?)`, []any{memberID}},
		{"photos and voice notes", `DELETE FROM attachments WHERE member_id = ?`, []any{memberID}},
		{"pending cases", `DELETE FROM pending_cases WHERE author_id = ?`, []any{memberID}},
		{"mentors", `DELETE FROM mentors WHERE member_id = ?`, []any{memberID}},
	}
	for _, st := range steps {
		if _, err := t.exec(st.sql, st.args...); err != nil {
			return fmt.Errorf("forget member %d: %s: %w", memberID, st.what, err)
		}
	}
	for _, id := range ids {
		// The channel's notes about them: messages still waiting for a
		// file to be fetched, texts waiting to go to them, what they
		// wrote waiting to be relayed (bot.Notebook).
		if _, err := t.exec(`DELETE FROM channel_notes WHERE channel = ? AND member = ?`, channel, id); err != nil {
			return fmt.Errorf("forget member %d: channel notes: %w", memberID, err)
		}
		// Event ids are channel:chat:sender:message.
		if _, err := t.exec(`DELETE FROM seen_events WHERE id LIKE ? ESCAPE '\' OR id LIKE ? ESCAPE '\'`,
			likeEscape(channel+":")+"%:"+likeEscape(id)+":%", likeEscape(channel+":"+id+":")+"%"); err != nil {
			return fmt.Errorf("forget member %d: events: %w", memberID, err)
		}
		// Reply keys ("ev:" and the event id) hold the sender's id: a sent
		// message keeps its row under a new key, and so does its case link.
		if _, err := t.exec(`UPDATE case_messages SET outbox_key = 'forgotten:' || (SELECT o.id FROM outbox o WHERE o.key = outbox_key)
			WHERE `+t.db.contains("outbox_key")+` AND EXISTS (SELECT 1 FROM outbox o WHERE o.key = outbox_key)`, ":"+id+":"); err != nil {
			return fmt.Errorf("forget member %d: case messages: %w", memberID, err)
		}
		if _, err := t.exec(`DELETE FROM case_messages WHERE `+t.db.contains("outbox_key"), ":"+id+":"); err != nil {
			return fmt.Errorf("forget member %d: case messages: %w", memberID, err)
		}
		if _, err := t.exec(`UPDATE outbox SET key = 'forgotten:' || id, payload = `+
			t.db.dialect(`json_set(payload, '$.key', 'forgotten:' || id)`, `jsonb_set(payload, '{key}', to_jsonb('forgotten:' || id))`)+`
			WHERE channel = ? AND `+t.db.contains("key"), channel, ":"+id+":"); err != nil {
			return fmt.Errorf("forget member %d: message keys: %w", memberID, err)
		}
		if err := t.scrubOutbox(channel, id, ""); err != nil {
			return fmt.Errorf("forget member %d: messages: %w", memberID, err)
		}
	}
	for _, n := range []string{m.Name, m.Pseudonym} {
		if len([]rune(n)) >= 3 {
			if err := t.scrubOutbox(channel, "", n); err != nil {
				return fmt.Errorf("forget member %d: messages: %w", memberID, err)
			}
		}
	}
	// What others wrote of them: their names and ids in case texts,
	// replies, mentors' answers and the archive's index.
	if err := t.scrubTexts(memberNames{name: m.Name, pseudonym: m.Pseudonym, ids: ids}); err != nil {
		return fmt.Errorf("forget member %d: what others wrote: %w", memberID, err)
	}
	if err := t.DeleteConsent(channel, ids...); err != nil {
		return fmt.Errorf("forget member %d: %w", memberID, err)
	}
	if _, err := t.exec(`DELETE FROM members WHERE id = ?`, memberID); err != nil {
		return fmt.Errorf("forget member %d: profile: %w", memberID, err)
	}
	return nil
}

// forgetCertificates keeps a forgotten member's certificates without
// them: no member, no run, and the printed name only as its keyed hash.
func (t *Tx) forgetCertificates(memberID int64) error {
	rows, err := t.query(`SELECT code, name FROM certificates WHERE member_id = ?`, memberID)
	if err != nil {
		return err
	}
	type cert struct{ code, name string }
	var certs []cert
	for rows.Next() {
		var c cert
		if err := rows.Scan(&c.code, &c.name); err != nil {
			rows.Close()
			return err
		}
		certs = append(certs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range certs {
		if _, err := t.exec(`UPDATE certificates SET member_id = NULL, run_id = NULL, name = '', name_hash = ? WHERE code = ?`,
			certificateNameHash(t.db.subjectKey, c.code, c.name), c.code); err != nil {
			return err
		}
	}
	return nil
}

// scrubOutbox takes a forgotten member out of the bot's messages on a
// channel: those mentioning platform id id, or naming them. Unsent ones
// are dropped; sent ones keep their key and platform id (replies and
// votes still find them) with the name replaced and the mention removed.
func (t *Tx) scrubOutbox(channel, id, name string) error {
	needle := name
	if id != "" {
		needle = id
	}
	if _, err := t.exec(`DELETE FROM outbox WHERE channel = ? AND sent_at IS NULL AND `+t.db.contains("payload"), channel, needle); err != nil {
		return err
	}
	if id != "" {
		_, err := t.exec(`UPDATE outbox SET payload = `+t.db.dialect(`json_remove(payload, '$.mentions')`, `payload - 'mentions'`)+`
			WHERE channel = ? AND `+t.db.contains("payload"), channel, id)
		return err
	}
	_, err := t.exec(`UPDATE outbox SET payload = `+t.db.dialect(`json_set(payload, '$.text', replace(json_extract(payload, '$.text'), ?, ?))`,
		`jsonb_set(payload, '{text}', COALESCE(to_jsonb(replace(payload ->> 'text', ?, ?)), 'null'))`)+`
		WHERE channel = ? AND `+t.db.contains("payload"), name, FormerMember, channel, name)
	return err
}

// likeEscape escapes LIKE's wildcards in s, for ESCAPE '\'.
func likeEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '_' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// staffRefsOf is the channel and the four refs a staff table row naming a
// member with platform ids ids may hold (each id, and its part before
// "@"), for DELETE FROM staff WHERE channel = ? AND ref IN (?, ?, ?, ?).
func staffRefsOf(channel string, ids []string) []any {
	args := []any{channel}
	for _, id := range ids {
		user, _, _ := strings.Cut(id, "@")
		args = append(args, id, user)
	}
	for len(args) < 5 {
		args = append(args, args[len(args)-1])
	}
	return args[:5]
}
