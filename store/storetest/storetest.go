// Package storetest is the store conformance suite: every behaviour
// Huddle needs of a store, run against a store by Run, so that each store
// (SQLite's now, PostgreSQL's next) passes the same tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Store is what the suite tests of a store: transactions, the outbox and
// the schedule (bot.Store), leases, and its rows counted by table.
type Store interface {
	bot.Store
	bot.Leases
	// RowCounts counts each table's rows.
	RowCounts(ctx context.Context) (map[string]int64, error)
}

// Opener opens a new, empty store for one test; the store is closed when
// the test ends.
type Opener func(t *testing.T) Store

// Run runs the suite against the stores open makes.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Opener)
	}{
		{"SeeEvent", testSeeEvent},
		{"GroupCommitIsolation", testGroupCommitIsolation},
		{"AnswerOncePerVisit", testAnswerOncePerVisit},
		{"OutboxOrder", testOutboxOrder},
		{"TransientLeavesNoRow", testTransientLeavesNoRow},
		{"MarkSentAfterReuse", testMarkSentAfterReuse},
		{"Lease", testLease},
		{"MigrateChat", testMigrateChat},
		{"Arrive", testArrive},
		{"Aliases", testAliases},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, open) })
	}
}

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

// update runs fn in one transaction, failing the test on an error.
func update(t *testing.T, db Store, fn func(bot.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func testSeeEvent(t *testing.T, open Opener) {
	db := open(t)
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

// testGroupCommitIsolation runs many transactions at once, some failing:
// the failing ones leave nothing, the others all commit.
func testGroupCommitIsolation(t *testing.T, open Opener) {
	db := open(t)
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

func testAnswerOncePerVisit(t *testing.T, open Opener) {
	db := open(t)
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

// testOutboxOrder checks that a chat's messages wait behind one that is
// waiting for a retry, while other chats go on; and that a key is queued
// once.
func testOutboxOrder(t *testing.T, open Opener) {
	db := open(t)
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

// testTransientLeavesNoRow: a transient message (a member's data, a word
// to someone just forgotten) leaves the outbox once sent or given up; its
// file travels with it until then. Others stay, as delivery records.
func testTransientLeavesNoRow(t *testing.T, open Opener) {
	db := open(t)
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

// testMarkSentAfterReuse: a row deleted while it was being sent (a
// privacy notice withdrawn) leaves its id to the next row queued, as
// SQLite reuses the highest id; marking the old row sent must not mark
// the new one, which would then never be sent.
func testMarkSentAfterReuse(t *testing.T, open Opener) {
	db := open(t)
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

// testLease: one holder at a time; renewing keeps it; a lapsed lease goes
// to whoever asks; a released one at once; and of many asking together,
// exactly one gets a free lease.
func testLease(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	const ttl = 30 * time.Second
	steps := []struct {
		holder string
		at     time.Duration
		want   bool
	}{
		{"a", 0, true},
		{"b", 10 * time.Second, false}, // a holds it
		{"a", 20 * time.Second, true},  // renewed to 50 s
		{"b", 45 * time.Second, false},
		{"b", 50 * time.Second, true}, // a let it lapse
		{"a", 55 * time.Second, false},
	}
	for _, s := range steps {
		got, err := db.Lease(ctx, "whatsapp", s.holder, ttl, now.Add(s.at))
		if err != nil || got != s.want {
			t.Fatalf("%s at %v: %v, %v; want %v", s.holder, s.at, got, err, s.want)
		}
	}
	if err := db.Release(ctx, "whatsapp", "a"); err != nil { // not a's: nothing
		t.Fatal(err)
	}
	if got, _ := db.Lease(ctx, "whatsapp", "a", ttl, now.Add(56*time.Second)); got {
		t.Fatal("a released b's lease")
	}
	if err := db.Release(ctx, "whatsapp", "b"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Lease(ctx, "whatsapp", "a", ttl, now.Add(57*time.Second)); !got {
		t.Fatal("a did not get a released lease")
	}

	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := db.Lease(ctx, "race", string(rune('A'+i)), ttl, now); err == nil && ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d of 20 got one free lease", won.Load())
	}
}

func testMigrateChat(t *testing.T, open Opener) {
	db := open(t)
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

// testArrive: first sight creates chat, member and membership; later
// events resolve the same rows; a new title or name is written; a member
// new to a known chat joins it.
func testArrive(t *testing.T, open Opener) {
	db := open(t)
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

// testAliases checks that one person is one member whichever address
// arrives: first by phone number only, then by LID with the phone number
// as alias (the member is re-keyed), then by phone number again (found by
// alias), in groups and in the private chat.
func testAliases(t *testing.T, open Opener) {
	db := open(t)
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
