// Command huddle runs the Huddle bot and its tools.
//
//	huddle run                       start the bot (simulator on http://127.0.0.1:8080 by default)
//	huddle lessons validate [PATH…]  check lesson files; exit status 1 on any problem
//	huddle whatsapp pair|status      link the bot's WhatsApp number; check it
//	huddle report [--from --to]      each group's figures for a period
//	huddle export xapi --since DATE  learning records as xAPI statements (file or LRS)
//	huddle privacy purge [--dry-run] remove message text and activity older than the retention limit
//	huddle backup FOLDER             a consistent copy of the database, while huddle runs; huddle restore FOLDER puts it back
//	huddle demo seed                 a database of realistic demonstration activity
//	huddle version                   print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	_ "time/tzdata" // time zones without the system's database

	"github.com/huddlebot/huddle/config"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd(os.Stdout, os.Stderr).ExecuteContext(ctx); err != nil {
		var exit exitError
		if !errors.As(err, &exit) {
			fmt.Fprintln(os.Stderr, "huddle:", err)
		}
		stop()
		os.Exit(1)
	}
}

// exitError ends the program with status 1 after the command has printed
// its own report.
type exitError struct{ msg string }

func (e exitError) Error() string { return e.msg }

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	src := &configSource{}
	root := &cobra.Command{
		Use:   "huddle",
		Short: "Huddle: lessons, quizzes and case discussions in health workers' chat groups",
		Long: `Huddle runs short lessons and quizzes in the WhatsApp and Telegram groups that
nurses, midwives and community health workers already use.

Start it with 'huddle run' and open the simulator at http://127.0.0.1:8080.
Configuration comes from built-in defaults, then --config FILE (see
config.example.yaml), then HUDDLE_* environment variables such as
HUDDLE_CHANNELS_TELEGRAM_TOKEN.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVarP(&src.file, "config", "c", os.Getenv("HUDDLE_CONFIG"),
		"config file (YAML); also HUDDLE_CONFIG")
	root.AddCommand(newRunCmd(src), newLessonsCmd(src), newWhatsAppCmd(src), newReportCmd(src),
		newExportCmd(src), newPrivacyCmd(src), newMentorsCmd(src), newCertificatesCmd(src), newMigrateCmd(src), newCopyCmd(src), newBackupCmd(src), newRestoreCmd(src), newDemoCmd(), newVersionCmd())
	refuseUnknown(root)
	return root
}

// configSource is where a command's configuration comes from: the
// --config file and, for the commands that read the database, --db.
type configSource struct {
	file string
	db   string
}

// load reads the configuration, with --db in place of database when given.
func (s *configSource) load() (config.Config, error) {
	return config.Load(s.file, s.db)
}

// dbFlag gives a command that reads the database the --db flag.
func dbFlag(cmd *cobra.Command, src *configSource) *cobra.Command {
	cmd.Flags().StringVar(&src.db, "db", "", "the database file (default: database in the configuration, ./data/huddle.db)")
	return cmd
}

// refuseUnknown makes every command that only groups others fail on an
// argument that names none of them, with cobra's suggestions, instead of
// printing its help and succeeding.
func refuseUnknown(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		refuseUnknown(c)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.SuggestionsMinimumDistance = 2
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return fmt.Errorf("%s\n\nRun '%s --help' for the commands there are", msg, cmd.CommandPath())
	}
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "huddle", versionString())
			return nil
		},
	}
}

// versionString is the version plus the commit the binary was built from.
func versionString() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + info.GoVersion
	}
	return v
}
