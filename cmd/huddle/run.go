package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/certificate"
	"github.com/huddlebot/huddle/course"
	"github.com/huddlebot/huddle/review"
	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
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
			log := newLogger(cfg.Log, cfg.secrets(), cmd.ErrOrStderr())
			return run(cmd.Context(), cfg, log)
		},
	}, src)
}

// run runs huddle as cfg says until ctx ends.
func run(ctx context.Context, cfg Config, log *slog.Logger) error {
	log.Info("starting huddle", "version", versionString(), "database", store.Redacted(cfg.Database))
	opts, err := appOptions(cfg, log)
	if err != nil {
		return err
	}
	// The store is opened here, before the core, for WhatsApp: its
	// never-write-first rule asks the outbox whom the bot has heard from.
	db, err := store.OpenDatabase(ctx, cfg.Database, cfg.Media)
	if err != nil {
		return err
	}
	defer db.Close()
	opts.Store = db
	if tc := cfg.Channels.Telegram; tc.Enabled {
		tcfg := telegram.Config{
			Token: tc.Token, APIEndpoint: tc.APIEndpoint, Webhook: tc.Mode == "webhook",
			WebhookURL: tc.WebhookURL, WebhookSecret: tc.WebhookSecret, Rate: tc.Rate, Logger: log,
		}
		if db.Postgres() {
			// Instances sharing the database take turns at long polling.
			tcfg.Leases, tcfg.Instance = db, instanceName(cfg.Instance)
		}
		tg, err := telegram.New(ctx, tcfg)
		if err != nil {
			return err
		}
		opts.Channels = append(opts.Channels, tg)
	}
	if wc := cfg.Channels.WhatsApp; wc.Enabled {
		wa, err := openWhatsApp(ctx, wc, db, cfg.Instance, log)
		if err != nil {
			return err
		}
		defer wa.Close() // unpaired, its Run says how to pair; the others start
		opts.Channels = append(opts.Channels, wa)
	}
	app, err := huddle.New(ctx, opts)
	if err != nil {
		if op := (*net.OpError)(nil); errors.As(err, &op) && op.Op == "listen" {
			return fmt.Errorf("%w (http.listen)", err)
		}
		return err
	}
	defer app.Close()
	if url := app.URL(); url != "" && cfg.Channels.Sim.Enabled {
		log.Info("simulator ready: open it in a browser", "url", url+"/")
	}
	return app.Run(ctx)
}

// appOptions turns the configuration into the core's options, the
// simulator included; the caller adds the other channels.
func appOptions(cfg Config, log *slog.Logger) (huddle.Options, error) {
	if len(cfg.Mentors) == 0 && !simOnly(cfg) {
		log.Warn("no mentor queue is set up: a case a member escalates waits, and the staff are told; name a queue under mentors: in the configuration")
	}
	if simOnly(cfg) {
		cfg = withSimPersonas(cfg)
		log.Info("the simulator is the only channel: its Dr Otieno is a mentor of every queue and Grace is staff, so the whole case flow can be tried")
	}
	loc, err := time.LoadLocation(cfg.Timezone) // validated with the config
	if err != nil {
		return huddle.Options{}, err
	}
	quiet, err := cfg.Learning.quiet() // validated too
	if err != nil {
		return huddle.Options{}, err
	}
	mentors := make(map[string][]bot.StaffRef)
	for q, refs := range cfg.Mentors {
		for _, r := range refs {
			ref, _ := bot.ParseStaffRef(r) // validated with the config
			mentors[q] = append(mentors[q], ref)
		}
	}
	opts := huddle.Options{
		Database: cfg.Database, Instance: cfg.Instance, ChatLease: cfg.ChatLease, Media: cfg.Media, Lessons: cfg.Lessons,
		// A folder made after the start (a deploy that brings it later)
		// is read then; the built-in samples run meanwhile.
		LessonsLater: true, Location: loc, Logger: log,
		Redact: cfg.secrets().String,
		Cases: &cases.Config{
			Mentors: mentors, DefaultQueue: cfg.Cases.DefaultQueue, GroupQueues: cfg.Cases.GroupQueues,
			Capacity: cfg.Cases.Capacity, Target: cfg.Cases.ResponseTarget,
			TemplateGroups: cfg.Cases.TemplateGroups, Topics: cfg.Cases.Topics,
		},
		Consent: cfg.Privacy.Consent.notice(), NoConsent: !cfg.Privacy.Consent.Ask,
		Pseudonyms: cfg.Privacy.Pseudonyms, StaffRealNames: cfg.Privacy.StaffRealNames,
		Retention: time.Duration(cfg.Privacy.RetentionDays) * 24 * time.Hour,
		Listen:    cfg.HTTP.Listen, Token: cfg.HTTP.Token, DashboardMaxDays: cfg.Dashboard.MaxDays,
		Review:  review.Config{PerDay: cfg.Learning.ReviewPerDay, Inactive: time.Duration(cfg.Learning.NudgeAfterDays) * 24 * time.Hour},
		Courses: course.Config{Certificates: certificate.Page{Program: cfg.Certificates.Program, VerifyURL: cfg.Certificates.VerifyURL}},
		Quiet:   quiet, Remind: cfg.Learning.RemindBefore,
	}
	for _, s := range cfg.Staff {
		ref, _ := bot.ParseStaffRef(s) // validated with the config
		opts.Staff = append(opts.Staff, ref)
	}
	if sc := cfg.Channels.Sim; sc.Enabled {
		var simOpts []sim.Option
		if sc.Remote {
			simOpts = append(simOpts, sim.Remote())
			log.Warn("the simulator answers beyond this machine (channels.sim.remote): whoever has the web token can chat as any member; turn it off once the trial is over")
		}
		opts.Channels = append(opts.Channels, sim.New(nil, simOpts...))
	}
	return opts, nil
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
