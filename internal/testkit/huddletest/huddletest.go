// Package huddletest runs Huddle's application core (SQLite store on a
// file, lesson engine, router, scheduler, outbox sender) around the
// channels a test gives, with a clock the test moves.
package huddletest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/review"
	"github.com/huddlebot/huddle/store"
)

// Clock is a clock the test sets and moves.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at a fixed, realistic time.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// App is a running Huddle.
type App struct {
	DB *store.DB
	// Router takes events as the channels give them (the App's Handler).
	Router bot.Handler
	Clock  *Clock
	Lib    *flows.Library
	Path   string
	// Media is the folder of members' photos and voice notes on
	// PostgreSQL (for a restart's Options.Media).
	Media string
	// URL is the web server's address when Options.Web is set.
	URL    string
	core   *huddle.App
	cancel context.CancelFunc
	done   chan struct{}
}

// Options changes what Start wires.
type Options struct {
	// Lessons is a folder of lessons; the built-in samples plus this
	// package's testdata/lessons when empty.
	Lessons string
	// DBPath reuses a database file (to test a restart), or a PostgreSQL
	// database's URL, with its Media folder.
	DBPath string
	// Postgres runs on a fresh database of a real PostgreSQL server
	// (internal/testkit/pgtest) instead of a SQLite file; so does every test when
	// the environment sets HUDDLE_TEST_POSTGRES=1.
	Postgres bool
	// Media is the folder of members' photos and voice notes on
	// PostgreSQL; a new one when empty.
	Media string
	// Logger defaults to one that discards, or with HUDDLE_TEST_LOG=error
	// (or warn, info, debug) in the environment writes that level and
	// above to stderr.
	Logger *slog.Logger
	// Staff are the router's staff.
	Staff []bot.StaffRef
	// Cases sets up case discussions; none when nil.
	Cases *cases.Config
	// Clock is the clock to run on, so that a restarted App goes on from
	// where the last one stopped; a new one when nil.
	Clock *Clock
	// Consent is the privacy notice members must accept first; none
	// (consent gathered outside Huddle) when nil, which tests of other
	// features use.
	Consent *bot.ConsentNotice
	// Pseudonyms shows members by their pseudonyms.
	Pseudonyms bool
	// Retention, when set, purges what is older than it every 20ms of
	// real time, on the App's clock, as huddle run does daily.
	Retention time.Duration
	// Review sets spaced review up (its PerDay, From and To).
	Review review.Config
	// Remind reminds groups this long before a question closes.
	Remind time.Duration
	// Web runs the web server on a free loopback port (App.URL).
	Web bool
	// Instance and ChatLease make the App one instance of several
	// sharing a PostgreSQL database (huddle.Options' own).
	Instance  string
	ChatLease time.Duration
	// SystemClock runs the App on the system clock (App.Clock is then
	// nil), as instances sharing a database must: their leases lapse in
	// real time.
	SystemClock bool
	// Features are an embedder's own.
	Features []bot.Feature
	// Opened, when set, is given the store before the App starts: a
	// channel that keeps notes in it (bot.Notebook) is told it there, as
	// huddle run gives it the store it opened.
	Opened func(*store.DB)
}

// TestLessons is the folder of this package's test lessons.
func TestLessons() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "lessons")
}

