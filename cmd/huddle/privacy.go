package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
)

func newPrivacyCmd(src *configSource) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "privacy",
		Short: "Members' data: purge what is older than the retention limit",
	}
	var dryRun bool
	var days int
	purge := &cobra.Command{
		Use:   "purge",
		Short: "Remove message text and activity rows older than privacy.retention_days",
		Long: `Remove what is older than the retention limit (privacy.retention_days, or
--days): the activity log, typed quiz answers (scores stay), answers kept in
finished lessons, replies in case threads (the de-identified case and the
mentor's answer stay in the archive), held-back cases, the messages the bot
sent and the delivery records of incoming ones. Counts per group and day or
week stay. huddle run does this by itself once a day; --dry-run only
counts, and works while huddle runs.`,
		Example: `  huddle privacy purge --dry-run
  huddle privacy purge --days 180`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("days") {
				days = cfg.Privacy.RetentionDays
			}
			if days < 1 {
				return fmt.Errorf("no retention limit: set privacy.retention_days or give --days")
			}
			before := time.Now().AddDate(0, 0, -days)
			out := cmd.OutOrStdout()
			show := func(p store.Purged) { fmt.Fprintf(out, "%10d  %s\n", p.Rows, p.What) }
			if dryRun {
				r, err := store.OpenReader(cmd.Context(), cfg.Database)
				if err != nil {
					return err
				}
				defer r.Close()
				fmt.Fprintf(out, "Would remove what is older than %d days (before %s):\n", days, before.Format(time.DateTime))
				got, err := r.PurgePreview(cmd.Context(), before)
				for _, p := range got {
					show(p)
				}
				return err
			}
			if _, err := os.Stat(cfg.Database); err != nil && !store.IsPostgres(cfg.Database) {
				return fmt.Errorf("no database at %s (check the database setting): %w", cfg.Database, err)
			}
			db, err := store.OpenDatabase(cmd.Context(), cfg.Database, cfg.Media)
			if errors.Is(err, store.ErrLocked) {
				return fmt.Errorf("huddle is running on %s: it purges by itself once a day; stop it to purge now, or use --dry-run", cfg.Database)
			}
			if err != nil {
				return err
			}
			defer db.Close()
			fmt.Fprintf(out, "Removing what is older than %d days (before %s):\n", days, before.Format(time.DateTime))
			_, err = db.Purge(cmd.Context(), before, false, show)
			return err
		},
	}
	purge.Flags().BoolVar(&dryRun, "dry-run", false, "count what would be removed, change nothing")
	purge.Flags().IntVar(&days, "days", 0, "the limit in days (default: privacy.retention_days)")
	cmd.AddCommand(dbFlag(purge, src))
	return cmd
}
