package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/websec"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

func newRunCmd(src *configSource) *cobra.Command {
	return dbFlag(&cobra.Command{
		Use:   "run",
		Short: "Run the bot until SIGINT or SIGTERM",
		Long: `Run the bot: the channels that are enabled, the lesson engine, the timers,
and the outbox sender. With the defaults it serves the simulator at
http://127.0.0.1:8080, keeps its data in ./data/huddle.db, and runs the
lessons in ./lessons (the built-in samples when that folder is absent).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			log := newLogger(cfg.Log, cmd.ErrOrStderr())
			return run(cmd.Context(), cfg, log)
		},
	}, src)
}

// run wires everything and runs until ctx ends.
func run(ctx context.Context, cfg Config, log *slog.Logger) error {
	log.Info("starting huddle", "version", versionString(), "database", cfg.Database)
	lib, err := loadLessons(cfg.Lessons, log)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	// The configuration may name new mentors: cases waiting for one are
	// offered again now, not at their next retry.
	if err := db.WakeWaitingCases(ctx, time.Now()); err != nil {
		return err
	}

	var channels []bot.Channel
	// mux serves the webhook; web, behind websec's protections, the
	// simulator and the dashboard.
	mux, web := http.NewServeMux(), http.NewServeMux()
	mux.Handle("/", websec.Handler(websec.Config{Listen: cfg.HTTP.Listen, Token: cfg.HTTP.Token}, web))
	var simCh *sim.Sim
	if cfg.Channels.Sim.Enabled {
		simCh = sim.New(nil)
		channels = append(channels, simCh)
		web.Handle("/", simCh.Handler())
	}
	if tc := cfg.Channels.Telegram; tc.Enabled {
		tg, err := telegram.New(ctx, telegram.Config{
			Token: tc.Token, APIEndpoint: tc.APIEndpoint, Webhook: tc.Mode == "webhook",
			WebhookURL: tc.WebhookURL, WebhookSecret: tc.WebhookSecret, Rate: tc.Rate, Logger: log,
		})
		if err != nil {
			return err
		}
		channels = append(channels, tg)
		if tc.Mode == "webhook" {
			mux.Handle(telegram.WebhookPath, tg.WebhookHandler())
		}
	}

	var sender *bot.Sender
	var states []func() dashboard.ChannelState
	if wc := cfg.Channels.WhatsApp; wc.Enabled {
		wa, err := openWhatsApp(ctx, wc, db, log, func() { sender.Wake() })
		if err != nil {
			return err
		}
		defer wa.Close() // unpaired, its Run says how to pair; the others start
		channels = append(channels, wa)
		states = append(states, func() dashboard.ChannelState { return whatsAppState(wa.Health()) })
	}

	if len(cfg.Mentors) == 0 && !simOnly(cfg) {
		log.Warn("no mentor queue is set up: a case a member escalates waits, and the staff are told; name a queue under mentors: in the configuration")
	}
	if simOnly(cfg) {
		cfg = withSimPersonas(cfg)
		log.Info("the simulator is the only channel: its Dr Otieno is a mentor of every queue and Grace is staff, so the whole case flow can be tried")
	}
	var staff []bot.StaffRef
	for _, s := range cfg.Staff {
		ref, _ := bot.ParseStaffRef(s) // validated with the config
		staff = append(staff, ref)
	}
	loc, err := time.LoadLocation(cfg.Timezone) // validated with the config
	if err != nil {
		return err
	}
	host := flows.NewHost(lib, &flows.Engine{}, log)
	host.Location = loc
	mentors := make(map[string][]bot.StaffRef)
	for q, refs := range cfg.Mentors {
		for _, r := range refs {
			ref, _ := bot.ParseStaffRef(r) // validated with the config
			mentors[q] = append(mentors[q], ref)
		}
	}
	caseSvc := cases.New(cases.Config{
		Mentors: mentors, DefaultQueue: cfg.Cases.DefaultQueue, GroupQueues: cfg.Cases.GroupQueues,
		Capacity: cfg.Cases.Capacity, Target: cfg.Cases.ResponseTarget, Staff: staff, Logger: log,
		TemplateGroups: cfg.Cases.TemplateGroups, Topics: cfg.Cases.Topics, Pseudonyms: cfg.Privacy.Pseudonyms,
	})
	host.Cases = caseSvc
	var router *bot.Router
	sender = bot.NewSender(bot.SenderConfig{Store: db, Channels: channels, Logger: log, Notice: func(ch, text string) {
		tellStaff(ctx, router, ch, text)
	}})
	router = bot.NewRouter(bot.RouterConfig{
		Store: db, Engine: host, Logger: log, Committed: sender.Wake, Staff: staff, Location: loc, Cases: caseSvc,
		Consent: cfg.Privacy.Consent.notice(), Pseudonyms: cfg.Privacy.Pseudonyms,
	})

	var lessonFiles fs.FS = lessons.FS
	lessonsLabel, ownLessons := "the built-in lessons", false
	if _, err := os.Stat(cfg.Lessons); err == nil {
		lessonFiles, lessonsLabel, ownLessons = os.DirFS(cfg.Lessons), cfg.Lessons, true
	}
	dash := dashboard.New(dashboard.Config{Reports: db.Reports(), RealNames: cfg.Privacy.StaffRealNames, MaxDays: cfg.Dashboard.MaxDays, Location: loc,
		Channels: func() []dashboard.ChannelState {
			var out []dashboard.ChannelState
			for _, st := range states {
				out = append(out, st())
			}
			return out
		}, Logger: log, Lessons: dashboard.FromLibrary(lib, ""),
		LessonFiles: lessonFiles, LessonsLabel: lessonsLabel})
	web.Handle(dashboard.Path, dash.Handler())

	// Bind the port before anything starts, so a busy port fails at once.
	var ln net.Listener
	if cfg.HTTP.Listen != "" {
		if ln, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
			return fmt.Errorf("listen on %s (http.listen): %w", cfg.HTTP.Listen, err)
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return router.Run(gctx) })
	if days := cfg.Privacy.RetentionDays; days > 0 {
		g.Go(func() error {
			db.KeepFor(gctx, time.Duration(days)*24*time.Hour, 24*time.Hour, time.Now, log)
			return nil
		})
	}
	g.Go(func() error { return sender.Run(gctx) })
	if ownLessons {
		// New and changed lesson files are picked up without a restart.
		g.Go(func() error {
			watchLessons(gctx, cfg.Lessons, log, host.Library, func(lib *flows.Library) {
				host.SetLibrary(lib)
				dash.SetLessons(dashboard.FromLibrary(lib, ""))
			})
			return nil
		})
	}
	for _, ch := range channels {
		g.Go(func() error {
			if err := ch.Run(gctx, router); err != nil {
				return fmt.Errorf("channel %s: %w", ch.Name(), err)
			}
			return nil
		})
	}
	if ln != nil {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		g.Go(func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
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
		if simCh != nil {
			log.Info("simulator ready: open it in a browser", "url", "http://"+ln.Addr().String()+"/")
		}
		log.Info("dashboard ready", "url", "http://"+ln.Addr().String()+dashboard.Path)
	}
	log.Info("huddle is running", "lessons", lib.Len(), "channels", len(channels))
	err = g.Wait()
	log.Info("huddle stopped")
	return err
}

// loadLessons loads the lessons folder, or the built-in samples when it
// does not exist. A lesson with problems is left out, with every problem
// logged; the valid ones still run.
func loadLessons(dir string, log *slog.Logger) (*flows.Library, error) {
	var (
		lib *flows.Library
		err error
	)
	if _, statErr := os.Stat(dir); errors.Is(statErr, fs.ErrNotExist) {
		log.Info("no lessons folder; using the built-in sample lessons", "lessons", dir)
		lib, err = flows.Load(lessons.FS, ".", "(built-in)")
	} else {
		lib, err = flows.Load(os.DirFS(dir), ".", dir)
	}
	if ps, ok := flows.IsProblems(err); ok {
		for _, p := range ps {
			log.Error("lesson refused", "problem", p.String())
		}
		log.Error("some lessons were not loaded; run 'huddle lessons validate' for the list", "problems", len(ps))
		return lib, nil
	}
	if err != nil {
		return nil, err
	}
	if lib.Len() == 0 {
		log.Warn("the lessons folder holds no lesson files", "lessons", dir)
	}
	return lib, nil
}

// simOnly reports whether the simulator is the only channel: a trial, where
// its personas may play mentor and staff.
func simOnly(cfg Config) bool {
	return cfg.Channels.Sim.Enabled && !cfg.Channels.Telegram.Enabled && !cfg.Channels.WhatsApp.Enabled
}

// Simulator personas that play the mentor and the staff.
const (
	simMentor = "sim:mentor"
	simStaff  = "sim:staff"
)

// withSimPersonas makes the simulator's mentor persona a mentor of every
// queue (of a "general" one when there is none) and its staff persona
// staff. Only for a trial with the simulator alone: on real channels they
// would be an unattended mentor and a staff member anyone on the page
// could play.
func withSimPersonas(cfg Config) Config {
	mentors := make(map[string][]string, len(cfg.Mentors)+1)
	for q, refs := range cfg.Mentors {
		mentors[q] = append(slices.Clone(refs), simMentor)
	}
	if len(mentors) == 0 {
		mentors["general"] = []string{simMentor}
	}
	cfg.Mentors = mentors
	cfg.Staff = append(slices.Clone(cfg.Staff), simStaff)
	return cfg
}

// tellStaff passes a channel's notice to the staff through the router.
func tellStaff(ctx context.Context, r *bot.Router, channel, text string) {
	now := time.Now()
	_ = r.HandleEvent(ctx, bot.Event{ID: bot.EventID(channel, "", "", fmt.Sprintf("notice-%d", now.UnixNano())),
		Kind: bot.ChannelNotice, Channel: channel, Text: text, Time: now})
}
