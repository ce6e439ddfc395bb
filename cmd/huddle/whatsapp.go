package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/huddlebot/huddle/adapters/whatsapp"
	"github.com/huddlebot/huddle/config"
	"github.com/huddlebot/huddle/store"
	"github.com/mdp/qrterminal/v3"
	"github.com/spf13/cobra"
)

// openWhatsApp opens the WhatsApp channel from its config. With the
// database (huddle run), the session is held by lease, as instance, so
// that of several instances one at a time connects it.
func openWhatsApp(ctx context.Context, wc config.WhatsAppConfig, db *store.DB, instance string, log *slog.Logger) (*whatsapp.WhatsApp, error) {
	cfg := whatsapp.Config{
		SessionDB: wc.SessionDB, Options: wc.Options, ChatGap: wc.ChatGap, PerMinute: wc.PerMinute,
		Jitter: wc.Jitter, LateAfter: wc.LateAfter, MaxAge: wc.MaxAge, Outbox: db, Logger: log,
	}
	if db != nil {
		cfg.Leases, cfg.Instance = db, instanceName(instance)
	}
	return whatsapp.New(ctx, cfg)
}

// instanceName is the configured instance name, or the host's: stable
// across restarts, so a restarted instance takes its own lease back at
// once.
func instanceName(configured string) string {
	if configured != "" {
		return configured
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "huddle"
}

func newWhatsAppCmd(src *configSource) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "whatsapp",
		Short: "Pair the bot's WhatsApp number and check its connection",
		Long: `Huddle joins WhatsApp as a linked device of an ordinary WhatsApp account (use
a number kept for the bot, not a person's own). Pair it once with
'huddle whatsapp pair', add the number to the learning groups, then set
channels.whatsapp.enabled and start 'huddle run'.

Stop 'huddle run' first: one session serves one process at a time.`,
	}
	cmd.AddCommand(newWhatsAppPairCmd(src), newWhatsAppStatusCmd(src))
	return cmd
}

