package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/huddlebot/huddle/internal/filelock"
	"github.com/huddlebot/huddle/internal/privfile"
	"github.com/huddlebot/huddle/internal/redact"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	waLog "go.mau.fi/whatsmeow/util/log"

	// whatsmeow's sqlstore opens the session through database/sql with
	// the pure-Go SQLite driver, registered as "sqlite", or on PostgreSQL
	// with pgx's, registered as "pgx" (a dialect dbutil reads as
	// PostgreSQL).
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// InDatabase reports whether sessionDB names a PostgreSQL database rather
// than a file: the session is kept there, where every instance of several
// finds it paired, and the lease decides which one connects.
func InDatabase(sessionDB string) bool {
	return strings.HasPrefix(sessionDB, "postgres://") || strings.HasPrefix(sessionDB, "postgresql://")
}

// sessionName names sessionDB in messages: the file's path, or for a
// database its host and name without the password.
func sessionName(sessionDB string) string {
	if !InDatabase(sessionDB) {
		return sessionDB
	}
	u, err := url.Parse(sessionDB)
	if err != nil {
		return "the PostgreSQL database"
	}
	return "the PostgreSQL database " + u.Host + u.Path
}

// session is an open whatsmeow session file.
type session struct {
	container *sqlstore.Container
	lock      *os.File
	client    *whatsmeow.Client
}

// ErrLocked says another process uses the session.
var ErrLocked = filelock.ErrLocked

// sessionDSN is the session file's address for modernc.org/sqlite: foreign
// keys on (whatsmeow's schema relies on them), WAL, a busy timeout, and
// write transactions that take the lock at BEGIN, so two writers never
// deadlock upgrading a read lock.
func sessionDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// openSession locks and opens the session file, upgrades whatsmeow's
// schema, and returns a client for its device (a new, unpaired one when the
// file holds none).
func openSession(ctx context.Context, path string, log *slog.Logger) (*session, error) {
	if path == "" {
		return nil, errors.New("whatsapp: no session_db set")
	}
	wl := slogWA{log: log}
	if InDatabase(path) {
		// No file to lock: instances share the session, and the lease
		// lets one connect at a time.
		// An error may quote the address: its password is masked.
		mask := redact.NewSecrets(redact.PasswordOf(path))
		container, err := sqlstore.New(ctx, "pgx", path, wl.Sub("store"))
		if err != nil {
			return nil, fmt.Errorf("whatsapp session in %s: %s", sessionName(path), mask.Error(err))
		}
		dev, err := container.GetFirstDevice(ctx)
		if err != nil {
			container.Close()
			return nil, fmt.Errorf("whatsapp session in %s: %s", sessionName(path), mask.Error(err))
		}
		return &session{container: container, client: whatsmeow.NewClient(dev, wl.Sub("client"))}, nil
	}
	// The session holds the linked device's keys: owner only.
	if err := privfile.Prepare(path); err != nil {
		return nil, fmt.Errorf("whatsapp session: %w", err)
	}
	lock, err := filelock.Lock(path)
	if err != nil {
		return nil, fmt.Errorf("whatsapp session: %w", err)
	}
	// sqlstore.New upgrades the schema to whatsmeow's current version.
	container, err := sqlstore.New(ctx, "sqlite", sessionDSN(path), wl.Sub("store"))
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, fmt.Errorf("whatsapp session %s: %w", path, err)
	}
	dev, err := container.GetFirstDevice(ctx)
	if err != nil {
		container.Close()
		if lock != nil {
			lock.Close()
		}
		return nil, fmt.Errorf("whatsapp session %s: %w", path, err)
	}
	return &session{container: container, lock: lock, client: whatsmeow.NewClient(dev, wl.Sub("client"))}, nil
}

// idKey is the secret message ids and poll secrets derive from: an HMAC of
// the device's identity key, so it is stable for the life of the pairing
// and unguessable to others.
func (s *session) idKey() []byte {
	mac := hmac.New(sha256.New, s.client.Store.IdentityKey.Priv[:])
	mac.Write([]byte("huddle outbox ids v1"))
	return mac.Sum(nil)
}

// setWAVersion makes whatsmeow announce ver as its WhatsApp Web version.
func setWAVersion(ver store.WAVersionContainer) { store.SetWAVersion(ver) }

// slogWA adapts slog to whatsmeow's logger. whatsmeow's info and debug
// lines are protocol detail: they go to slog's debug level.
type slogWA struct {
	log    *slog.Logger
	module string
}

// Warnf and Errorf keep phone numbers out of the logs at warning and error
// level, where whatsmeow names the JIDs it had trouble with, even under a
// logger without redact's handler. Debug lines (whatsmeow's info and
// debug) keep them, for protocol debugging.
func (l slogWA) Warnf(msg string, args ...any) {
	l.log.Warn(redact.Numbers(fmt.Sprintf(msg, args...)), "module", l.module)
}

func (l slogWA) Errorf(msg string, args ...any) {
	l.log.Error(redact.Numbers(fmt.Sprintf(msg, args...)), "module", l.module)
}

func (l slogWA) Infof(msg string, args ...any) {
	l.log.Debug(fmt.Sprintf(msg, args...), "module", l.module)
}

func (l slogWA) Debugf(msg string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug-4) {
		l.log.Log(context.Background(), slog.LevelDebug-4, fmt.Sprintf(msg, args...), "module", l.module)
	}
}

func (l slogWA) Sub(module string) waLog.Logger {
	if l.module != "" {
		module = l.module + "/" + module
	}
	return slogWA{log: l.log, module: module}
}
