// Package huddle is Huddle's application core: New wires the store, the
// lesson library, the lesson engine, the router, the scheduler, the outbox
// sender, the channels and the web server, each setting given once, and
// App.Run runs them until its context ends.
//
// The huddle command is one program built on it; an embedding program
// is another. It extends Huddle through Options: its own channels (a
// bot.Channel, with the optional capabilities bot.Caps lists), features
// (bot.Feature: commands, option and text handlers, timers, jobs,
// strings) and lesson step kinds (flows.StepKind).
package huddle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/certificate"
	"github.com/huddlebot/huddle/cluster"
	"github.com/huddlebot/huddle/course"
	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/learning"
	"github.com/huddlebot/huddle/motivation"
	"github.com/huddlebot/huddle/outbox"
	"github.com/huddlebot/huddle/privacy"
	"github.com/huddlebot/huddle/review"
	"github.com/huddlebot/huddle/router"
	"github.com/huddlebot/huddle/schedule"
	"github.com/huddlebot/huddle/store"
	"golang.org/x/sync/errgroup"
)

// App is a wired Huddle: New builds it, Run runs it, Close releases it.
type App struct {
	opts      Options
	log       *slog.Logger
	db        *store.DB
	ownDB     bool
	host      *flows.Host
	router    *router.Router
	scheduler *schedule.Scheduler
	review    *review.Service
	courses   *course.Service
	motiv     *motivation.Service
	certs     certificate.Page
	sender    *outbox.Sender
	// node owns this instance's chats when several share the database;
	// nil on SQLite. queue is where events and the scheduler's work go:
	// the node, or the router itself.
	node    *cluster.Node
	queue   handlerQueue
	dash    *dashboard.Dashboard
	handler http.Handler
	ln      net.Listener
	kinds   *flows.Kinds
	// channels are Options.Channels with what each can do.
	channels []bot.Caps
	// features are every feature plugged in, for the teachers' check.
	features []bot.Feature
	watch    string // the lessons folder to watch; "" for none
	notices  atomic.Int64
	// ready is set while Run runs its parts, and cleared when it begins
	// to stop, so a load balancer sends no more work (/readyz).
	ready atomic.Bool
}