// Library returns the built-in lessons and courses and the test ones.
func Library(t testing.TB) *flows.Library {
	t.Helper()
	builtin, err := flows.Load(lessons.FS, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	extra, err := flows.Load(os.DirFS(TestLessons()), ".", "testdata/lessons")
	if err != nil {
		t.Fatal(err)
	}
	lib, err := flows.NewLibrary(append(builtin.All(), extra.All()...)...)
	if err != nil {
		t.Fatal(err)
	}
	if lib, err = lib.WithCourses(append(builtin.Courses(), extra.Courses()...)...); err != nil {
		t.Fatal(err)
	}
	return lib
}

// Start runs Huddle with the given channels until the test ends.
func Start(t testing.TB, opts Options, channels ...bot.Channel) *App {
	t.Helper()
	log := opts.Logger
	if log == nil {
		log = testLogger()
	}
	path, media := opts.DBPath, opts.Media
	switch {
	case path != "":
	case opts.Postgres || os.Getenv("HUDDLE_TEST_POSTGRES") == "1":
		path = pgtest.URL(t)
	default:
		path = filepath.Join(t.TempDir(), "huddle.db")
	}
	if media == "" && store.IsPostgres(path) {
		media = filepath.Join(t.TempDir(), "media")
	}
	var lib *flows.Library
	if opts.Lessons != "" {
		var err error
		if lib, err = flows.Load(os.DirFS(opts.Lessons), ".", opts.Lessons); err != nil {
			t.Fatal(err)
		}
	} else {
		lib = Library(t)
	}
	clock := opts.Clock
	if clock == nil && !opts.SystemClock {
		clock = NewClock()
	}
	var appClock bot.Clock // nil: the system's
	if clock != nil {
		appClock = clock
	}
	ctx, cancel := context.WithCancel(context.Background())
	listen := ""
	if opts.Web {
		listen = "127.0.0.1:0"
	}
	db, err := store.OpenDatabase(ctx, path, media)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if opts.Opened != nil {
		opts.Opened(db)
	}
	core, err := huddle.New(ctx, huddle.Options{Listen: listen,
		Store: db, Media: media, Library: lib, Channels: channels, Features: opts.Features,
		Staff: opts.Staff, Cases: opts.Cases, Consent: opts.Consent, NoConsent: opts.Consent == nil, Pseudonyms: opts.Pseudonyms,
		Retention: opts.Retention, Review: opts.Review, Remind: opts.Remind, Clock: appClock, Logger: log,
		Instance: opts.Instance, ChatLease: opts.ChatLease,
		Tuning: huddle.Tuning{SenderPoll: 20 * time.Millisecond, SchedulerPoll: 10 * time.Millisecond, RetentionEvery: 20 * time.Millisecond,
			ReviewEvery: 20 * time.Millisecond,
			// Tests read the database's files right after an erasure.
			RebuildWithin: time.Millisecond, RebuildQuiet: time.Millisecond},
	})
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	app := &App{DB: db, Router: core.Handler(), Clock: clock, Lib: lib, Path: path, Media: media, URL: core.URL(),
		core: core, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(app.done); core.Run(ctx) }()
	t.Cleanup(app.Stop)
	return app
}

// Stop stops everything and closes the database; it is safe to call twice.
func (a *App) Stop() {
	a.cancel()
	<-a.done
	a.core.Close()
	a.DB.Close()
}

// Wake tells the sender that messages may go now.
func (a *App) Wake() { a.core.Wake() }

// Progress returns a member's progress rows.
func (a *App) Progress(t testing.TB, channel, platformID string) []bot.Progress {
	t.Helper()
	var rows []bot.Progress
	err := a.DB.Update(context.Background(), func(tx bot.Tx) error {
		m, err := tx.EnsureMember(channel, platformID, "", a.Clock.Now())
		if err != nil {
			return err
		}
		rows, err = tx.MemberProgress(m.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// LogBuffer collects logs from many goroutines, for tests of what is
// logged.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Logger returns a logger at info level, the default, writing to b.
func (b *LogBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// PictureLessons writes a folder holding one group lesson, "picture",
// whose say step shows a 1600×1200 PNG (rdt.png, beside it), and returns
// the folder, for Options.Lessons.
func PictureLessons(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	pic := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for y := range 1200 {
		for x := range 1600 {
			pic.Set(x, y, color.RGBA{uint8(x / 8), uint8(y / 6), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, pic); err != nil {
		t.Fatal(err)
	}
	lesson := "id: picture\ntitle: \"A picture\"\nsteps:\n  - say: \"Two lines: positive.\"\n    image: rdt.png\n"
	for name, data := range map[string][]byte{"picture.yaml": []byte(lesson), "rdt.png": buf.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Files lists the files under dir, as a test that checks what is on disk
// reads them: none when dir does not exist.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err == nil && !e.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testLogger is the default logger: silent, or as HUDDLE_TEST_LOG says.
func testLogger() *slog.Logger {
	var level slog.Level
	if v := os.Getenv("HUDDLE_TEST_LOG"); v == "" || level.UnmarshalText([]byte(v)) != nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
