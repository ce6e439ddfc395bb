package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// Schema is a database's schema version and the newest this program
// knows.
type Schema struct {
	Current, Latest int64
	// Exists is false when there is no database yet.
	Exists bool
}

// SchemaOf reads the schema version of the database at path without
// changing it (0 for one never migrated, or none).
func SchemaOf(ctx context.Context, path string) (Schema, error) {
	s := Schema{Latest: latestMigration()}
	if IsPostgres(path) {
		db, err := sql.Open("pgx", path)
		if err != nil {
			return s, fmt.Errorf("open database: %w", err)
		}
		defer db.Close()
		return pgSchema(ctx, db)
	}
	if err := checkPath(path); err != nil {
		return s, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	s.Exists = true
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return s, fmt.Errorf("open database %s: %w", path, err)
	}
	defer db.Close()
	err = db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&s.Current)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return s, nil // a file Huddle never migrated
	}
	if err != nil {
		return s, fmt.Errorf("read the schema version of %s: %w", path, err)
	}
	return s, nil
}

// Migrate brings the database at path (created when there is none) to
// the newest schema and returns its versions before and after. It takes
// the database's lock, so it refuses while huddle runs on it.
//
// A PostgreSQL database (path a postgres:// URL) gets the same series,
// in its own dialect (migrationsFor).
func Migrate(ctx context.Context, path string) (before, after Schema, err error) {
	if IsPostgres(path) {
		return migratePostgres(ctx, path)
	}
	if before, err = SchemaOf(ctx, path); err != nil {
		return before, after, err
	}
	db, err := Open(ctx, path)
	if err != nil {
		return before, after, err
	}
	if err := db.Close(); err != nil {
		return before, after, err
	}
	after, err = SchemaOf(ctx, path)
	return before, after, err
}

// checkPath refuses a database given as a URL where a SQLite file is
// needed.
func checkPath(path string) error {
	switch {
	case IsPostgres(path):
		return fmt.Errorf("database %q: give the path of a SQLite file here, such as ./data/huddle.db", Redacted(path))
	case strings.Contains(path, "://"):
		return fmt.Errorf("database %q: give the path of a SQLite file, such as ./data/huddle.db", Redacted(path))
	}
	return nil
}

// Redacted is a database setting as it may be shown: a URL's password
// hidden.
func Redacted(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return s
}
