package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

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

	// The live leases of a prefix: those unexpired, by name.
	for _, l := range []struct {
		name string
		at   time.Duration
	}{{"instance:one", 0}, {"instance:two", 50 * time.Second}, {"instance:three", 70 * time.Second}, {"instances", 70 * time.Second}} {
		if _, err := db.Lease(ctx, l.name, "x", ttl, now.Add(l.at)); err != nil {
			t.Fatal(err)
		}
	}
	live, err := db.LiveLeases(ctx, "instance:", now.Add(75*time.Second))
	if want := []string{"instance:three", "instance:two"}; err != nil || !slices.Equal(live, want) {
		t.Errorf("live instance: leases %q, %v; want %q (one lapsed at 30s)", live, err, want)
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

// testConcurrentFirstSight: many transactions at once (side by side on
// PostgreSQL) first see the same member and chat, and 200 new members
// each get a pseudonym: none fails, the member and the chat are made
// once, and no two members share a pseudonym.
func testConcurrentFirstSight(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 240)
	ids := make(chan int64, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Update(ctx, func(tx bot.Tx) error {
				m, err := tx.EnsureMember("sim", "amina", "Amina", t0)
				if err != nil {
					return err
				}
				ids <- m.ID
				_, err = tx.EnsureChat("sim", "dm-amina", bot.Direct, "", t0)
				return err
			})
		}()
	}
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Update(ctx, func(tx bot.Tx) error {
				_, err := tx.EnsureMember("sim", fmt.Sprint("nurse-", i), "", t0)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	seen := map[int64]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Errorf("the same member made %d times: %v", len(seen), seen)
	}
	counts, err := db.RowCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["members"] != 201 || counts["chats"] != 1 {
		t.Errorf("%d members and %d chats, want 201 and 1", counts["members"], counts["chats"])
	}
	pseudonyms := map[string]bool{}
	update(t, db, func(tx bot.Tx) error {
		for i := range 200 {
			m, err := tx.EnsureMember("sim", fmt.Sprint("nurse-", i), "", t0)
			if err != nil {
				return err
			}
			if m.Pseudonym == "" || pseudonyms[strings.ToLower(m.Pseudonym)] {
				t.Errorf("member %d's pseudonym %q is empty or another's", i, m.Pseudonym)
			}
			pseudonyms[strings.ToLower(m.Pseudonym)] = true
		}
		return nil
	})
}

// testLeaveChat: a member who left (told by their phone number, the LID
// known) is no longer listed or in the chat, the group one smaller; told
// again, nothing changes; one never seen changes nothing but the size the
// platform tells; back in the chat, they count again.
func testLeaveChat(t *testing.T, open Opener) {
	db := open(t)
	const pn, lid = "254700000001@s.whatsapp.net", "81000000000001@lid"
	ev := bot.Event{Channel: "whatsapp", ChatID: "g1@g.us", ChatType: bot.Group, SenderID: lid, SenderAlias: pn, SenderName: "Amina", ChatSize: 3}
	other := ev
	other.SenderID, other.SenderAlias, other.SenderName = "81000000000002@lid", "", "Brigitte"
	var chat bot.Chat
	var amina bot.Member
	update(t, db, func(tx bot.Tx) error {
		var err error
		if chat, amina, err = tx.Arrive(ev, t0); err != nil {
			return err
		}
		_, _, err = tx.Arrive(other, t0)
		return err
	})
	check := func(when string, members, size int, in bool) {
		t.Helper()
		update(t, db, func(tx bot.Tx) error {
			ids, err := tx.ChatMemberIDs(chat.ID, t0)
			if err != nil {
				return err
			}
			n, err := tx.ChatSize(chat.ID)
			if err != nil {
				return err
			}
			inChat, err := tx.InChat(amina.ID, chat.ID)
			if len(ids) != members || n != size || inChat != in {
				t.Errorf("%s: members %v, size %d, Amina in it %v; want %d members, size %d, in it %v", when, ids, n, inChat, members, size, in)
			}
			return err
		})
	}
	leave := func(when string, e bot.Event, wantMember int64, wantWas bool) {
		t.Helper()
		update(t, db, func(tx bot.Tx) error {
			c, m, was, err := tx.LeaveChat(e, t0.Add(time.Minute))
			if err == nil && (c.ID != chat.ID || m != wantMember || was != wantWas) {
				t.Errorf("%s: chat %d member %d was %v; want %d, %d, %v", when, c.ID, m, was, chat.ID, wantMember, wantWas)
			}
			return err
		})
	}
	byPhone := bot.Event{Channel: "whatsapp", ChatID: "g1@g.us", ChatType: bot.Group, SenderID: pn, Kind: bot.Left}
	leave("left", byPhone, amina.ID, true)
	check("after she left", 1, 2, false)
	leave("told twice", byPhone, 0, false)
	check("told twice", 1, 2, false)
	stranger := byPhone
	stranger.SenderID, stranger.ChatSize = "999@s.whatsapp.net", 1
	leave("never seen", stranger, 0, false)
	check("a stranger left", 1, 1, false)
	update(t, db, func(tx bot.Tx) error {
		_, _, _, err := tx.LeaveChat(bot.Event{Channel: "whatsapp", ChatID: "nowhere@g.us", SenderID: pn}, t0)
		if !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("a chat never seen: %v; want ErrNotFound", err)
		}
		return nil
	})
	ev.ChatSize = 2
	update(t, db, func(tx bot.Tx) error {
		_, _, err := tx.Arrive(ev, t0.Add(2*time.Minute))
		return err
	})
	check("back", 2, 2, true)
}
