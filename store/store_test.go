package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
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

func TestSeeEvent(t *testing.T) {
	db, _ := open(t)
	for i, want := range []bool{true, false, false} {
		update(t, db, func(tx bot.Tx) error {
			first, err := tx.SeeEvent("telegram:1:2:3", t0)
			if first != want {
				t.Errorf("delivery %d: first = %v, want %v", i, first, want)
			}
			return err
		})
	}
}

// TestGroupCommitIsolation runs many transactions at once, some failing:
// the failing ones leave nothing, the others all commit.
func TestGroupCommitIsolation(t *testing.T) {
	db, _ := open(t)
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Update(context.Background(), func(tx bot.Tx) error {
				if _, err := tx.SeeEvent(fmt.Sprintf("e%d", i), t0); err != nil {
					return err
				}
				if i%3 == 0 {
					return errors.New("planned failure")
				}
				if i%7 == 0 {
					panic("planned panic")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		failed := i%3 == 0 || i%7 == 0
		if (err != nil) != failed {
			t.Errorf("transaction %d: err = %v, want failure %v", i, err, failed)
		}
		update(t, db, func(tx bot.Tx) error {
			first, err := tx.SeeEvent(fmt.Sprintf("e%d", i), t0)
			if first != failed {
				t.Errorf("transaction %d: kept = %v, want %v", i, !first, !failed)
			}
			return err
		})
	}
}

func TestAnswerOncePerVisit(t *testing.T) {
	db, _ := open(t)
	update(t, db, func(tx bot.Tx) error {
		chat, _ := tx.EnsureChat("sim", "g", bot.Group, "G", t0)
		m, _ := tx.EnsureMember("sim", "a", "A", t0)
		run := bot.Run{LessonID: "l", ChatID: chat.ID, Mode: "group", Status: bot.RunActive, State: []byte("{}"), Started: t0, Updated: t0}
		if err := tx.CreateRun(&run); err != nil {
			return err
		}
		a := bot.Answer{RunID: run.ID, MemberID: m.ID, StepID: "q1", Seq: 2, Value: "1", Correct: true, Points: 1, MaxPoints: 1, At: t0}
		if err := tx.SaveAnswer(a); err != nil {
			return err
		}
		if err := tx.SaveAnswer(a); !errors.Is(err, bot.ErrDuplicate) {
			t.Errorf("second answer: %v, want ErrDuplicate", err)
		}
		a.Seq = 5 // the same step visited again after a goto
		if err := tx.SaveAnswer(a); err != nil {
			t.Errorf("answer on a later visit: %v", err)
		}
		second := run
		if err := tx.CreateRun(&second); !errors.Is(err, bot.ErrDuplicate) {
			t.Errorf("second active run in a chat: %v, want ErrDuplicate", err)
		}
		rows, err := tx.MemberProgress(m.ID)
		if len(rows) != 1 || rows[0].Answered != 2 || rows[0].Points != 2 {
			t.Errorf("progress = %+v", rows)
		}
		return err
	})
}

// TestOutboxOrder checks that a chat's messages wait behind one that is
// waiting for a retry, while other chats go on; and that a key is queued
// once.
func TestOutboxOrder(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	update(t, db, func(tx bot.Tx) error {
		for i, chat := range []string{"a", "b", "a", "b", "a"} {
			m := bot.Outbound{Channel: "sim", ChatID: chat, Text: fmt.Sprint(i), Key: fmt.Sprint("k", i)}
			if err := tx.Enqueue(m, t0); err != nil {
				return err
			}
			if err := tx.Enqueue(m, t0); err != nil { // the same key again
				return err
			}
		}
		return nil
	})
	items, err := db.PendingOutbox(ctx, "sim", t0, 100, nil)
	if err != nil || len(items) != 5 {
		t.Fatalf("pending = %d, %v; want 5", len(items), err)
	}
	// The sender's busy chats are left out, but count towards the limit.
	var asked []string
	skipA := func(chat, key string) bool { asked = append(asked, chat+":"+key); return chat == "a" }
	onlyB, err := db.PendingOutbox(ctx, "sim", t0, 4, skipA)
	if err != nil || len(onlyB) != 2 || onlyB[0].Text != "1" || onlyB[1].Text != "3" {
		t.Errorf("pending skipping a = %+v, %v; want b's 1 and 3", onlyB, err)
	}
	if fmt.Sprint(asked) != "[a:k0 b:k1 a:k2 b:k3]" {
		t.Errorf("skip asked about %v; want the first 4 rows' chats and keys", asked)
	}
	// The first message to chat a fails and waits a minute.
	if err := db.MarkRetry(ctx, items[0], "network", t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	items, _ = db.PendingOutbox(ctx, "sim", t0.Add(time.Second), 100, nil)
	var got []string
	for _, it := range items {
		got = append(got, it.ChatID+it.Text)
	}
	if fmt.Sprint(got) != "[b1 b3]" {
		t.Errorf("pending while a's head waits = %v, want [b1 b3]", got)
	}
	items, _ = db.PendingOutbox(ctx, "sim", t0.Add(2*time.Minute), 100, nil)
	if len(items) != 5 || items[0].Text != "0" || items[0].Attempts != 1 {
		t.Errorf("after the wait: %+v", items)
	}
	for _, it := range items {
		db.MarkSent(ctx, it, "p"+it.Text, t0)
	}
	if items, _ := db.PendingOutbox(ctx, "sim", t0.Add(time.Hour), 100, nil); len(items) != 0 {
		t.Errorf("sent messages are pending again: %+v", items)
	}
}

// TestTransientLeavesNoRow: a transient message (a member's data, a word
// to someone just forgotten) leaves the outbox once sent or given up; its
// file travels with it until then. Others stay, as delivery records.
func TestTransientLeavesNoRow(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	file := &bot.File{Name: "huddle-mydata.json", MIMEType: "application/json", Data: []byte(`{"a":1}`)}
	update(t, db, func(tx bot.Tx) error {
		for i, transient := range []bool{true, true, false, false} {
			m := bot.Outbound{Channel: "sim", ChatID: fmt.Sprint("c", i), Text: fmt.Sprint(i), Key: fmt.Sprint("k", i), Transient: transient, File: file}
			if err := tx.Enqueue(m, t0); err != nil {
				return err
			}
		}
		return nil
	})
	items, err := db.PendingOutbox(ctx, "sim", t0, 100, nil)
	if err != nil || len(items) != 4 {
		t.Fatalf("pending = %d, %v; want 4", len(items), err)
	}
	if f := items[0].File; f == nil || f.Name != file.Name || string(f.Data) != string(file.Data) {
		t.Errorf("the file came back from the outbox as %+v", f)
	}
	// One of each kind is sent, the other given up.
	for i, it := range items {
		if i%2 == 0 {
			err = db.MarkSent(ctx, it, "p"+it.Text, t0)
		} else {
			err = db.MarkRetry(ctx, it, "blocked", t0, time.Time{})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	counts, err := db.RowCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["outbox"] != 2 {
		t.Errorf("%d outbox rows; want the 2 that are not transient", counts["outbox"])
	}
	for _, key := range []string{"k2", "k3"} {
		if _, settled, err := db.SentID(ctx, key); err != nil || !settled {
			t.Errorf("message %s: settled %v, %v", key, settled, err)
		}
	}
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

// TestMarkSentAfterReuse: a row deleted while it was being sent (a
// privacy notice withdrawn) leaves its id to the next row queued, as
// SQLite reuses the highest id; marking the old row sent must not mark
// the new one, which would then never be sent.
func TestMarkSentAfterReuse(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	enqueue := func(key string) {
		t.Helper()
		err := db.Update(ctx, func(tx bot.Tx) error {
			return tx.Enqueue(bot.Outbound{Channel: "sim", ChatID: "dm-chipo", Text: key, Key: key}, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	enqueue("consent:a:notice")
	items, err := db.PendingOutbox(ctx, "sim", t0, 10, nil)
	if err != nil || len(items) != 1 {
		t.Fatalf("pending = %v, %v", items, err)
	}
	old := items[0]
	if err := db.Update(ctx, func(tx bot.Tx) error { return tx.DropConsentNotices("sim", "dm-chipo") }); err != nil {
		t.Fatal(err)
	}
	enqueue("consent:b:notice")
	if err := db.MarkSent(ctx, old, "p1", t0); err != nil {
		t.Fatal(err)
	}
	items, err = db.PendingOutbox(ctx, "sim", t0, 10, nil)
	if err != nil || len(items) != 1 || items[0].Key != "consent:b:notice" {
		t.Fatalf("pending after marking the deleted row sent = %+v, %v; want the new notice (id %d reused: %v)", items, err, old.ID, len(items) == 1 && items[0].ID == old.ID)
	}
	t.Logf("id %d reused: %v", old.ID, items[0].ID == old.ID)
}
