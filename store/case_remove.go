package store

import "fmt"

// RemoveCase erases a case, at its author's or a patient's request: its
// text, replies and answer, its photos and voice notes (the files go
// after the commit), its place in the archive's index, and the links of
// the bot's messages to it; unsent messages about it are dropped. The
// messages already in the chat stay on the platform.
func (t *Tx) RemoveCase(caseID int64) error {
	steps := []struct{ what, sql string }{
		{"unsent messages", `DELETE FROM outbox WHERE sent_at IS NULL AND key IN (SELECT outbox_key FROM case_messages WHERE case_id = ?)`},
		{"message links", `DELETE FROM case_messages WHERE case_id = ?`},
		{"unsent photos", `DELETE FROM outbox WHERE sent_at IS NULL AND key LIKE 'att:%' AND ` + t.db.attachmentOfKey() + ` IN (SELECT id FROM attachments WHERE case_id = ?)`},
		{"sent photos", `UPDATE outbox SET payload = ` + t.db.dialect(`json_remove(payload, '$.file.data')`, `payload #- '{file,data}'`) + `
			WHERE key LIKE 'att:%' AND ` + t.db.attachmentOfKey() + ` IN (SELECT id FROM attachments WHERE case_id = ?)`},
		{"photos and voice notes", `DELETE FROM attachments WHERE case_id = ?`},
		{"index", `DELETE FROM case_search WHERE rowid = ?`},
		{"posts", `DELETE FROM case_posts WHERE case_id = ?`},
		{"case", `DELETE FROM cases WHERE id = ?`},
	}
	for _, st := range steps {
		if _, err := t.exec(st.sql, caseID); err != nil {
			return fmt.Errorf("remove case %d: %s: %w", caseID, st.what, err)
		}
	}
	t.sweepAfter()
	t.db.askRebuild() // its bytes leave the files too, as an erasure's
	return nil
}
