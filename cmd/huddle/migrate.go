package main

import (
	"fmt"

	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
)

func newMigrateCmd(src *configSource) *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database to this version's schema",
		Long: `Bring the database to the schema this version of huddle needs, creating it
when there is none. 'huddle run' does the same when it starts; run this first
to upgrade at a time of your choosing (after a backup of the database file and
the media folder beside it). It takes the database's lock, so stop huddle
first. With --status it only says where the database stands.

A database given as a postgres:// URL gets PostgreSQL's schema, the same
tables and versions (huddle itself runs on SQLite for now).`,
		Example: `  huddle migrate --status
  huddle migrate --db /srv/huddle/huddle.db
  huddle migrate --db postgres://huddle@db.internal/huddle`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			w, ctx, name := cmd.OutOrStdout(), cmd.Context(), store.Redacted(cfg.Database)
			if status {
				s, err := store.SchemaOf(ctx, cfg.Database)
				if err != nil {
					return err
				}
				switch {
				case !s.Exists:
					fmt.Fprintf(w, "%s: no database yet; huddle migrate (or huddle run) creates it at schema version %d\n", name, s.Latest)
				case s.Current < s.Latest:
					fmt.Fprintf(w, "%s: schema version %d; this huddle needs %d: run huddle migrate\n", name, s.Current, s.Latest)
				case s.Current > s.Latest:
					fmt.Fprintf(w, "%s: schema version %d, newer than this huddle's %d: use a newer huddle\n", name, s.Current, s.Latest)
				default:
					fmt.Fprintf(w, "%s: schema version %d, up to date\n", name, s.Current)
				}
				return nil
			}
			before, after, err := store.Migrate(ctx, cfg.Database)
			if err != nil {
				return err
			}
			switch {
			case !before.Exists:
				fmt.Fprintf(w, "%s: created at schema version %d\n", name, after.Current)
			case before.Current == after.Current:
				fmt.Fprintf(w, "%s: schema version %d, already up to date\n", name, after.Current)
			default:
				fmt.Fprintf(w, "%s: schema version %d → %d (%d migrations applied)\n", name, before.Current, after.Current, after.Current-before.Current)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "only say which schema version the database is at")
	return dbFlag(cmd, src)
}
