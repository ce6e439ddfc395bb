package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/report"
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

// TestCaseStats checks the case figures' medians and 90th percentiles on
// cases with known waits: first peer replies 1 to 10 minutes after opening.
func TestCaseStats(t *testing.T) {
	db, _ := open(t)
	update(t, db, func(tx bot.Tx) error {
		chat, m, err := tx.Arrive(bot.Event{Channel: "sim", ChatID: "ward", ChatType: bot.Group, SenderID: "amina"}, t0)
		if err != nil {
			return err
		}
		mentor, err := tx.EnsureMember("sim", "mentor", "Dr Kamau", t0)
		if err != nil {
			return err
		}
		for i := 1; i <= 10; i++ {
			c := bot.Case{ChatID: chat.ID, AuthorID: m.ID, Text: "case", Status: bot.CaseOpen, Created: t0}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
			c.FirstReply = t0.Add(time.Duration(i) * time.Minute)
			if i <= 4 { // four escalated: assigned after i hours, answered after 2i hours
				c.Escalated, c.Assigned, c.FirstAnswer = t0, t0.Add(time.Duration(i)*time.Hour), t0.Add(time.Duration(2*i)*time.Hour)
				c.AssignedTo, c.Status = mentor.ID, bot.CaseAnswered
			}
			if err := tx.SaveCase(&c); err != nil {
				return err
			}
		}
		return nil
	})
	rd := db.Reports()
	f, err := rd.CaseStats(context.Background(), report.Range{From: t0, To: t0.Add(24 * time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := report.CaseFigures{Cases: 10, Escalated: 4, Answered: 4,
		FirstReply: report.Durations{Count: 10, Median: 5 * time.Minute, P90: 9 * time.Minute},
		ToMentor:   report.Durations{Count: 4, Median: 2 * time.Hour, P90: 4 * time.Hour},
		ToAnswer:   report.Durations{Count: 4, Median: 4 * time.Hour, P90: 8 * time.Hour}}
	if f != want {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
	loads, err := rd.MentorLoads(context.Background(), report.Range{From: t0, To: t0.Add(24 * time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(loads) != 1 || loads[0].Name != "Dr Kamau" || loads[0].Assigned != 4 || loads[0].Answered != 4 || loads[0].MedianAnswer != 2*time.Hour {
		t.Errorf("mentor loads %+v", loads)
	}
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

// TestWakeWaitingCases: at start every case waiting for a mentor is due at
// once; assigned, answered and not escalated cases keep their times.
func TestWakeWaitingCases(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	later := t0.Add(15 * time.Minute)
	ids := map[string]int64{}
	err := db.Update(ctx, func(tx bot.Tx) error {
		chat, err := tx.EnsureChat("sim", "ward", bot.Group, "Ward", t0)
		if err != nil {
			return err
		}
		for _, name := range []string{"waiting", "assigned", "fresh"} {
			c := bot.Case{ChatID: chat.ID, Queue: "obstetrics", Text: name, Status: bot.CaseOpen, Created: t0}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
			c.NextCheck = later
			switch name {
			case "waiting":
				c.Escalated = t0
			case "assigned":
				c.Escalated, c.Status, c.Assigned = t0, bot.CaseAssigned, t0
				m, err := tx.EnsureMember("sim", "mentor", "Mentor", t0)
				if err != nil {
					return err
				}
				c.AssignedTo = m.ID
			}
			if err := tx.SaveCase(&c); err != nil {
				return err
			}
			ids[name] = c.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.WakeWaitingCases(ctx, t0); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueCases(ctx, t0, 10)
	if err != nil || len(due) != 1 || due[0].ID != ids["waiting"] {
		t.Errorf("due at once: %+v (%v); want only the waiting case %d", due, err, ids["waiting"])
	}
}
