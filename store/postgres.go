package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// IsPostgres reports whether a database setting names a PostgreSQL
// server (postgres://… or postgresql://…) rather than a SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// pgProvider is goose's migrator for PostgreSQL's migrations on db.
func pgProvider(db *sql.DB) (*goose.Provider, error) {
	sub, err := migrationsFor(postgresDialect)
	if err != nil {
		return nil, err
	}
	// Instances started together migrate one at a time: goose holds a
	// PostgreSQL advisory lock while it migrates, and the others wait.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
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
	crand.Read(key)
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

// OpenPostgres opens the PostgreSQL database at url, applies every pending
// migration, and starts the writer. Members' photos and voice notes are
// kept in the folder media (several instances on one database share it:
// a shared volume). Several processes may open one database: PostgreSQL
// orders their transactions.
func OpenPostgres(ctx context.Context, url, media string) (*DB, error) {
	fail := func(err error) (*DB, error) {
		return nil, fmt.Errorf("open database %s: %w", Redacted(url), err)
	}
	if _, _, err := migratePostgres(ctx, url); err != nil {
		return fail(err)
	}
	write, err := sql.Open("pgx", url)
	if err != nil {
		return fail(err)
	}
	// Writers in parallel (see updatePostgres): each statement is a round
	// trip to the server, so one connection would hold every chat behind
	// the others' statements.
	write.SetMaxOpenConns(writers)
	// Kept open between transactions: database/sql keeps two idle by
	// default and closes the rest, and each new connection is a process
	// the server forks and authenticates (BenchmarkInstances: 3.1 ms of
	// the server's CPU an event with two kept, of which nearly all was
	// connecting).
	write.SetMaxIdleConns(writers)
	key, err := loadSubjectKey(ctx, write)
	if err != nil {
		write.Close()
		return fail(err)
	}
	read, err := sql.Open("pgx", url)
	if err != nil {
		write.Close()
		return fail(err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	r := &pool{DB: read, pg: true}
	pending, err := r.PrepareContext(ctx, pendingQuery)
	if err != nil {
		read.Close()
		write.Close()
		return fail(err)
	}
	d := newDB(r, &pool{DB: write, pg: true}, pending, key)
	d.pg, d.media = true, media
	if err := d.sweepMedia(); err != nil {
		read.Close()
		write.Close()
		return fail(err)
	}
	go d.writer()
	d.openTurns(roundWriters)
	if err := d.fillPseudonyms(ctx); err != nil {
		d.Close()
		return fail(err)
	}
	if err := d.fillNameKeys(ctx); err != nil {
		d.Close()
		return fail(err)
	}
	if err := d.fillLeases(ctx); err != nil {
		d.Close()
		return fail(err)
	}
	return d, nil
}

// DefaultMedia is the folder of members' photos and voice notes on a
// PostgreSQL database when the setting names none.
const DefaultMedia = "data/media"

// OpenDatabase opens the database a database setting names: a SQLite
// file's path (Open), or a PostgreSQL database's postgres:// URL
// (OpenPostgres), whose photos and voice notes are kept in media
// (DefaultMedia when empty).
func OpenDatabase(ctx context.Context, database, media string) (*DB, error) {
	if !IsPostgres(database) {
		return Open(ctx, database)
	}
	if media == "" {
		media = DefaultMedia
	}
	return OpenPostgres(ctx, database, media)
}

// openPostgresReader opens a report reader on the PostgreSQL database at
// url, which must be migrated.
func openPostgresReader(ctx context.Context, url, media string) (*Reader, error) {
	s, err := SchemaOf(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", Redacted(url), err)
	}
	if s.Current < s.Latest {
		return nil, fmt.Errorf("database %s is at schema version %d, this huddle needs %d: run huddle migrate", Redacted(url), s.Current, s.Latest)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", Redacted(url), err)
	}
	if media == "" {
		media = DefaultMedia
	}
	return &Reader{db: &pool{DB: db, pg: true}, media: media}, nil
}

// writers bounds the transactions one instance runs on PostgreSQL at once.
const writers = 16

// updatePostgres runs fn in a transaction of its own and returns once it
// is committed: every transaction but chats' turns, which go in rounds
// (rounds.go), and a turn its round could not carry. PostgreSQL orders
// concurrent transactions itself, and groups their commits in its WAL,
// so unlike SQLite's single writer they
// run side by side, up to writers at once: a chat's events are one at a
// time already (the router's queue), different chats' go together. A
// transaction PostgreSQL chose to abort (a deadlock, a serialization
// failure) runs again.
func (d *DB) updatePostgres(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := d.txPostgres(ctx, fn)
		if attempt < 5 && retryable(err) {
			time.Sleep(time.Duration(rand.IntN(10*(attempt+1))) * time.Millisecond)
			continue
		}
		return err
	}
}

// retryable says PostgreSQL aborted a transaction that may succeed when
// run again: a serialization failure or a deadlock.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// txPostgres runs fn in one transaction. On an instance of several, a
// transaction in a chat's turn (bot.ChatInTurn) first takes the chat's
// advisory lock, held until it ends: any instance may handle a chat's
// events (each from the load balancer in front of them), and those of
// one chat wait for each other as the router's queue makes them do
// within one instance. PostgreSQL releases the lock at commit or
// rollback, and when the connection is lost.
func (d *DB) txPostgres(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if key := bot.ChatInTurn(ctx); key != "" && d.instance != "" {
		if _, err := sqlTx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, d.chatLock(key)); err != nil {
			sqlTx.Rollback()
			return fmt.Errorf("lock the chat: %w", err)
		}
	}
	tx := &Tx{tx: sqlTx, ctx: ctx, db: d}
	if err := run(fn, tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	d.batches.Add(1)
	d.txs.Add(1)
	if tx.sweep {
		d.sweep.Store(true)
	}
	d.afterCommit()
	d.tellQueued(tx.queued)
	return nil
}

// ShareWriters makes this instance run its share of total transactions
// at once on PostgreSQL (writers when total is 0), n instances running,
// and at least 4: the database runs a few transactions for each of its
// cores well, and past that spends its time on the contention between
// them (BenchmarkInstances: three instances of 16 each spent 1.4 ms of
// the server's CPU an event, of 5 each 0.9 ms). Rounds are shared the
// same way, one at least (roundWriters). Nothing on SQLite.
func (d *DB) ShareWriters(total, n int) {
	if !d.pg {
		return
	}
	if total <= 0 {
		total = writers
	}
	w := max(total/max(n, 1), 4)
	d.write.SetMaxOpenConns(w)
	d.write.SetMaxIdleConns(w)
	d.rounds.set(max(roundWriters/max(n, 1), 1))
}
