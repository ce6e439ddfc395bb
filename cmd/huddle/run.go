package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/adapters/whatsapp"
	"github.com/huddlebot/huddle/config"
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
			log := cfg.Log.Logger(cfg.Secrets(), cmd.ErrOrStderr())
			return run(cmd.Context(), cfg, log)
		},
	}, src)
}

// run runs huddle as cfg says until ctx ends.
func run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	log.Info("starting huddle", "version", versionString(), "database", store.Redacted(cfg.Database))
	for _, note := range cfg.Notes {
		log.Warn(note)
	}
	opts, err := cfg.Options(log)
	if err != nil {
		return err
	}
	if sc := cfg.Channels.Sim; sc.Enabled {
		var simOpts []sim.Option
		if sc.Remote {
			simOpts = append(simOpts, sim.Remote())
			log.Warn("the simulator answers beyond this machine (channels.sim.remote): whoever has the web token can chat as any member; turn it off once the trial is over")
		}
		opts.Channels = append(opts.Channels, sim.New(nil, simOpts...))
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
		switch {
		case errors.Is(err, whatsapp.ErrLocked):
			// Another process holds the session file (another instance
			// sharing it): this one serves its other channels.
			log.Warn("the WhatsApp session file is in use by another process: this instance runs without WhatsApp. "+
				"For several instances, keep the session in the database (channels.whatsapp.session_db: the PostgreSQL URL), where any of them can take it over",
				"session_db", wc.SessionDB)
		case err != nil:
			return err
		default:
			defer wa.Close() // unpaired, its Run says how to pair; the others start
			opts.Channels = append(opts.Channels, wa)
		}
	}
	if sc := cfg.Channels.SMS; sc.Enabled {
		ch, err := openSMS(sc, db, cfg.Instance, log)
		if err != nil {
			return err
		}
		opts.Channels = append(opts.Channels, ch)
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
