package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// testParked: a channel's messages parked while their files are fetched
// are listed oldest first, a key parked twice keeps its first data,
// Unpark removes one, and erasing a member removes theirs (their id is in
// the row) and leaves others'.
func testParked(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	var amina bot.Member
	update(t, db, func(tx bot.Tx) (err error) {
		amina, err = tx.EnsureMember("whatsapp", "254700000001", "Amina", t0)
		return err
	})
	park := func(key, sender, data string, minutes int) {
		t.Helper()
		if err := db.Park(ctx, "whatsapp", key, sender, []byte(data), t0.Add(time.Duration(minutes)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	park("ev-b", "221770000002", `{"n":2}`, 2)
	park("ev-a", "254700000001", `{"n":1}`, 1)
	park("ev-a", "254700000001", `{"n":"again"}`, 3)
	list := func() []string {
		t.Helper()
		rows, err := db.Parked(ctx, "whatsapp")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, string(r))
		}
		return out
	}
	if got := list(); !slices.Equal(got, []string{`{"n":1}`, `{"n":2}`}) {
		t.Errorf("parked %q; want Amina's first data, then Brigitte's", got)
	}
	if rows, err := db.Parked(ctx, "telegram"); err != nil || len(rows) != 0 {
		t.Errorf("another channel's parked: %q, %v", rows, err)
	}
	update(t, db, func(tx bot.Tx) error { return tx.ForgetMember(amina.ID, t0) })
	if got := list(); !slices.Equal(got, []string{`{"n":2}`}) {
		t.Errorf("after Amina's erasure parked %q; want Brigitte's alone", got)
	}
	if err := db.Unpark(ctx, "whatsapp", "ev-b"); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 0 {
		t.Errorf("after Unpark parked %q", got)
	}
}
