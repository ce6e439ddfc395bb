// Package store is Huddle's persistence: on SQLite, through the pure-Go
// driver modernc.org/sqlite, by default, or on PostgreSQL through pgx,
// which several instances may share (see package cluster). It is the
// only package that speaks SQL; its queries are written once, for both
// (dialect.go).
//
// On SQLite, writes go through one writer goroutine that commits the
// transactions waiting for it together (group commit), so one fsync makes
// a whole batch durable. When a caller's work fails, the batch is run
// again with each caller in its own savepoint, so the failing one does
// not undo the others. Reads use a separate pool of connections, which
// WAL mode lets run beside the writer. On PostgreSQL the transactions of
// chats' turns (the router's events) go in rounds, several in one
// transaction whose statements are sent together (rounds.go); the others
// run each on its own, side by side (updatePostgres).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/internal/filelock"
	"github.com/huddlebot/huddle/internal/privfile"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// migrations are the schema's versions, one series for SQLite and
// PostgreSQL (see migrationsFor).
//
//go:embed migrations/*.sql
var migrations embed.FS

// ErrLocked says another process has the database open.
var ErrLocked = filelock.ErrLocked

// maxBatch bounds how many transactions one commit groups.
const maxBatch = 128

// DB is a Huddle database. It implements every store interface the rest of Huddle declares (bot.Updater and bot.Tx, outbox.Store, schedule.Store).
type DB struct {
	path string
	// pg says the database is PostgreSQL's, not a SQLite file; media
	// is the folder of members' photos and voice notes.
	pg    bool
	media string
	lock  *os.File
	read  *pool
	write *pool
	// pending is PendingOutbox's query, prepared on the read pool.
	pending *sql.Stmt
	// turns and turnReqs carry chats' turns in rounds on PostgreSQL
	// (rounds.go).
	turns    *sql.DB
	turnReqs chan *request
	rounds   roundGate
	reqs     chan *request
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once

	// stmts caches prepared statements on the writer's one connection, and
	// unprepared lists queries to prepare once the connection is free; only
	// the writer goroutine uses them.
	stmts      map[string]*sql.Stmt
	unprepared map[string]bool
	// batches and txs count commits and the transactions they carried.
	batches, txs atomic.Int64
	// health is whether the last commit could write (Writable).
	health writeHealth
	// subjectKey keys the hashes that name people in consents.
	subjectKey []byte
	// truncate asks the writer to checkpoint and empty the WAL after its
	// next commit (an erasure, or a transient message gone, sets it);
	// rebuild asks it to VACUUM first (an erasure sets it).
	truncate, rebuild atomic.Bool
	// rb says when the rebuild is due (rebuild.go); bg waits for the
	// work it runs in the background.
	rb rebuildClock
	bg sync.WaitGroup
	// sweep asks the writer to remove the media files no attachment
	// refers to any more (an attachment was deleted).
	sweep atomic.Bool
	// instance names this instance among several sharing the database
	// (SetInstance), and claim is how long it claims a message or timer.
	instance string
	claim    time.Duration
	// queued hears the leases of the chats whose messages a commit
	// queued, on PostgreSQL (OnQueued).
	queued atomic.Pointer[func(leases []string)]
}

// Stats says how well group commit batches: commits made, and caller
// transactions they carried.
type Stats struct {
	Commits      int64
	Transactions int64
}

// Stats returns the writer's counts since Open.
func (d *DB) Stats() Stats {
	return Stats{Commits: d.batches.Load(), Transactions: d.txs.Load()}
}

// request is one caller's transaction waiting for the writer.
type request struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// Open opens (creating it if needed) the SQLite database file at path,
// applies every pending migration, and starts the writer. OpenPostgres
// opens a PostgreSQL database.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	// Only the owner may read members' data: the folder is created 0700,
	// the file 0600 (and SQLite gives its WAL the same mode).
	if err := privfile.Prepare(path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	lock, err := filelock.Lock(path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	unlock := func() {
		if lock != nil {
			lock.Close()
		}
	}
	write, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		unlock()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		unlock()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	key, err := loadSubjectKey(ctx, write)
	if err != nil {
		write.Close()
		unlock()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		write.Close()
		unlock()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	pending, err := read.PrepareContext(ctx, pendingQuery)
	if err != nil {
		read.Close()
		write.Close()
		unlock()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	d := newDB(&pool{DB: read}, &pool{DB: write}, pending, key)
	d.path, d.lock = path, lock
	d.media = filepath.Join(filepath.Dir(path), mediaDir)
	// Files left by transactions a crash cut short, or by erasures the
	// writer had no time to sweep, go before anything else runs.
	if err := d.sweepMedia(); err != nil {
		write.Close()
		read.Close()
		unlock()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	go d.writer()
	if err := d.fillPseudonyms(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := d.fillNameKeys(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := d.fillLeases(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return d, nil
}

// newDB makes a DB on its pools, its writer not yet started.
func newDB(read, write *pool, pending *sql.Stmt, key []byte) *DB {
	return &DB{
		pending:    pending,
		read:       read,
		write:      write,
		reqs:       make(chan *request, maxBatch),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		stmts:      make(map[string]*sql.Stmt),
		unprepared: make(map[string]bool),
		subjectKey: key,
	}
}

// dsn builds the driver's connection string: WAL, a busy timeout, foreign
// keys, and full synchronous commits, so a committed transaction survives a
// power cut, not only a crash.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Deleted rows are overwritten with zeros, so an erased member's name
	// and number do not linger in free pages of the file.
	q.Add("_pragma", "secure_delete(1)")
	// A 32 MB page cache (the default is 2 MB): a group commit's dirty
	// pages then stay in memory until the commit instead of spilling to
	// the WAL mid-batch.
	q.Add("_pragma", "cache_size(-32768)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// latestMigration is the version of the newest embedded migration.
func latestMigration() int64 {
	entries, _ := fs.ReadDir(migrations, "migrations")
	var v int64
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > v {
			v = n
		}
	}
	return v
}

// migrate applies the embedded migrations.
func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := migrationsFor(sqliteDialect)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Version returns the schema version the database is at.
func (d *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	err := d.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, err
}

// Close stops the writer, after the transactions already submitted, and
// closes the database.
func (d *DB) Close() error {
	d.once.Do(func() { close(d.stop) })
	<-d.done
	d.bg.Wait()
	for _, st := range d.stmts {
		st.Close()
	}
	d.pending.Close()
	if d.turns != nil {
		d.turns.Close()
	}
	err := errors.Join(d.read.Close(), d.write.Close())
	if d.lock != nil {
		d.lock.Close() // releases the lock
	}
	return err
}

// stmt returns the prepared statement for query, or nil when it is not
// prepared yet: it is then noted, and prepared after the current batch,
// since the writer's one connection is busy inside a transaction.
func (d *DB) stmt(query string) *sql.Stmt {
	if d.pg {
		return nil
	}
	st, ok := d.stmts[query]
	if !ok {
		d.unprepared[query] = true
	}
	return st
}

// prepare prepares the queries noted by stmt; the connection must be free.
func (d *DB) prepare() {
	for q := range d.unprepared {
		if st, err := d.write.Prepare(q); err == nil {
			d.stmts[q] = st
		}
		delete(d.unprepared, q)
	}
}

// run calls fn, turning a panic into an error so that one caller's bug
// cannot stop the writer for everyone.
func run(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in transaction: %v", p)
		}
	}()
	return fn(tx)
}

// ms converts a time to Unix milliseconds; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts Unix milliseconds back; 0 is the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// nullMS is fromMS for a nullable column.
func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}
