package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/report"
)

// mediaDir is the folder beside the database that holds members' photos
// and voice notes, each under its SHA-256.
const mediaDir = "media"

// MediaDir returns the folder of the members' photos and voice notes.
func (d *DB) MediaDir() string { return d.media }

// mediaPath is the file of content hash: media/ab/abcdef…, so no folder
// grows too large.
func (d *DB) mediaPath(hash string) string { return filepath.Join(d.MediaDir(), hash[:2], hash) }

// writeMedia stores data under its hash, once: the file is written
// beside its place and renamed into it, so a crash leaves no half file
// under a hash. A transaction that is rolled back leaves the file without
// a row, which the next sweep removes.
func (d *DB) writeMedia(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	p := d.mediaPath(hash)
	if _, err := os.Stat(p); err == nil {
		return hash, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".new-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return hash, nil
}

// mediaLock is the PostgreSQL advisory lock that keeps a sweep of the
// media folder from a transaction writing into it: every transaction
// that writes a file holds it shared until it ends (SaveAttachment), a
// sweep holds it alone.
const mediaLock = 0x6875_6464_6c65 // "huddle"

// sweepMedia removes the files no attachment refers to any more: those
// of deleted attachments (an erasure, retention, a discarded photo) and
// of transactions rolled back. On SQLite the writer runs it between
// commits, so no transaction that wrote a file is still open. On
// PostgreSQL, where transactions run side by side on every instance that
// shares the folder, it holds mediaLock alone: it waits for those that
// write files to end, and none begins to until it is done.
func (d *DB) sweepMedia() error {
	count := func(hash string) (int, error) {
		var n int
		err := d.write.QueryRow(`SELECT count(*) FROM attachments WHERE hash = ?`, hash).Scan(&n)
		return n, err
	}
	if d.pg {
		ctx := context.Background()
		tx, err := d.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sweep media: %w", err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, mediaLock); err != nil {
			return fmt.Errorf("sweep media: %w", err)
		}
		count = func(hash string) (int, error) {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE hash = $1`, hash).Scan(&n)
			return n, err
		}
	}
	root := d.MediaDir()
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		name := e.Name()
		if !strings.HasPrefix(name, ".new-") {
			n, err := count(name)
			if err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		}
		return os.Remove(p)
	})
	if err != nil {
		return fmt.Errorf("sweep media: %w", err)
	}
	return nil
}

// SaveAttachment writes a's file and records it.
func (t *Tx) SaveAttachment(a *bot.Attachment) error {
	if t.db.pg {
		// No sweep removes the file before this transaction ends.
		if _, err := t.exec(`SELECT pg_advisory_xact_lock_shared(?)`, mediaLock); err != nil {
			return fmt.Errorf("save %s: %w", a.Kind, err)
		}
	}
	hash, err := t.db.writeMedia(a.Data)
	if err != nil {
		return fmt.Errorf("save %s: %w", a.Kind, err)
	}
	a.Hash, a.Size = hash, len(a.Data)
	err = t.row(`INSERT INTO attachments (hash, kind, mime_type, size, member_id, chat_id, case_id, pending_id, run_id, step, caption, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Hash, a.Kind, a.MIMEType, a.Size, nullID(a.MemberID), a.ChatID, nullID(a.CaseID), nullID(a.PendingID), nullID(a.RunID), a.Step,
		a.Caption, a.Status, ms(a.Created)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("save %s: %w", a.Kind, err)
	}
	return nil
}

// attachmentColumns are what scanAttachment reads.
const attachmentColumns = `id, hash, kind, mime_type, size, COALESCE(member_id, 0), chat_id, COALESCE(case_id, 0),
	COALESCE(pending_id, 0), COALESCE(run_id, 0), step, caption, status, created_at`

func scanAttachment(sc interface{ Scan(...any) error }) (bot.Attachment, error) {
	var (
		a       bot.Attachment
		created int64
	)
	err := sc.Scan(&a.ID, &a.Hash, &a.Kind, &a.MIMEType, &a.Size, &a.MemberID, &a.ChatID, &a.CaseID, &a.PendingID, &a.RunID,
		&a.Step, &a.Caption, &a.Status, &created)
	a.Created = fromMS(created)
	return a, err
}

// AttachmentByID returns an attachment without its data.
func (t *Tx) AttachmentByID(id int64) (bot.Attachment, error) {
	a, err := scanAttachment(t.row(`SELECT `+attachmentColumns+` FROM attachments WHERE id = ?`, id))
	if err != nil {
		return a, fmt.Errorf("attachment %d: %w", id, notFound(err))
	}
	return a, nil
}

// AttachmentData reads an attachment's file.
func (t *Tx) AttachmentData(a bot.Attachment) ([]byte, error) { return t.db.AttachmentData(a.Hash) }

// AttachmentData reads the file of a photo or voice note by its hash.
func (d *DB) AttachmentData(hash string) ([]byte, error) { return readMedia(d.MediaDir(), hash) }

// readMedia reads the file of hash from the media folder dir.
func readMedia(dir, hash string) ([]byte, error) {
	if len(hash) != sha256.Size*2 || strings.Trim(hash, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("attachment %q: %w", hash, bot.ErrNotFound)
	}
	data, err := os.ReadFile(filepath.Join(dir, hash[:2], hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("attachment %s: %w", hash, bot.ErrNotFound)
	}
	return data, err
}

// ShowAttachment marks an attachment shown, as part of a case.
func (t *Tx) ShowAttachment(id, caseID int64) error {
	if _, err := t.exec(`UPDATE attachments SET status = ?, case_id = ?, pending_id = NULL WHERE id = ?`,
		bot.AttachShown, nullID(caseID), id); err != nil {
		return fmt.Errorf("show attachment %d: %w", id, err)
	}
	return nil
}

// DeleteAttachment removes an attachment; the writer sweeps its file
// after the commit.
func (t *Tx) DeleteAttachment(id int64) error {
	if _, err := t.exec(`DELETE FROM attachments WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete attachment %d: %w", id, err)
	}
	t.sweepAfter()
	return nil
}

// CaseAttachments lists a case's shown attachments, oldest first.
func (t *Tx) CaseAttachments(caseID int64) ([]bot.Attachment, error) {
	return t.attachments(`SELECT `+attachmentColumns+` FROM attachments WHERE case_id = ? AND status = ? ORDER BY id`, caseID, bot.AttachShown)
}

// PendingAttachments lists the attachments held with a pending case.
func (t *Tx) PendingAttachments(pendingID int64) ([]bot.Attachment, error) {
	return t.attachments(`SELECT `+attachmentColumns+` FROM attachments WHERE pending_id = ? ORDER BY id`, pendingID)
}

func (t *Tx) attachments(query string, args ...any) ([]bot.Attachment, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	var out []bot.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attachments lists the photos and voice notes shown in the period, in
// one group or (chatID 0) all, newest first, at most limit.
func (r *Reader) Attachments(ctx context.Context, rg report.Range, chatID int64, limit int) ([]report.Attachment, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT a.id, a.hash, a.kind, a.mime_type, a.size, a.chat_id, c.title,
			COALESCE(a.member_id, 0), COALESCE(m.name, ''), COALESCE(m.pseudonym, ''), COALESCE(a.case_id, 0), COALESCE(k.text, ''),
			COALESCE(ru.lesson_id, ''), COALESCE((SELECT an.step_id FROM answers an
				WHERE an.run_id = a.run_id AND an.seq = a.step AND an.member_id = a.member_id), ''),
			a.caption, a.created_at
		FROM attachments a JOIN chats c ON c.id = a.chat_id LEFT JOIN members m ON m.id = a.member_id
			LEFT JOIN cases k ON k.id = a.case_id LEFT JOIN runs ru ON ru.id = a.run_id
		WHERE a.status = ? AND a.created_at >= ? AND a.created_at < ? AND (? = 0 OR a.chat_id = ?)
		ORDER BY a.created_at DESC, a.id DESC LIMIT ?`, bot.AttachShown, ms(rg.From), ms(rg.To), chatID, chatID, limit)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	var out []report.Attachment
	for rows.Next() {
		var (
			a  report.Attachment
			at int64
		)
		if err := rows.Scan(&a.ID, &a.Hash, &a.Kind, &a.MIMEType, &a.Size, &a.ChatID, &a.Chat, &a.MemberID, &a.Name, &a.Pseudonym,
			&a.CaseID, &a.CaseText, &a.LessonID, &a.StepID, &a.Caption, &at); err != nil {
			return nil, fmt.Errorf("attachments: %w", err)
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// MediaFile returns a shown photo's or voice note's file and its type by
// its hash; ErrNotFound for a file no shown attachment has (one still
// waiting for its author's check, or gone).
func (r *Reader) MediaFile(ctx context.Context, hash string) ([]byte, string, error) {
	var mime string
	err := r.db.QueryRowContext(ctx, `SELECT mime_type FROM attachments WHERE hash = ? AND status = ? LIMIT 1`, hash, bot.AttachShown).Scan(&mime)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("media %s: %w", hash, bot.ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("media %s: %w", hash, err)
	}
	data, err := readMedia(r.media, hash)
	return data, mime, err
}
