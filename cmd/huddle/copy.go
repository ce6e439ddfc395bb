package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
)

func newCopyCmd(src *configSource) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy --to postgres://…",
		Short: "Copy the program's data from SQLite into PostgreSQL",
		Long: `Copy everything the SQLite database holds into a PostgreSQL database, table by
table in one transaction, and check every table's count on both sides. The
PostgreSQL database gets the same schema first (huddle migrate) and must hold
no data. Stop huddle first: the copy takes the SQLite database's lock. The
photos and voice notes in the media folder beside the SQLite file are files,
not rows: copy that folder too.`,
		Example: `  huddle copy --from sqlite:./data/huddle.db --to postgres://huddle@db.internal/huddle`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !store.IsPostgres(to) {
				return fmt.Errorf("--to: give the PostgreSQL database's URL, postgres://…")
			}
			if from == "" {
				cfg, err := src.load()
				if err != nil {
					return err
				}
				from = cfg.Database
			}
			from = strings.TrimPrefix(from, "sqlite:")
			w := cmd.OutOrStdout()
			var rows int64
			copied, err := store.Copy(cmd.Context(), from, to, func(c store.Copied) {
				fmt.Fprintf(w, "  %-16s %9d rows\n", c.Table, c.Into)
				rows += c.Into
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "copied %d rows in %d tables from %s into %s; every count checked on both sides.\n", rows, len(copied), from, store.Redacted(to))
			media := filepath.Join(filepath.Dir(from), "media")
			if !filepath.IsAbs(media) && !strings.HasPrefix(media, ".") {
				media = "./" + media
			}
			fmt.Fprintf(w, "Copy the photos and voice notes too: the folder %s beside it.\n", media)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the SQLite database, sqlite:PATH or PATH (default: database in the configuration)")
	cmd.Flags().StringVar(&to, "to", "", "the PostgreSQL database, postgres://…")
	return cmd
}
