package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/config"
	"github.com/huddlebot/huddle/store"
	"github.com/huddlebot/huddle/xapi"
	"github.com/spf13/cobra"
)

func newExportCmd(src *configSource) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export learning records",
	}
	cmd.AddCommand(newExportXAPICmd(src))
	return cmd
}

func newExportXAPICmd(src *configSource) *cobra.Command {
	var since, until, out string
	cmd := &cobra.Command{
		Use:   "xapi",
		Short: "Export learning records as xAPI 1.0.3 statements",
		Long: `Export one xAPI 1.0.3 statement per learning event: a quiz answered (with its
scored result), a lesson completed, passed or failed against its pass mark,
a case thread commented on or responded to, a course completed and passed or
failed (cmi5's statements, in the group's registration), and a certificate
earned (its activity is its verification page). Actors are pseudonymous
accounts under xapi.home_page, never phone numbers.

The statements go to --out as JSON lines. With xapi.endpoint (and
xapi.username, xapi.password) set, they are also posted to that learning
record store in batches, each retried on failure; the statements it accepted
are remembered in xapi.sent_log, so running the export again sends only what
is new.`,
		Example: `  huddle export xapi --since 2026-01-01 --out statements.jsonl
  HUDDLE_XAPI_ENDPOINT=https://lrs.example.org/xAPI HUDDLE_XAPI_USERNAME=… HUDDLE_XAPI_PASSWORD=… huddle export xapi --since 2026-01-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if since == "" {
				return fmt.Errorf("--since is required: the first day to export, such as 2026-01-01")
			}
			cfg, r, err := configAndPeriod(src, since, until)
			if err != nil {
				return err
			}
			dir := cfg.Lessons
			if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
				dir = "" // not made yet: huddle runs the samples meanwhile
			}
			lib, err := huddle.LoadLessons(dir, config.LogConfig{Level: "error", Format: "text"}.Logger(nil, io.Discard))
			if err != nil {
				return err
			}
			rd, err := store.OpenReader(cmd.Context(), cfg.Database)
			if err != nil {
				return err
			}
			defer rd.Close()
			x := &xapi.Exporter{HomePage: cfg.XAPI.HomePage, Lessons: lib, VerifyURL: cfg.Certificates.VerifyURL}
			var stmts []xapi.Statement
			err = x.Export(cmd.Context(), rd, r.From, r.To, func(s xapi.Statement) error {
				stmts = append(stmts, s)
				return nil
			})
			if err != nil {
				return err
			}
			status := cmd.ErrOrStderr()
			if out != "" {
				if err := writeJSONLines(out, cmd.OutOrStdout(), stmts); err != nil {
					return err
				}
				if out != "-" {
					fmt.Fprintf(status, "%d statements written to %s\n", len(stmts), out)
				}
			}
			if cfg.XAPI.Endpoint == "" {
				if out == "" {
					return fmt.Errorf("nowhere to export to: give --out FILE (or -), or set xapi.endpoint")
				}
				return nil
			}
			log, err := xapi.OpenSentLog(cfg.XAPI.SentLog)
			if err != nil {
				return err
			}
			lrs := &xapi.LRS{Endpoint: cfg.XAPI.Endpoint, Username: cfg.XAPI.Username, Password: cfg.XAPI.Password}
			n, err := lrs.Send(cmd.Context(), log, stmts, func(sent, total int) {
				fmt.Fprintf(status, "  posted %d of %d\n", sent, total)
			})
			fmt.Fprintf(status, "%d statements posted to %s (%d were sent before)\n", n, cfg.XAPI.Endpoint, len(stmts)-n)
			return err
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "first day, YYYY-MM-DD (required)")
	cmd.Flags().StringVar(&until, "until", "", "last day, YYYY-MM-DD, included (default: today)")
	cmd.Flags().StringVar(&out, "out", "", "write the statements to this file as JSON lines (- for standard output)")
	return dbFlag(cmd, src)
}

// writeJSONLines writes one statement a line to path, or to stdout for "-".
func writeJSONLines(path string, stdout io.Writer, stmts []xapi.Statement) error {
	w := stdout
	var f *os.File
	if path != "-" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, s := range stmts {
		if err := enc.Encode(s); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		return f.Close()
	}
	return nil
}
