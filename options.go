package huddle

import (
	"io/fs"
	"log/slog"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/course"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/review"
	"github.com/huddlebot/huddle/store"
)

// DefaultDatabase is the SQLite file used when Options names none.
const DefaultDatabase = "data/huddle.db"

// Options says what New wires. The zero value runs the built-in lessons on
// data/huddle.db, with no channel and no web server: give at least one
// channel.
type Options struct {
	// Database is the SQLite file everything is kept in, DefaultDatabase
	// when empty, or a PostgreSQL database's postgres:// URL. Store, when
	// set, is used instead (already open: the App does not close it).
	Database string
	Store    *store.DB
	// Instance names this instance among several sharing a PostgreSQL
	// database (each chat is owned by one instance at a time: package
	// cluster); the host's name when empty. Names must differ.
	Instance string
	// ChatLease is how long a chat's lease lasts unrenewed: how long the
	// chats of an instance that died wait for another; 15s when zero.
	ChatLease time.Duration
	// DatabaseWriters is how many transactions the instances sharing a
	// PostgreSQL database run at once, together: each runs its share (at
	// least 4), so that adding an instance does not crowd the database
	// with connections; 16 when zero (a single instance's). Raise it when
	// the database has many cores, or is far from the instances (each
	// transaction then waits a round trip for each of its statements).
	DatabaseWriters int
	// Media is the folder of members' photos and voice notes when the
	// database is PostgreSQL's (instances sharing a database share it);
	// store.DefaultMedia when empty. A SQLite database keeps them beside its
	// file.
	Media string

	// Lessons is a folder of lesson files, watched for changes, read
	// beside the built-in sample lessons and course (see
	// NoBuiltinLessons); the built-in ones alone when empty. A folder
	// that does not exist is an error, unless LessonsLater says the
	// samples run until it is made (huddle's default ./lessons). A
	// lesson with problems is left out, each problem logged as
	// file:line. Library, when set, is used instead (not watched).
	Lessons      string
	LessonsLater bool
	Library      *flows.Library
	// NoBuiltinLessons leaves the built-in sample lessons and course out
	// when there is a lessons folder; by default the folder's come with
	// them, and one of the folder's with a built-in's id replaces it.
	NoBuiltinLessons bool
	// StepKinds are the program's own lesson step kinds, beside the
	// built-in ones (see flows.StepKind).
	StepKinds []flows.StepKind

	// Channels are the messaging channels the App receives from and
	// sends to.
	Channels []bot.Channel
	// Features are the program's own, plugged in as the built-in ones are
	// (cases, spaced review, courses, motivation), after them: a command
	// of the same name as a built-in replaces it.
	Features []bot.Feature
	// Messages adds languages and replaces sentences: go-i18n JSON files
	// (en.json, ha.json…) in a folder per part of Huddle, named as its
	// package (router, privacy, learning, flows, cases, review, course,
	// motivation), laid over that package's built-in Messages. A file in
	// a language Huddle lacks adds it (English stands in for what it
	// lacks); a message of a language Huddle has replaces its own.
	Messages fs.FS

	// Staff may use staff commands and are told when a channel has
	// trouble or a case waits too long.
	Staff []bot.StaffRef
	// Cases sets up case discussions; none when nil. Its Staff,
	// Pseudonyms and Logger must be left empty: the App's are used.
	Cases *cases.Config

	// Review sets spaced review up (members opt in with /review on): its
	// PerDay, From and To; the App gives it the lessons, the time zone,
	// the clock and the logger.
	Review review.Config
	// Courses sets courses up (/assign COURSE): how certificates are
	// printed; the App gives it the lessons, the engine, the quiet hours,
	// the time zone, the clock and the logger.
	Courses course.Config
	// Quiet are the program's quiet hours (in Location): no course lesson
	// opens, no course ends and no reminder is posted in a group then.
	// bot.QuietHours (21:00 to 07:00) when nil; an empty span for none.
	Quiet *bot.Hours
	// Remind reminds a group this long before a question closes, when
	// some have not answered (questions open at least twice as long);
	// none when zero.
	Remind time.Duration

	// Location is the program's time zone: lesson schedules and the
	// dates shown; UTC when nil.
	Location *time.Location

	// Consent is the privacy notice members accept before anything about
	// them is recorded; the built-in notice (version 1) when nil. Only
	// NoConsent turns it off, for a program that gathers consent outside
	// Huddle.
	Consent   *bot.ConsentNotice
	NoConsent bool
	// Pseudonyms shows members to one another by pseudonym rather than
	// their platform names.
	Pseudonyms bool
	// StaffRealNames lets staff show members' platform names on the
	// dashboard, page by page.
	StaffRealNames bool
	// Retention, when set, deletes what is older than it, once a day.
	Retention time.Duration

	// Listen is the web server's address (the channels' pages and
	// webhooks, and the dashboard); no web server when empty. Token, when
	// set, is asked of every page but the webhooks.
	Listen string
	Token  string
	// DashboardMaxDays bounds the period a dashboard page may cover;
	// dashboard.DefaultMaxDays when zero.
	DashboardMaxDays int

	// Clock defaults to the system clock; Logger to slog.Default().
	Clock  bot.Clock
	Logger *slog.Logger
	// Redact masks the configured secrets (tokens, passwords) in an
	// error's text before it is stored (a message's last error) or shown
	// (the dashboard's channel states, notices to staff). The logger
	// should mask them too: the huddle command's does. Nothing is masked
	// when nil.
	Redact func(string) string
	// Tuning is for tests and load runs; the zero value suits a program.
	Tuning Tuning
}

// Tuning holds intervals a program leaves at their defaults.
type Tuning struct {
	// SenderPoll is how often the outbox is looked at without a wake-up
	// (1s); SchedulerPoll how often due timers are (500ms);
	// RetentionEvery how often old data is deleted (24h); ReviewEvery how
	// often review cards are made and sent, nudges, mentors' digests and
	// courses' lessons looked at (1m).
	SenderPoll, SchedulerPoll, RetentionEvery, ReviewEvery time.Duration
	// HTTP bounds the web server's connections; HTTPLimits' defaults
	// when zero.
	HTTP HTTPLimits
	// RebuildWithin bounds how long an erasure's bytes may wait in
	// SQLite's file for its rebuild (an hour); RebuildQuiet is the quiet
	// (no commit) that brings the rebuild sooner (a minute). See
	// store.DB.SetRebuild.
	RebuildWithin, RebuildQuiet time.Duration
}
