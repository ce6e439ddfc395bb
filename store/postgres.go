package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
)

// PostgreSQL's migrations: the same versions as SQLite's, each making
// the same tables and columns in PostgreSQL's dialect.
//
//go:embed migrations_pg/*.sql
var pgMigrations embed.FS

// IsPostgres reports whether a database setting names a PostgreSQL
// server (postgres://… or postgresql://…) rather than a SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// pgProvider is goose's migrator for PostgreSQL's migrations on db.
func pgProvider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(pgMigrations, "migrations_pg")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// migratePostgres brings the PostgreSQL database at url to the newest
// schema, with its secret key (made here from the operating system's
// random source, as SQLite's migration makes it), and returns its
// versions before and after.
func migratePostgres(ctx context.Context, url string) (before, after Schema, err error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return before, after, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	if before, err = pgSchema(ctx, db); err != nil {
		return before, after, err
	}
	p, err := pgProvider(db)
	if err != nil {
		return before, after, err
	}
	if _, err := p.Up(ctx); err != nil {
		return before, after, fmt.Errorf("migrate: %w", err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	if _, err := db.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES ('subject', $1) ON CONFLICT DO NOTHING`, key); err != nil {
		return before, after, fmt.Errorf("migrate: the subject key: %w", err)
	}
	after, err = pgSchema(ctx, db)
	return before, after, err
}

// pgSchema reads a PostgreSQL database's schema version.
func pgSchema(ctx context.Context, db *sql.DB) (Schema, error) {
	s := Schema{Latest: latestMigration(), Exists: true}
	if err := db.PingContext(ctx); err != nil {
		return s, fmt.Errorf("reach the database: %w", err)
	}
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return s, fmt.Errorf("read the schema version: %w", err)
	}
	if !exists {
		return s, nil
	}
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&s.Current)
	if err != nil {
		return s, fmt.Errorf("read the schema version: %w", err)
	}
	return s, nil
}
