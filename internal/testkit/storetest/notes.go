package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// testNotes: a channel's notes (bot.Notebook) are listed oldest first and
// by prefix, a key written twice keeps its last data, a write deletes
// and keeps together, another channel's notes stay apart, and erasing a
// member removes the notes about them and leaves others'.
func testNotes(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	var amina bot.Member
	update(t, db, func(tx bot.Tx) (err error) {
		amina, err = tx.EnsureMember("sms", "+254700000001", "Amina", t0)
		return err
	})
	note := func(key, member, data string, minutes int) bot.Note {
		return bot.Note{Key: key, Member: member, Data: []byte(data), At: t0.Add(time.Duration(minutes) * time.Minute)}
	}
	write := func(put []bot.Note, drop ...string) {
		t.Helper()
		if err := db.WriteNotes(ctx, "sms", put, drop); err != nil {
			t.Fatal(err)
		}
	}
	list := func(channel, prefix string, limit int) []string {
		t.Helper()
		notes, err := db.Notes(ctx, channel, prefix, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range notes {
			out = append(out, n.Key+"="+string(n.Data))
		}
		return out
	}
	write([]bot.Note{note("q/2", "+221770000002", `{"n":2}`, 2), note("q/1", "+254700000001", `{"n":1}`, 1),
		note("stop/+221770000002", "+221770000002", `{}`, 0)})
	write([]bot.Note{note("q/1", "+254700000001", `{"n":"again"}`, 3)})
	if got := list("sms", "q/", 0); !slices.Equal(got, []string{`q/2={"n":2}`, `q/1={"n":"again"}`}) {
		t.Errorf("notes %q; want q/2, then q/1 rewritten later", got)
	}
	if got := list("sms", "q/", 1); !slices.Equal(got, []string{`q/2={"n":2}`}) {
		t.Errorf("notes with limit 1: %q", got)
	}
	if got := list("telegram", "", 0); len(got) != 0 {
		t.Errorf("another channel's notes: %q", got)
	}
	update(t, db, func(tx bot.Tx) error { return tx.ForgetMember(amina.ID, t0) })
	if got := list("sms", "", 0); !slices.Equal(got, []string{`stop/+221770000002={}`, `q/2={"n":2}`}) {
		t.Errorf("after Amina's erasure notes %q; want the others' alone", got)
	}
	write([]bot.Note{note("d/x", "", `{}`, 4)}, "q/2", "stop/+221770000002")
	if got := list("sms", "", 0); !slices.Equal(got, []string{`d/x={}`}) {
		t.Errorf("after a write that drops two and keeps one: %q", got)
	}
}
