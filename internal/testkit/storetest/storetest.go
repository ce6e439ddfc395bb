// Package storetest is the store conformance suite: every behaviour
// Huddle needs of a store, run against a store by Run, so that each store
// (SQLite's now, PostgreSQL's next) passes the same tests.
package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cluster"
	"github.com/huddlebot/huddle/outbox"
	"github.com/huddlebot/huddle/schedule"
	"github.com/huddlebot/huddle/store"
)

// Store is what the suite tests of a store: transactions, the outbox
// (outbox.Store), the schedule (schedule.Store), leases, and its rows
// counted by table.
type Store interface {
	outbox.Store
	schedule.Store
	bot.Leases
	// cluster.Store: chat leases, notifications, orphans.
	cluster.Store
	// RowCounts counts each table's rows.
	RowCounts(ctx context.Context) (map[string]int64, error)
	// Reports reads the figures the dashboard and huddle report show.
	Reports() *store.Reader
	// DueCases lists up to limit cases whose NextCheck has come.
	DueCases(ctx context.Context, now time.Time, limit int) ([]bot.Case, error)
	// WakeWaitingCases makes every case waiting for a mentor due (at
	// start).
	WakeWaitingCases(ctx context.Context, now time.Time) error
	// Purge removes (or with dryRun counts) what is older than before.
	Purge(ctx context.Context, before time.Time, dryRun bool, progress func(store.Purged)) ([]store.Purged, error)
	// MediaDir is the folder of members' photos and voice notes.
	MediaDir() string
	// SetRebuild and Rebuilds: when an erasure's bytes are scrubbed
	// from the store's files (SQLite's VACUUM, PostgreSQL's of the
	// tables touched), and how often that was done.
	SetRebuild(within, quiet time.Duration)
	Rebuilds() int64
	// A channel's notes (its own records).
	bot.Notebook
}

// Opener opens a new, empty store for one test; the store is closed when
// the test ends.
type Opener func(t *testing.T) Store

// Loader opens a store holding the data of the SQLite database file at
// path (the demonstration's): the file itself, or a copy of it made as
// huddle copy makes it. The store is closed when the test ends.
type Loader func(t *testing.T, path string) Store

// Run runs the suite against the stores open and load make.
func Run(t *testing.T, open Opener, load Loader) {
	t.Run("RollupsMatchRawRows", func(t *testing.T) { testRollupsMatchRawRows(t, load) })
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
		{"CaseStats", testCaseStats},
		{"WakeWaitingCases", testWakeWaitingCases},
		{"PurgeExactlyOlder", testPurgeExactlyOlder},
		{"PurgedAnswersAreNoWrongAnswer", testPurgedAnswersAreNoWrongAnswer},
		{"ChatOwnership", testChatOwnership},
		{"SimilarCases", testSimilarCases},
		{"CaseSearch", testCaseSearch},
		{"ConcurrentFirstSight", testConcurrentFirstSight},
		{"IDsNeverReused", testIDsNeverReused},
		{"ErasureScrubbed", testErasureScrubbed},
		{"LeaveChat", testLeaveChat},
		{"Notes", testNotes},
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

// testGroupCommitIsolation runs many transactions at once, some failing:

// the failing ones leave nothing, the others all commit.

// testOutboxOrder checks that a chat's messages wait behind one that is

// waiting for a retry, while other chats go on; and that a key is queued

// once.

// testTransientLeavesNoRow: a transient message (a member's data, a word

// to someone just forgotten) leaves the outbox once sent or given up; its

// file travels with it until then. Others stay, as delivery records.

// testMarkSentAfterReuse: a row deleted while it was being sent (a

// privacy notice withdrawn) leaves its id to the next row queued, as

// SQLite reuses the highest id; marking the old row sent must not mark

// the new one, which would then never be sent.

// testLease: one holder at a time; renewing keeps it; a lapsed lease goes

// to whoever asks; a released one at once; and of many asking together,

// exactly one gets a free lease.

// testArrive: first sight creates chat, member and membership; later

// events resolve the same rows; a new title or name is written; a member

// new to a known chat joins it.

// testAliases checks that one person is one member whichever address

// arrives: first by phone number only, then by LID with the phone number

// as alias (the member is re-keyed), then by phone number again (found by

// alias), in groups and in the private chat.

// testCaseStats checks the case figures' medians and 90th percentiles on

// cases with known waits: first peer replies 1 to 10 minutes after opening.

// testWakeWaitingCases: at start every case waiting for a mentor is due at

// once; assigned, answered and not escalated cases keep their times.

// testPurgeExactlyOlder puts three of each kind of purged data in a real

// database, one millisecond before the cutoff, at it and after it. A dry

// run counts one of each, the purge removes those, and the two others of

// each are left whole.

// sameJSON reports whether a JSON document holds the same as want, in any
// key order or spacing (PostgreSQL's JSONB keeps neither).
func sameJSON(doc []byte, want string) bool {
	var a, b any
	if json.Unmarshal(doc, &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}
