package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

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
