package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/store"
)

// TestBackupUnderLoad: a backup taken while four writers commit events
// as fast as they can is a whole, consistent database: it passes SQLite's
// check, opens as a store, and holds every event committed before it began
// and none that was not committed by its end; the media come with it,
// readable by the owner alone. Restored in place of the database (the
// bot stopped), it is what huddle then runs on, and what it replaced is
// kept beside it. A backup into a folder in use, a restore while huddle
// runs and a PostgreSQL database are refused with what to do instead.
func TestBackupUnderLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "huddle.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	photo := bot.Attachment{Kind: bot.AttachPhoto, MIMEType: "image/jpeg", Data: []byte("a member's photo")}
	err = db.Update(ctx, func(tx bot.Tx) error {
		chat, member, err := tx.Arrive(bot.Event{Channel: "sim", ChatID: "ward", ChatType: bot.Group, SenderID: "amina", SenderName: "Amina"}, time.Now())
		if err != nil {
			return err
		}
		photo.MemberID, photo.ChatID = member.ID, chat.ID
		return tx.SaveAttachment(&photo)
	})
	if err != nil {
		t.Fatal(err)
	}
	photoFile := filepath.Join(photo.Hash[:2], photo.Hash)

	var committed atomic.Int64
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := db.Update(ctx, func(tx bot.Tx) error {
					_, err := tx.SeeEvent(fmt.Sprintf("w%d-%d", w, i), time.Now())
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				committed.Add(1)
			}
		})
	}
	testkit.Eventually(t, 10*time.Second, "200 events committed", func() bool { return committed.Load() >= 200 })
	before := committed.Load()
	dir := filepath.Join(t.TempDir(), "backup-1")
	got, err := store.Backup(ctx, path, dir)
	after := committed.Load()
	close(stop)
	writers.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got.Media != 1 || got.Bytes == 0 {
		t.Errorf("backed up %+v, want the database and its one photo", got)
	}
	for _, f := range []string{store.BackupFile, filepath.Join("media", photoFile)} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s in the backup: %v, %v; want it readable by its owner alone", f, info, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, store.BackupFile+".partial")); err == nil {
		t.Error("the partial copy was left behind")
	}
	events := func(p string) int64 {
		t.Helper()
		c, err := store.Open(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		counts, err := c.RowCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return counts["seen_events"]
	}
	copied := events(filepath.Join(dir, store.BackupFile))
	if copied < before || copied > after+4 {
		t.Errorf("the backup holds %d events; %d were committed when it began, %d when it ended", copied, before, after)
	}

	if _, err := store.Backup(ctx, path, dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a backup into a used folder: %v", err)
	}
	if _, err := store.Backup(ctx, "postgres://h/huddle", filepath.Join(t.TempDir(), "pg")); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("a PostgreSQL backup: %v", err)
	}
	if _, err := store.Restore(ctx, dir, path, time.Now()); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("a restore while huddle runs: %v", err)
	}
	db.Close()
	live := events(path)

	now := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	if _, err := store.Restore(ctx, dir, path, now); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "media", photoFile)); err != nil || string(data) != "a member's photo" {
		t.Errorf("the restored photo: %q, %v", data, err)
	}
	if n := events(path); n != copied {
		t.Errorf("restored: %d events, want the backup's %d", n, copied)
	}
	if n := events(path + ".replaced-20261207-093000"); n != live {
		t.Errorf("the database replaced, kept beside: %d events, want %d", n, live)
	}
}
