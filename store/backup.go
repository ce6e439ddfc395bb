package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/huddlebot/huddle/internal/filelock"
)

// BackupFile is the database's name in a backup folder; its photos and
// voice notes are in media/ beside it, as beside a running database.
const BackupFile = "huddle.db"

// Backed says what a backup or a restore copied.
type Backed struct {
	// Bytes is the database copy's size; Media how many media files were
	// copied.
	Bytes int64
	Media int
}

// Backup writes a consistent copy of the SQLite database at path into the
// folder dir (made; it must be empty), with the members' photos and voice
// notes, while huddle runs: the database through SQLite's VACUUM INTO, a
// snapshot of one read transaction that writers go on beside, and the
// copy checked whole before it is named huddle.db. The media files are
// written once and never changed, so those the copy names are there (one
// erased meanwhile is left out, as the erasure would have). A PostgreSQL
// database is backed up with its own tools.
func Backup(ctx context.Context, path, dir string) (Backed, error) {
	var b Backed
	if IsPostgres(path) {
		return b, errors.New("a PostgreSQL database is backed up with its own tools: pg_dump --format=custom DATABASE_URL > huddle.dump (see docs/operations.md)")
	}
	if _, err := os.Stat(path); err != nil {
		return b, fmt.Errorf("backup: no database at %s: %w", path, err)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return b, fmt.Errorf("backup: %s is not empty: give a new folder for each backup", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return b, fmt.Errorf("backup: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return b, fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer db.Close()
	// The copy is made readable by its owner alone before SQLite writes
	// into it (VACUUM INTO fills an empty file).
	partial := filepath.Join(dir, BackupFile+".partial")
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return b, fmt.Errorf("backup: %w", err)
	}
	f.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, partial); err != nil {
		os.Remove(partial)
		return b, fmt.Errorf("backup: copy %s: %w", path, err)
	}
	if err := checkCopy(ctx, partial); err != nil {
		os.Remove(partial)
		return b, err
	}
	final := filepath.Join(dir, BackupFile)
	if err := os.Rename(partial, final); err != nil {
		return b, fmt.Errorf("backup: %w", err)
	}
	if info, err := os.Stat(final); err == nil {
		b.Bytes = info.Size()
	}
	n, err := copyMedia(filepath.Join(filepath.Dir(path), mediaDir), filepath.Join(dir, mediaDir))
	b.Media = n
	return b, err
}

// checkCopy runs SQLite's integrity check on a copy.
func checkCopy(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&verdict); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if verdict != "ok" {
		return fmt.Errorf("check %s: the copy is damaged: %s", path, verdict)
	}
	return nil
}

// Restore puts the backup in folder dir in place of the SQLite database
// at path, with its media, while huddle is stopped (it refuses while
// huddle holds the database). What was at path is kept beside it, named
// with the time (huddle.db.replaced-20261207-093000, and its media), so a
// restore is undone by moving it back. The backup is checked whole first,
// and left as it is.
func Restore(ctx context.Context, dir, path string, now time.Time) (Backed, error) {
	var b Backed
	if IsPostgres(path) {
		return b, errors.New("a PostgreSQL database is restored with its own tools: pg_restore --clean --dbname DATABASE_URL huddle.dump (see docs/operations.md)")
	}
	src := filepath.Join(dir, BackupFile)
	if err := checkCopy(ctx, src); err != nil {
		return b, fmt.Errorf("restore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return b, fmt.Errorf("restore: %w", err)
	}
	lock, err := filelock.Lock(path)
	if errors.Is(err, filelock.ErrLocked) {
		return b, fmt.Errorf("restore: huddle is running on %s: stop it first", path)
	}
	if err != nil {
		return b, fmt.Errorf("restore: %w", err)
	}
	if lock != nil {
		defer lock.Close()
	}
	media := filepath.Join(filepath.Dir(path), mediaDir)
	aside := ".replaced-" + now.UTC().Format("20060102-150405")
	for _, p := range []string{path, path + "-wal", path + "-shm", media} {
		if _, err := os.Stat(p); err == nil {
			if err := os.Rename(p, p+aside); err != nil {
				return b, fmt.Errorf("restore: keep %s: %w", p, err)
			}
		}
	}
	if b.Bytes, err = copyFile(src, path); err != nil {
		return b, fmt.Errorf("restore: %w", err)
	}
	b.Media, err = copyMedia(filepath.Join(dir, mediaDir), media)
	return b, err
}

// copyMedia copies the media folder from to to, file by file; a file gone
// meanwhile (an erasure) is left out.
func copyMedia(from, to string) (int, error) {
	n := 0
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		if _, err := copyFile(p, dst); errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("copy media %s: %w", from, err)
	}
	return n, nil
}

// copyFile copies a file, readable by the owner alone, and syncs it.
func copyFile(from, to string) (int64, error) {
	in, err := os.Open(from)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}
