package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/store"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

func open(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "huddle.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func update(t *testing.T, db *store.DB, fn func(bot.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestMigratesAndReopens(t *testing.T) {
	db, path := open(t)
	v, err := db.Version(context.Background())
	if err != nil || v < 1 {
		t.Fatalf("version = %d, %v", v, err)
	}
	update(t, db, func(tx bot.Tx) error {
		_, err := tx.EnsureMember("sim", "amina", "Amina", t0)
		return err
	})
	db.Close()
	db2, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	update(t, db2, func(tx bot.Tx) error {
		m, err := tx.EnsureMember("sim", "amina", "", t0)
		if m.Name != "Amina" || m.ID != 1 {
			t.Errorf("member after reopen = %+v", m)
		}
		return err
	})
}

// TestOneProcessPerDatabase: a second open of the same file is refused
// while the first holds it, and allowed once it is closed.
func TestOneProcessPerDatabase(t *testing.T) {
	db, path := open(t)
	if _, err := store.Open(context.Background(), path); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	db.Close()
	again, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	again.Close()
}

// TestFilesPrivate: the data folder, the database and its WAL are
// created readable by their owner only, whatever the umask allows.
func TestFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "huddle.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(context.Background(), func(tx bot.Tx) error {
		_, err := tx.EnsureMember("sim", "amina", "Amina", time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
		info, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", filepath.Base(p), info.Mode().Perm(), want)
		}
	}
}

// TestOutboxRefusesTwoShapes: a message that asks for two things at once
// is refused where it is queued, and the transaction with it rolls back,
// so no channel ever meets it.
func TestOutboxRefusesTwoShapes(t *testing.T) {
	db, _ := open(t)
	ctx, now := context.Background(), time.Now()
	err := db.Update(ctx, func(tx bot.Tx) error {
		if err := tx.Enqueue(bot.Outbound{Channel: "sim", ChatID: "g", Text: "first", Key: "ok"}, now); err != nil {
			return err
		}
		return tx.Enqueue(bot.Outbound{Channel: "sim", ChatID: "g", React: "✅", Topic: "Case 1", Key: "two"}, now)
	})
	if err == nil || !strings.Contains(err.Error(), "react and topic") {
		t.Fatalf("Update = %v, want the two shapes named", err)
	}
	items, err := db.PendingOutbox(ctx, "sim", now.Add(time.Minute), 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 {
		t.Errorf("outbox holds %d messages after the refusal, want none (rolled back)", len(items))
	}
}
