package main

import (
	"fmt"
	"time"

	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
)

func newBackupCmd(src *configSource) *cobra.Command {
	return dbFlag(&cobra.Command{
		Use:   "backup FOLDER",
		Short: "Write a consistent copy of the database, while huddle runs",
		Long: `Write a consistent copy of the SQLite database, with the members' photos and
voice notes, into FOLDER (made; it must be new or empty): FOLDER/huddle.db
and FOLDER/media. Huddle may be running: the copy is one snapshot of the
database, taken beside the bot's own writes (SQLite's VACUUM INTO), and it
is checked whole before it is kept. The copy holds members' data: keep it
as you keep the database. A PostgreSQL database is backed up with
pg_dump.`,
		Example: `  huddle backup backups/$(date +%F)
  huddle backup --db /srv/huddle/data/huddle.db /srv/backups/2026-12-07`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			start := time.Now()
			b, err := store.Backup(cmd.Context(), cfg.Database, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up %s into %s: %d KB of database, %d media files, in %s.\n",
				cfg.Database, args[0], (b.Bytes+1023)>>10, b.Media, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}, src)
}

func newRestoreCmd(src *configSource) *cobra.Command {
	return dbFlag(&cobra.Command{
		Use:   "restore FOLDER",
		Short: "Put a backup in place of the database (huddle stopped)",
		Long: `Put the backup in FOLDER (from huddle backup) in place of the database and its
media. Stop huddle first: restore refuses while huddle holds the database.
The backup is checked whole before anything moves, and what it replaces is
kept beside it, named with the time (huddle.db.replaced-20261207-093000,
media.replaced-…), so a restore is undone by moving those back. Start huddle
again afterwards; it brings an older backup to the current schema itself.`,
		Example: `  huddle restore backups/2026-12-07`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			b, err := store.Restore(cmd.Context(), args[0], cfg.Database, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s from %s: %d KB of database, %d media files; what it replaced is kept beside it (.replaced-…). Start huddle again.\n",
				cfg.Database, args[0], (b.Bytes+1023)>>10, b.Media)
			return nil
		},
	}, src)
}
