package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

// loadSubjectKey reads the database's key for consent subjects.
func loadSubjectKey(ctx context.Context, db *sql.DB) ([]byte, error) {
	var key []byte
	if err := db.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = 'subject'`).Scan(&key); err != nil {
		return nil, fmt.Errorf("subject key: %w", err)
	}
	return key, nil
}

// subject is the consent row's key for a platform id: a keyed hash, so the
// consents table holds no phone numbers.
func (d *DB) subject(channel, platformID string) string {
	mac := hmac.New(sha256.New, d.subjectKey)
	mac.Write([]byte(channel + ":" + platformID))
	return hex.EncodeToString(mac.Sum(nil))
}

// subjects hashes each non-empty id.
func (d *DB) subjects(channel string, ids []string) []any {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			out = append(out, d.subject(channel, id))
		}
	}
	return out
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Consent returns the answer to the privacy notice of the person with any
// of the platform ids (the latest answer when they differ); the zero
// Consent when they were never asked.
func (t *Tx) Consent(channel string, ids ...string) (bot.Consent, error) {
	var c bot.Consent
	subs := t.db.subjects(channel, ids)
	if len(subs) == 0 {
		return c, nil
	}
	var (
		status          string
		asked, answered sql.NullInt64
		last            sql.NullString
	)
	err := t.row(`SELECT status, version, asked_at, answered_at, last_event FROM consents WHERE subject IN (`+placeholders(len(subs))+`)
		ORDER BY COALESCE(answered_at, 0) DESC, COALESCE(asked_at, 0) DESC LIMIT 1`, subs...).
		Scan(&status, &c.Version, &asked, &answered, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("consent: %w", err)
	}
	c.Status, c.AskedAt, c.AnsweredAt, c.LastEvent = bot.ConsentStatus(status), fromMS(asked.Int64), fromMS(answered.Int64), last.String
	return c, nil
}

// SetConsent records c for each of the person's platform ids.
func (t *Tx) SetConsent(channel string, ids []string, c bot.Consent) error {
	for _, sub := range t.db.subjects(channel, ids) {
		_, err := t.exec(`INSERT INTO consents (subject, status, version, asked_at, answered_at, last_event) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (subject) DO UPDATE SET status = excluded.status, version = excluded.version, asked_at = excluded.asked_at,
			answered_at = excluded.answered_at, last_event = excluded.last_event`,
			sub, string(c.Status), c.Version, msOrNull(c.AskedAt), msOrNull(c.AnsweredAt), nullString(c.LastEvent))
		if err != nil {
			return fmt.Errorf("save consent: %w", err)
		}
	}
	return nil
}

// DeleteConsent erases the consent records of the person's platform ids.
func (t *Tx) DeleteConsent(channel string, ids ...string) error {
	subs := t.db.subjects(channel, ids)
	if len(subs) == 0 {
		return nil
	}
	if _, err := t.exec(`DELETE FROM consents WHERE subject IN (`+placeholders(len(subs))+`)`, subs...); err != nil {
		return fmt.Errorf("delete consent: %w", err)
	}
	return nil
}

// DropConsentNotices deletes the privacy notices and answers queued for a
// chat, sent or not.
func (t *Tx) DropConsentNotices(channel, chatID string) error {
	if _, err := t.exec(`DELETE FROM outbox WHERE channel = ? AND chat_id = ? AND key LIKE 'consent:%'`, channel, chatID); err != nil {
		return fmt.Errorf("drop consent notices: %w", err)
	}
	return nil
}

// ChatByPlatform returns a chat by its platform id; ErrNotFound when it
// was never seen.
func (t *Tx) ChatByPlatform(channel, platformID string) (bot.Chat, error) {
	var id int64
	err := t.row(`SELECT id FROM chats WHERE channel = ? AND platform_id = ?`, channel, platformID).Scan(&id)
	if err != nil {
		return bot.Chat{}, fmt.Errorf("chat %s:%s: %w", channel, platformID, notFound(err))
	}
	return t.ChatByID(id)
}
