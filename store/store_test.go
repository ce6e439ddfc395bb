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

func TestMigrateChat(t *testing.T) {
	db, _ := open(t)
	update(t, db, func(tx bot.Tx) error {
		old, _ := tx.EnsureChat("telegram", "-4001", bot.Group, "Ward", t0)
		m, _ := tx.EnsureMember("telegram", "11", "A", t0)
		tx.JoinChat(old.ID, m.ID, t0)
		run := bot.Run{LessonID: "l", ChatID: old.ID, Mode: "group", Status: bot.RunActive, State: []byte("{}"), Started: t0, Updated: t0}
		tx.CreateRun(&run)
		tx.Enqueue(bot.Outbound{Channel: "telegram", ChatID: "-4001", Text: "q", Key: "k"}, t0)
		// The new supergroup's first message arrived before the notice.
		tx.EnsureChat("telegram", "-1004001", bot.Group, "Ward", t0)
		if err := tx.MigrateChat("telegram", "-4001", "-1004001"); err != nil {
			return err
		}
		moved, err := tx.EnsureChat("telegram", "-1004001", bot.Group, "", t0)
		if err != nil {
			return err
		}
		if r, err := tx.ActiveRun(moved.ID); err != nil || r.ID != run.ID {
			t.Errorf("run after migration = %+v, %v", r, err)
		}
		if ms, _ := tx.ChatMemberIDs(moved.ID, t0); len(ms) != 1 {
			t.Errorf("members after migration = %+v", ms)
		}
		return nil
	})
	items, _ := db.PendingOutbox(context.Background(), "telegram", t0, 10, nil)
	if len(items) != 1 || items[0].ChatID != "-1004001" {
		t.Errorf("pending message after migration = %+v", items)
	}
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

// TestArrive: first sight creates chat, member and membership; later
// events resolve the same rows; a new title or name is written; a member
// new to a known chat joins it.
func TestArrive(t *testing.T) {
	db, _ := open(t)
	ev := bot.Event{Channel: "telegram", ChatID: "-7", ChatType: bot.Group, ChatTitle: "Ward 7", SenderID: "11", SenderName: "Amina"}
	var first bot.Member
	var chatID int64
	update(t, db, func(tx bot.Tx) error {
		c, m, err := tx.Arrive(ev, t0)
		first, chatID = m, c.ID
		if c.Title != "Ward 7" || c.Type != bot.Group || m.Name != "Amina" {
			t.Errorf("first sight: %+v %+v", c, m)
		}
		return err
	})
	ev.ChatTitle, ev.SenderName = "Ward 7 midwives", "Amina O."
	update(t, db, func(tx bot.Tx) error {
		c, m, err := tx.Arrive(ev, t0.Add(time.Minute))
		if c.ID != chatID || m.ID != first.ID || c.Title != "Ward 7 midwives" || m.Name != "Amina O." {
			t.Errorf("renamed: %+v %+v", c, m)
		}
		return err
	})
	update(t, db, func(tx bot.Tx) error {
		c, m, err := tx.Arrive(ev, t0.Add(2*time.Minute))
		if c.ID != chatID || m.ID != first.ID || c.Title != "Ward 7 midwives" || m.Name != "Amina O." {
			t.Errorf("known: %+v %+v", c, m)
		}
		return err
	})
	ev.SenderID, ev.SenderName = "12", "Brigitte"
	update(t, db, func(tx bot.Tx) error {
		c, m, err := tx.Arrive(ev, t0.Add(3*time.Minute))
		if err != nil {
			return err
		}
		ids, err := tx.ChatMemberIDs(c.ID, t0)
		if len(ids) != 2 || m.ID == first.ID {
			t.Errorf("a second member: %+v, members %v", m, ids)
		}
		return err
	})
}

// TestAliases checks that one person is one member whichever address
// arrives: first by phone number only, then by LID with the phone number
// as alias (the member is re-keyed), then by phone number again (found by
// alias), in groups and in the private chat.
func TestAliases(t *testing.T) {
	db, _ := open(t)
	const pn, lid = "254700000001@s.whatsapp.net", "81000000000001@lid"
	ev := func(chat, sender, alias string) bot.Event {
		return bot.Event{Channel: "whatsapp", ChatID: chat, ChatType: bot.Group, SenderID: sender, SenderAlias: alias, SenderName: "Amina"}
	}
	var ids []int64
	for i, e := range []bot.Event{
		ev("g1@g.us", pn, ""),  // an old group, by phone number
		ev("g1@g.us", lid, pn), // the LID arrives with the phone number
		ev("g2@g.us", pn, ""),  // by phone number again, another group
		ev("g2@g.us", lid, pn), // and by LID there
		ev("g1@g.us", lid, ""), // LID alone
	} {
		update(t, db, func(tx bot.Tx) error {
			_, m, err := tx.Arrive(e, t0.Add(time.Duration(i)*2*time.Hour))
			if err != nil {
				return err
			}
			ids = append(ids, m.ID)
			if i > 0 && (m.PlatformID != lid || m.Alias != pn) {
				t.Errorf("event %d: member %q alias %q; want %q alias %q", i, m.PlatformID, m.Alias, lid, pn)
			}
			return nil
		})
	}
	for i, id := range ids {
		if id != ids[0] {
			t.Fatalf("event %d made member %d; want the one member %d: %v", i, id, ids[0], ids)
		}
	}
	// Another person's LID claiming the same phone number leaves both as
	// they are rather than failing the message.
	update(t, db, func(tx bot.Tx) error {
		_, m, err := tx.Arrive(ev("g1@g.us", "81000000000009@lid", pn), t0.Add(12*time.Hour))
		if err != nil {
			return err
		}
		if m.ID == ids[0] || m.Alias != "" {
			t.Errorf("a second LID took member %d with alias %q", m.ID, m.Alias)
		}
		return nil
	})
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