func newWhatsAppPairCmd(src *configSource) *cobra.Command {
	var phone string
	cmd := &cobra.Command{
		Use:   "pair",
		Short: "Link the bot's WhatsApp number by QR code or pairing code",
		Long: `Link the bot's WhatsApp number to this Huddle. A QR code appears in the
terminal: on the bot's phone open WhatsApp, Settings, Linked devices, Link a
device, and scan it. New codes follow until one is scanned or WhatsApp closes
the window.

With --phone (or channels.whatsapp.pair_phone) a pairing code is printed
instead: on the phone choose "Link with phone number instead" and type it.`,
		Example: `  huddle whatsapp pair
  huddle whatsapp pair --phone +254700000000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			if phone == "" {
				phone = cfg.Channels.WhatsApp.PairPhone
			}
			if phone != "" && !config.PhoneNumber(phone) {
				return fmt.Errorf("--phone %q is not a phone number in international form, such as +254700000000", phone)
			}
			log := config.LogConfig{Level: "warn", Format: cfg.Log.Format}.Logger(cfg.Secrets(), cmd.ErrOrStderr())
			wa, err := openWhatsApp(cmd.Context(), cfg.Channels.WhatsApp, nil, "", log)
			if err != nil {
				return err
			}
			defer wa.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "Connecting to WhatsApp…")
			err = wa.Pair(cmd.Context(), phone, whatsapp.Pairing{
				QR: func(code string) {
					fmt.Fprintln(out, "\nScan this with the bot's phone: WhatsApp > Settings > Linked devices > Link a device")
					qrterminal.GenerateWithConfig(code, qrterminal.Config{
						Level: qrterminal.L, Writer: out, HalfBlocks: true,
						BlackChar: qrterminal.BLACK_BLACK, WhiteBlackChar: qrterminal.WHITE_BLACK,
						WhiteChar: qrterminal.WHITE_WHITE, BlackWhiteChar: qrterminal.BLACK_WHITE, QuietZone: 1,
					})
				},
				Code: func(code string) {
					fmt.Fprintf(out, "\nOn the phone of %s: WhatsApp > Settings > Linked devices > Link a device >\n"+
						"Link with phone number instead, then type this code:\n\n    %s\n\n", phone, code)
				},
				Note: func(text string) { fmt.Fprintln(out, text) },
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Paired. The session is in %s.\nAdd the number to your groups, set channels.whatsapp.enabled: true, and run huddle run.\n",
				cfg.Channels.WhatsApp.SessionDB)
			return nil
		},
	}
	cmd.Flags().StringVar(&phone, "phone", "", "pair with a code for this number (international form, +254…) instead of a QR code")
	return cmd
}

func newWhatsAppStatusCmd(src *configSource) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Say whether WhatsApp is paired and connected, and list its groups",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if whatsapp.InDatabase(cfg.Channels.WhatsApp.SessionDB) {
				return sharedStatus(cmd.Context(), out, cfg.Channels.WhatsApp)
			}
			// Asking must change nothing: without a session file, say so
			// rather than create one.
			if _, err := os.Stat(cfg.Channels.WhatsApp.SessionDB); errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(out, "paired:    no (no session file at %s)\nTo pair: huddle whatsapp pair\n", cfg.Channels.WhatsApp.SessionDB)
				return exitError{"not paired"}
			}
			log := config.LogConfig{Level: "error", Format: cfg.Log.Format}.Logger(nil, io.Discard)
			wa, err := openWhatsApp(cmd.Context(), cfg.Channels.WhatsApp, nil, "", log)
			if errors.Is(err, whatsapp.ErrLocked) {
				// huddle runs and holds the session: report what it knows.
				h, ok, herr := whatsapp.ReadHealth(cfg.Channels.WhatsApp.SessionDB)
				if herr != nil || !ok {
					return fmt.Errorf("huddle is running and holds the WhatsApp session; its state is not known yet (%v)", herr)
				}
				fmt.Fprintf(out, "huddle is running and holds the session; its state at %s:\n", h.At.Format(time.DateTime))
				printHealth(out, h)
				if h.Down != "" || !h.Connected {
					return exitError{"not connected"}
				}
				return nil
			}
			if err != nil {
				return err
			}
			defer wa.Close()
			st := wa.Status(cmd.Context())
			if !st.Paired {
				fmt.Fprintf(out, "paired:    no (session %s)\nTo pair: huddle whatsapp pair\n", cfg.Channels.WhatsApp.SessionDB)
				return exitError{"not paired"}
			}
			fmt.Fprintf(out, "paired:    yes, as %s (%s)\n", st.Account, st.Name)
			if h, ok, _ := whatsapp.ReadHealth(cfg.Channels.WhatsApp.SessionDB); ok {
				fmt.Fprintf(out, "when huddle last ran (%s):\n", h.At.Format(time.DateTime))
				printHealth(out, h)
			}
			if !st.Connected {
				fmt.Fprintf(out, "connected: no: %v\n", st.ConnectErr)
				return exitError{"not connected"}
			}
			fmt.Fprintf(out, "connected: yes\ngroups:    %d\n", len(st.Groups))
			notAdmin := 0
			for _, g := range st.Groups {
				admin := ""
				if g.BotAdmin {
					admin = ", bot is admin"
				} else {
					notAdmin++
				}
				fmt.Fprintf(out, "  %s (%d members%s)\n", g.Name, g.Members, admin)
			}
			if notAdmin > 0 {
				fmt.Fprintln(out, "Where the bot is no admin it cannot take down a case's photo before its author has checked it; it asks the author to delete it.")
			}
			if st.ConnectErr != nil {
				return st.ConnectErr
			}
			return nil
		},
	}
}

// printHealth prints what a running huddle knew of its WhatsApp channel.
func printHealth(out io.Writer, h whatsapp.Health) {
	state := "connected"
	switch {
	case h.Down != "":
		state = "stopped: " + h.Down
	case h.Outage != "":
		state = "paused: " + h.Outage
	case !h.Connected:
		state = "disconnected (reconnecting)"
	}
	fmt.Fprintf(out, "  state:          %s\n", state)
	if !h.BannedUntil.IsZero() {
		fmt.Fprintf(out, "  banned until:   %s\n", h.BannedUntil.Format(time.DateTime))
	}
	fmt.Fprintf(out, "  undecryptable:  %d messages since it started (WhatsApp asks the senders' phones again)\n", h.Undecryptable)
	for _, g := range h.Removed {
		fmt.Fprintf(out, "  removed from:   %s\n", g)
	}
	if len(h.Groups) > 0 {
		fmt.Fprintf(out, "  groups heard:   %s\n", strings.Join(h.Groups, ", "))
	}
}

// sharedStatus reports a session kept in the database, which huddle's
// instances share, without connecting: a second connection would take the
// session from the instance holding it (WhatsApp allows one).
func sharedStatus(ctx context.Context, out io.Writer, wc config.WhatsAppConfig) error {
	log := config.LogConfig{Level: "error"}.Logger(nil, io.Discard)
	wa, err := openWhatsApp(ctx, wc, nil, "", log)
	if err != nil {
		return err
	}
	defer wa.Close()
	if !wa.Paired() {
		fmt.Fprintf(out, "paired:    no (the session is kept in the database)\nTo pair: huddle whatsapp pair\n")
		return exitError{"not paired"}
	}
	fmt.Fprintf(out, "paired:    yes, as %s\n"+
		"The session is kept in the database and shared by huddle's instances; asking WhatsApp from here would take it\n"+
		"from the instance that holds it, so its connection is shown on the dashboard instead.\n", wa.Account())
	return nil
}
