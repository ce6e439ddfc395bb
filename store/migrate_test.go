package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestMigrate brings a new database to the newest schema, then one taken
// back two versions (as an older huddle left it) forward again; it
// refuses while the database is open (huddle running), and a URL other
// than PostgreSQL's; the store itself refuses PostgreSQL for now, without
// showing its password.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "huddle.db")
	before, after, err := Migrate(ctx, path)
	if err != nil || before.Exists || after.Current != latestMigration() {
		t.Fatalf("a new database: %+v → %+v, %v", before, after, err)
	}

	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := migrationsFor(sqliteDialect)
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, latestMigration()-2); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := SchemaOf(ctx, path); err != nil || s.Current != latestMigration()-2 {
		t.Fatalf("after going back: %+v, %v", s, err)
	}
	before, after, err = Migrate(ctx, path)
	if err != nil || before.Current != latestMigration()-2 || after.Current != latestMigration() {
		t.Errorf("an older database: %+v → %+v, %v", before, after, err)
	}

	running, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close()
	if _, _, err := Migrate(ctx, path); err == nil {
		t.Error("migrated a database that is open")
	}
	if _, _, err := Migrate(ctx, "mysql://db.example/huddle"); err == nil || !strings.Contains(err.Error(), "SQLite file") {
		t.Errorf("a URL: %v", err)
	}
	// A PostgreSQL server that cannot be reached is named, its password
	// hidden.
	_, err = OpenPostgres(ctx, "postgres://huddle:s3cret@127.0.0.1:1/huddle", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "huddle:xxxxx@127.0.0.1:1") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("an unreachable PostgreSQL: %v", err)
	}
}