// New wires an App from opts: it opens the store, loads the lessons and,
// when opts.Listen is set, binds the web server's port (so that a busy
// port fails here). Nothing runs until Run.
func New(ctx context.Context, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Redact == nil {
		opts.Redact = func(s string) string { return s }
	}
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Tuning.ReviewEvery <= 0 {
		opts.Tuning.ReviewEvery = time.Minute
	}
	if opts.Tuning.RetentionEvery <= 0 {
		opts.Tuning.RetentionEvery = 24 * time.Hour
	}
	if c := opts.Cases; c != nil && (len(c.Staff) > 0 || c.Pseudonyms || c.Logger != nil || c.Location != nil || c.Clock != nil) {
		return nil, errors.New("huddle: set Staff, Pseudonyms, Location, Clock and Logger in Options, not in Options.Cases: they are given once")
	}
	if r := opts.Review; r.Lessons != nil || r.Location != nil || r.Clock != nil || r.Logger != nil {
		return nil, errors.New("huddle: set the lessons, Location, Clock and Logger in Options, not in Options.Review: they are given once")
	}
	if c := opts.Courses; c.Lessons != nil || c.Engine != nil || c.Quiet != nil || c.Location != nil || c.Clock != nil || c.Logger != nil {
		return nil, errors.New("huddle: set the lessons, Quiet, Location, Clock and Logger in Options, not in Options.Courses: they are given once")
	}
	if opts.Quiet == nil {
		opts.Quiet = &bot.QuietHours
	}
	if len(opts.Channels) == 0 {
		return nil, errors.New("huddle: no channel: give Options.Channels at least one")
	}
	seen := map[string]bool{}
	for _, ch := range opts.Channels {
		if seen[ch.Name()] {
			return nil, fmt.Errorf("huddle: two channels are named %q", ch.Name())
		}
		seen[ch.Name()] = true
	}
	a := &App{opts: opts, log: opts.Logger, kinds: newKinds()}
	for _, ch := range opts.Channels {
		a.channels = append(a.channels, bot.CapsOf(ch))
	}
	for _, k := range opts.StepKinds {
		if err := a.kinds.Register(k); err != nil {
			return nil, fmt.Errorf("huddle: %w", err)
		}
	}
	lib := opts.Library
	if lib == nil {
		var err error
		if lib, a.watch, err = a.lessons().load(opts.LessonsLater, a.log); err != nil {
			return nil, err
		}
	}
	a.db = opts.Store
	if a.db == nil {
		path := opts.Database
		if path == "" {
			path = DefaultDatabase
		}
		db, err := store.OpenDatabase(ctx, path, opts.Media)
		if err != nil {
			return nil, err
		}
		a.db, a.ownDB = db, true
	}
	a.db.SetRebuild(opts.Tuning.RebuildWithin, opts.Tuning.RebuildQuiet)
	if err := a.wire(ctx, lib); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// wire builds the parts around the store and the library.
func (a *App) wire(ctx context.Context, lib *flows.Library) error {
	o := a.opts
	if o.Listen != "" {
		// Bound first: certificates print the address it got.
		ln, err := net.Listen("tcp", o.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", o.Listen, err)
		}
		a.ln = ln
	}
	// The figures count learners alone, wherever they are read.
	var mentors []bot.StaffRef
	if o.Cases != nil {
		for _, refs := range o.Cases.Mentors {
			mentors = append(mentors, refs...)
		}
	}
	if err := a.db.SetStaff(ctx, o.Staff, mentors); err != nil {
		return err
	}
	var caseSvc *cases.Service
	quiet, loc := *o.Quiet, o.Location
	texts, err := loadTexts(o.Messages)
	if err != nil {
		return err
	}
	hcfg := flows.HostConfig{Library: lib, Location: o.Location, Logger: a.log,
		// Courses act on a run as it ends (a.courses is made below,
		// before any event is handled).
		Ended: func(tx bot.EngineTx, run bot.Run) error { return a.courses.RunEnded(tx, run) },
		// Staff and mentors teach: a group's question does not wait for
		// them (a.features is set below, before any event is handled).
		Teachers: a.teachers,
		// SMS members type an option's number: nothing to press.
		Typed:  func(channel string) bool { return a.channel(channel).TypesOptions() },
		Engine: &flows.Engine{Remind: o.Remind, Quiet: func(t time.Time) bool { return quiet.Has(t, loc) }, Texts: texts["flows"]}}
	if o.Cases != nil {
		cfg := *o.Cases
		cfg.Staff, cfg.Pseudonyms, cfg.Location, cfg.Clock, cfg.Logger, cfg.Texts = o.Staff, o.Pseudonyms, o.Location, o.Clock, a.log, texts["cases"]
		caseSvc = cases.New(cfg)
		hcfg.Cases = caseSvc
		// The mentors may have changed: cases waiting for one are offered
		// again now, not at their next retry.
		if err := a.db.WakeWaitingCases(ctx, o.Clock.Now()); err != nil {
			return err
		}
	}
	a.host = flows.NewHost(hcfg)
	consent := o.Consent
	if consent == nil && !o.NoConsent {
		consent = &bot.ConsentNotice{Version: 1}
	} else if o.NoConsent {
		consent = nil
	}
	a.sender = outbox.New(outbox.Config{Store: a.db, Channels: o.Channels, Clock: o.Clock, Logger: a.log,
		Poll: o.Tuning.SenderPoll, Notice: a.tellStaff, Redact: o.Redact})
	rv := o.Review
	rv.Lessons, rv.Location, rv.Clock, rv.Logger, rv.Texts = a.host.Library, o.Location, o.Clock, a.log, texts["review"]
	rv.Typed = hcfg.Typed
	a.review = review.New(rv)
	cc := o.Courses
	cc.Lessons, cc.Engine, cc.Quiet, cc.Location, cc.Clock, cc.Logger, cc.Texts = a.host.Library, a.host, o.Quiet, o.Location, o.Clock, a.log, texts["course"]
	cc.Pseudonyms, cc.DirectLink = o.Pseudonyms, a.directLink
	if cc.Certificates.VerifyURL == "" {
		cc.Certificates.VerifyURL = localURL(a.URL())
	}
	cc.Certificates.Location = o.Location
	a.certs = cc.Certificates
	a.courses = course.New(cc)
	a.motiv = motivation.New(motivation.Config{Quiet: o.Quiet, Location: o.Location, Clock: o.Clock, Logger: a.log, Texts: texts["motivation"]})
	// Every feature plugs in one way: the lessons' first, the program's
	// own after the built-in ones (so that a command of theirs named like
	// a built-in replaces it), and the privacy notice with the members'
	// rights, whose commands a program may replace, last.
	every := o.Tuning.ReviewEvery
	var features []bot.Feature
	if caseSvc != nil {
		features = append(features, caseSvc.Feature(a.db, every))
	}
	features = append(features, a.review.Feature(a.db, every), a.courses.Feature(a.db, every), a.motiv.Feature(a.db, every))
	if o.Retention > 0 {
		features = append(features, bot.Feature{Name: "retention", Jobs: []bot.Job{{Name: "retention", Every: o.Tuning.RetentionEvery,
			Run: func(ctx context.Context, _ bot.ChatQueue) error {
				return a.db.PurgeOlder(ctx, o.Retention, o.Clock.Now(), a.log)
			}}}})
	}
	features = append(features, o.Features...)
	var assigners []bot.Assigner
	for _, f := range features {
		if f.Assigner != nil {
			assigners = append(assigners, f.Assigner)
		}
	}
	features = append([]bot.Feature{
		{Name: "lesson engine", Options: a.host.Options()},
		learning.Feature(learning.Config{Engine: a.host, Location: o.Location, Assigners: assigners, Texts: texts["learning"]}),
	}, features...)
	features = append(features, privacy.Feature(privacy.Config{Notice: consent, Location: o.Location, Logger: a.log, Texts: texts["privacy"]}))
	a.features = features
	rcfg := router.Config{Store: a.db, Engine: a.host, Clock: o.Clock, Logger: a.log, Committed: a.sender.Wake,
		Staff: o.Staff, Location: o.Location, Pseudonyms: o.Pseudonyms, Features: features, Texts: texts["router"],
		Direct: a.directChat}
	scfg := schedule.Config{Store: a.db, Engine: a.host, Clock: o.Clock, Logger: a.log, Committed: a.sender.Wake,
		Poll: o.Tuning.SchedulerPoll, Features: features}
	a.router = router.New(rcfg)
	a.queue = a.router
	if a.db.Postgres() {
		a.joinCluster(&scfg)
	}
	scfg.Queue = a.queue
	a.scheduler = schedule.New(scfg)
	return a.web()
}

// channelStates is what the channels that report their state say.
func (a *App) channelStates() []bot.ChannelState {
	var out []bot.ChannelState
	for _, ch := range a.channels {
		if ch.Reporting != nil {
			st := ch.Reporting.State()
			st.Detail = a.opts.Redact(st.Detail)
			out = append(out, st)
		}
	}
	if a.node != nil {
		out = append(out, a.clusterState())
	}
	return out
}

// tellStaff passes a channel's notice (the sender's count of messages
// given up) to the staff, through the router.
func (a *App) tellStaff(channel, text string) {
	now := a.opts.Clock.Now()
	ev := bot.Event{ID: bot.EventID(channel, "", "", fmt.Sprintf("notice-%d-%d", now.UnixNano(), a.notices.Add(1))),
		Kind: bot.ChannelNotice, Channel: channel, Text: a.opts.Redact(text), Time: now}
	if err := a.queue.HandleEvent(context.Background(), ev); err != nil {
		a.log.Error("tell the staff", "channel", channel, "err", err)
	}
}

// Run runs the App until ctx ends (SIGINT or SIGTERM, in the huddle
// command), or until a part fails; it then stops every part, letting the
// work under way finish, and returns the first failure.
func (a *App) Run(ctx context.Context) error {
	o := a.opts
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.router.Run(gctx) })
	if a.node != nil {
		g.Go(func() error { return a.node.Run(gctx) })
	}
	g.Go(func() error { return a.scheduler.Run(gctx) })
	g.Go(func() error {
		if a.node != nil {
			// Joining others, this instance sends once they have made
			// room for its share of the channels' rates.
			select {
			case <-a.node.Settled():
			case <-gctx.Done():
				return nil
			}
		}
		return a.sender.Run(gctx)
	})

	if dir := o.Lessons; dir != "" && o.Library == nil {
		// New and changed lesson files are picked up without a restart,
		// and so is a folder made after the start.
		g.Go(func() error {
			watchLessons(gctx, a.lessons(), a.log, a.host.Library, a.SetLibrary)
			return nil
		})
	}
	for _, ch := range o.Channels {
		g.Go(func() error {
			if err := ch.Run(gctx, a.queue); err != nil {
				return fmt.Errorf("channel %s: %w", ch.Name(), err)
			}
			return nil
		})
	}
	if a.ln != nil {
		srv := o.Tuning.HTTP.server(a.handler)
		g.Go(func() error {
			if err := srv.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-gctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
		a.log.Info("dashboard ready", "url", a.URL()+dashboard.Path)
	}
	a.log.Info("huddle is running", "lessons", a.host.Library().Len(), "courses", len(a.host.Library().Courses()), "channels", len(o.Channels))
	a.ready.Store(true)
	g.Go(func() error {
		<-gctx.Done()
		a.ready.Store(false) // stopping: no more work here
		return nil
	})
	err := g.Wait()
	a.log.Info("huddle stopped")
	return err
}

// Close closes the store when the App opened it. Call it after Run
// returns (or instead of Run).
func (a *App) Close() error {
	if a.ln != nil {
		a.ln.Close() // after Run, closed already
	}
	if a.ownDB && a.db != nil {
		return a.db.Close()
	}
	return nil
}

// URL is the web server's address ("http://127.0.0.1:8080"); empty
// without one.
func (a *App) URL() string {
	if a.ln == nil {
		return ""
	}
	return "http://" + a.ln.Addr().String()
}

// SetLibrary replaces the lessons, as when the lessons folder changed:
// runs under way go on with the new version of their lesson.
func (a *App) SetLibrary(lib *flows.Library) {
	a.host.SetLibrary(lib)
	if a.dash != nil {
		a.dash.SetLessons(dashboard.FromLibrary(lib, ""))
		a.dash.SetCourses(dashboard.CoursesFromLibrary(lib, ""))
	}
}

// teachers picks out of members (by id) the programme's staff and the
// mentors (as any feature says: the cases' queues): they teach, so a
// group's question does not wait for them.
func (a *App) teachers(tx bot.CaseTx, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for _, id := range ids {
		m, err := tx.MemberByID(id)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(a.opts.Staff, func(r bot.StaffRef) bool { return r.Matches(m) }) {
			out[id] = true
			continue
		}
		for _, f := range a.features {
			if f.Mentors == nil {
				continue
			}
			mentor, err := f.Mentors(tx, m)
			if err != nil {
				return nil, err
			}
			if mentor {
				out[id] = true
				break
			}
		}
	}
	return out, nil
}

// lessons is where the App's lessons come from.
func (a *App) lessons() lessonSource {
	return lessonSource{kinds: a.kinds, dir: a.opts.Lessons, builtins: !a.opts.NoBuiltinLessons}
}

// Library returns the lessons in use.
func (a *App) Library() *flows.Library { return a.host.Library() }

// Handler returns what the channels pass events to: the router, or on a
// shared database the cluster node, which passes them to the chat's
// owner.
func (a *App) Handler() bot.Handler { return a.queue }

// handlerQueue takes events and the scheduler's work: the Router, or a
// cluster.Node before it.
type handlerQueue interface {
	bot.Handler
	bot.Submitter
	bot.ChatQueue
}

// Wake tells the sender that messages may go now (a program that queued
// some in the store itself, or whose channel came back).
func (a *App) Wake() { a.sender.Wake() }

// localURL is the web server's address (url, as App.URL gives it) as
// seen from this machine, for certificates' verification links when no
// public address is set.
func localURL(url string) string {
	host, port, err := net.SplitHostPort(strings.TrimPrefix(url, "http://"))
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// directLink is the link of channel's that opens a member's private chat
// with the bot and brings command with it; "" where it has none.
func (a *App) directLink(channel, command string) string {
	if ch := a.channel(channel); ch.Link != nil {
		return ch.Link.DirectLink(command)
	}
	return ""
}

// directChat is the id of member's private chat on channel when the
// channel may write first to them (bot.WritingFirst); "" otherwise.
func (a *App) directChat(channel, member string) string {
	if ch := a.channel(channel); ch.First != nil {
		return ch.First.DirectChat(member)
	}
	return ""
}

// channel is the channel named name, with what it can do; a zero Caps,
// which can do nothing, when there is none.
func (a *App) channel(name string) bot.Caps {
	for _, ch := range a.channels {
		if ch.Name() == name {
			return ch
		}
	}
	return bot.Caps{}
}
