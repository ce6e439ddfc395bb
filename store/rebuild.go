package store

import (
	"strings"
	"sync/atomic"
	"time"
)

// After an erasure (a member forgotten, a case removed, a retention purge,
// the word to a member just forgotten), SQLite's file is rebuilt (VACUUM)
// so that no page keeps an erased row's bytes: secure_delete zeroes the
// cells SQLite frees, but a page it rebalances can keep an old row's head
// in its unused space. The rebuild copies the whole file and holds every
// other write while it runs, so erasures are gathered: the rebuild comes
// at the first quiet minute after the first of them (no commit for
// RebuildQuiet), and at the latest RebuildWithin after it, busy or not.
// The WAL is emptied at once after each erasure all the same.
const (
	// DefaultRebuildWithin bounds how long an erased member's bytes can
	// remain in the database file.
	DefaultRebuildWithin = time.Hour
	// DefaultRebuildQuiet is how long without a commit makes a quiet
	// minute.
	DefaultRebuildQuiet = time.Minute
)

// rebuildClock is when the store last committed and when the oldest
// erasure not yet rebuilt came, in Unix nanoseconds (0: none).
type rebuildClock struct {
	lastCommit, since atomic.Int64
	within, quiet     atomic.Int64 // durations
	rebuilds          atomic.Int64 // VACUUMs made, for tests
}

// SetRebuild sets how long an erasure may wait for the file's rebuild at
// most (within) and the quiet that lets it come sooner (quiet); zero
// keeps the default. Tests that read the file right after an erasure set
// both tiny.
func (d *DB) SetRebuild(within, quiet time.Duration) {
	if within <= 0 {
		within = DefaultRebuildWithin
	}
	if quiet <= 0 {
		quiet = DefaultRebuildQuiet
	}
	d.rb.within.Store(int64(within))
	d.rb.quiet.Store(int64(quiet))
}

// Rebuilds counts the rebuilds (VACUUM) made since Open.
func (d *DB) Rebuilds() int64 { return d.rb.rebuilds.Load() }

// askRebuild asks for the file's rebuild after the commit, and for the
// WAL's emptying at once.
func (d *DB) askRebuild() {
	d.rb.since.CompareAndSwap(0, time.Now().UnixNano())
	d.rebuild.Store(true)
	d.truncate.Store(true)
}

// untilRebuild is how long the asked-for rebuild may wait yet, at now: 0
// when due.
func (d *DB) untilRebuild(now time.Time) time.Duration {
	since := d.rb.since.Load()
	if since == 0 {
		since = now.UnixNano()
	}
	within, quiet := time.Duration(d.rb.within.Load()), time.Duration(d.rb.quiet.Load())
	if within <= 0 {
		within = DefaultRebuildWithin
	}
	if quiet <= 0 {
		quiet = DefaultRebuildQuiet
	}
	deadline := time.Unix(0, since).Add(within)
	quietAt := time.Unix(0, max(d.rb.lastCommit.Load(), since)).Add(quiet)
	return max(min(deadline.Sub(now), quietAt.Sub(now)), 0)
}

// erasedTables are the tables an erasure deletes rows from or rewrites.
var erasedTables = []string{"members", "answers", "run_members", "runs", "timers", "engagement", "member_weeks", "program_weeks",
	"chat_members", "chats", "outbox", "seen_events", "consents", "cases", "case_posts", "case_messages", "pending_cases",
	"case_search", "attachments", "certificates", "review_cards", "review_log", "review_prefs", "mentor_digests", "mentors", "staff",
	"course_results", "badges", "assignments", "chat_days", "week_counts", "channel_notes"}

// vacuumErased runs PostgreSQL's VACUUM on the tables an erasure touched,
// in the background: it prunes the erased rows' versions, which the
// server otherwise keeps until its autovacuum comes, so their space is
// reused sooner. It takes no lock that holds other work. It does not
// scrub the bytes from the server's files (docs/privacy.md says what
// does: VACUUM FULL, and the WAL's and backups' own retention).
func (d *DB) vacuumErased() {
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		if _, err := d.write.Exec(`VACUUM ` + strings.Join(erasedTables, ", ")); err == nil {
			d.rb.rebuilds.Add(1)
		}
	}()
}
