package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// testChatOwnership: a chat's lease is named without its platform id; a
// chat with work waiting (a message due) and no owner is an orphan until
// an instance takes it, and again once its lease lapses; renewal extends
// only the holder's leases; messages and timers carry their chat's lease.
func testChatOwnership(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	now := t0
	const ttl = 15 * time.Second
	ward, dm := db.ChatLease(bot.ChatKey("whatsapp", "120363@g.us")), db.ChatLease(bot.ChatKey("whatsapp", "254722123456@s.whatsapp.net"))
	if ward == dm || ward != db.ChatLease(bot.ChatKey("whatsapp", "120363@g.us")) {
		t.Fatalf("lease names %q and %q: want one per chat, the same each time", ward, dm)
	}
	for _, l := range []string{ward, dm} {
		if !strings.HasPrefix(l, db.ChatLeasePrefix()) || strings.Contains(l, "254722") || strings.Contains(l, "120363") {
			t.Errorf("lease name %q: want the prefix %q and no platform id", l, db.ChatLeasePrefix())
		}
	}

	// A message waits for each chat.
	for i, chat := range []string{"120363@g.us", "254722123456@s.whatsapp.net"} {
		update(t, db, func(tx bot.Tx) error {
			return tx.Enqueue(bot.Outbound{Channel: "whatsapp", ChatID: chat, Text: "hi", Key: fmt.Sprint("wa", i)}, now)
		})
	}
	// orphans lists the chats without an owner at at, but those of the
	// channels in except, as lease:channel.
	orphans := func(at time.Time, except ...string) []string {
		t.Helper()
		got, err := db.Orphans(ctx, at, 10, except)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range got {
			out = append(out, o.Lease+":"+o.Channel)
		}
		return out
	}
	if got := orphans(now); !slices.Equal(got, sorted(ward+":whatsapp", dm+":whatsapp")) {
		t.Errorf("orphans = %q; want both chats, on WhatsApp", got)
	}
	if got := orphans(now, "whatsapp"); len(got) != 0 {
		t.Errorf("orphans but WhatsApp's = %q; want none (an instance not leading WhatsApp adopts none)", got)
	}
	if got, err := db.Lease(ctx, ward, "i1", ttl, now); !got || err != nil {
		t.Fatalf("i1 took the ward: %v, %v", got, err)
	}
	if got := orphans(now, "sim"); !slices.Equal(got, []string{dm + ":whatsapp"}) {
		t.Errorf("orphans once i1 holds the ward = %q, want the private chat", got)
	}
	// Renewal: only the holder's leases, only those still held.
	if got, _ := db.Lease(ctx, dm, "i2", ttl, now); !got {
		t.Fatal("i2 did not get the private chat")
	}
	// i2 sends the private chat's message: no work waits for it then.
	items, err := db.PendingOutbox(ctx, "whatsapp", now, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ChatID == "254722123456@s.whatsapp.net" {
			if err := db.MarkSent(ctx, it, "wamid.1", now); err != nil {
				t.Fatal(err)
			}
		}
	}
	later := now.Add(10 * time.Second)
	names, err := db.RenewLeases(ctx, "i1", db.ChatLeasePrefix(), ttl, later)
	if err != nil || !slices.Equal(names, []string{ward}) {
		t.Errorf("i1 renewed %q, %v; want the ward only", names, err)
	}
	// Renewed at 10 s, the ward is i1's until 25 s: at 20 s i2 cannot take
	// it, and nothing is an orphan; at 25 s, unrenewed, it is.
	if got, _ := db.Lease(ctx, ward, "i2", ttl, now.Add(20*time.Second)); got {
		t.Error("i2 took the ward i1 had renewed")
	}
	if got := orphans(now.Add(20 * time.Second)); len(got) != 0 {
		t.Errorf("orphans at 20 s = %q, want none", got)
	}
	if got := orphans(now.Add(25 * time.Second)); !slices.Equal(got, []string{ward + ":whatsapp"}) {
		t.Errorf("orphans at 25 s = %q, want the ward, its lease lapsed with a message waiting", got)
	}
	if names, _ := db.RenewLeases(ctx, "i1", db.ChatLeasePrefix(), ttl, now.Add(26*time.Second)); len(names) != 0 {
		t.Errorf("i1 renewed %q after its lease lapsed; want none (another may hold it)", names)
	}

	// A message and a timer carry their chat's lease: with no owner, the
	// chat is an orphan for them too.
	update(t, db, func(tx bot.Tx) error {
		chat, err := tx.EnsureChat("sim", "ward-2", bot.Group, "Ward 2", now)
		if err != nil {
			return err
		}
		run := &bot.Run{LessonID: "l", ChatID: chat.ID, Mode: "group", Status: bot.RunActive, State: []byte("{}"), Started: now, Updated: now}
		if err := tx.CreateRun(run); err != nil {
			return err
		}
		return tx.AddTimer(bot.Timer{RunID: run.ID, Seq: 1, Due: now.Add(time.Minute)})
	})
	update(t, db, func(tx bot.Tx) error {
		return tx.Enqueue(bot.Outbound{Channel: "sim", ChatID: "dm-3", Text: "hi", Key: "k1"}, now.Add(2*time.Minute))
	})
	at := now.Add(3 * time.Minute)
	got := orphans(at)
	for _, l := range []string{db.ChatLease(bot.ChatKey("sim", "ward-2")), db.ChatLease(bot.ChatKey("sim", "dm-3"))} {
		if !slices.Contains(got, l+":sim") {
			t.Errorf("orphans %q lack %q on sim: a due timer or message names its chat's lease", got, l)
		}
	}
	if got := orphans(at, "sim", "whatsapp"); len(got) != 0 {
		t.Errorf("orphans but the simulator's and WhatsApp's = %q, want none", got)
	}
}

// sorted returns its arguments sorted.
func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
