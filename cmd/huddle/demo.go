package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/huddlebot/huddle/internal/demo"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Make demonstration data",
	}
	cmd.AddCommand(newDemoSeedCmd())
	return cmd
}

func newDemoSeedCmd() *cobra.Command {
	spec := demo.DefaultSpec()
	var (
		path  string
		start string
		force bool
		bulk  bool
	)
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill a new database with weeks of realistic group activity",
		Long: `Fill a new database with weeks of realistic activity, played through the
real lesson engine, case discussions and store on a simulated clock: groups
of nurses and midwives taking lessons twice a week, answering with a skill
that grows, chatting, sharing cases, escalating some to mentors who answer.
Members' names are made up. Use it to try the reports and the dashboard:

  huddle demo seed --db ./data/demo.db
  HUDDLE_DATABASE=./data/demo.db huddle report --from 2026-01-05 --to 2026-03-01

Playing activity through the engine takes about five seconds per thousand
member-weeks. For large databases, --bulk writes the same kind of activity
straight into the tables instead (a year of 50,000 members in 1,000 groups
takes about 12 minutes); no message is sent, and the lessons' runs cannot be
resumed, so use such a database for the dashboard and reports only:

  huddle demo seed --bulk --groups 1000 --members 50000 --weeks 52 --db ./data/big.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(path); err == nil && !force {
				return fmt.Errorf("%s exists; seed makes a new database (remove it, or pass --force to replace it)", path)
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			if force {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
						return err
					}
				}
			}
			t, err := time.Parse("2006-01-02", start)
			if err != nil || t.Weekday() != time.Monday {
				return fmt.Errorf("--start %q: want a Monday, such as 2026-01-05", start)
			}
			spec.Start = t
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Seeding %s: %d groups, %d members, %d weeks from %s\n", path, spec.Groups, spec.Members, spec.Weeks, start)
			began := time.Now()
			generate := demo.Generate
			if bulk {
				generate = demo.GenerateBulk
			}
			st, err := generate(cmd.Context(), path, spec, func(w, n int) {
				fmt.Fprintf(out, "  week %d of %d done (%s)\n", w, n, time.Since(began).Round(100*time.Millisecond))
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Done in %s: %d events, %d quiz answers, %d cases, up to %s.\n",
				time.Since(began).Round(100*time.Millisecond), st.Events, st.Answers, st.Cases, st.End.Format("2 Jan 2006"))
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "db", "./data/demo.db", "the database file to create")
	cmd.Flags().IntVar(&spec.Groups, "groups", spec.Groups, "number of groups")
	cmd.Flags().IntVar(&spec.Members, "members", spec.Members, "number of members, spread over the groups")
	cmd.Flags().IntVar(&spec.Weeks, "weeks", spec.Weeks, "number of weeks of activity")
	cmd.Flags().Uint64Var(&spec.Seed, "seed", spec.Seed, "random seed: the same seed makes the same activity")
	cmd.Flags().StringVar(&start, "start", spec.Start.Format("2006-01-02"), "the first Monday")
	cmd.Flags().BoolVar(&force, "force", false, "replace the database file if it exists")
	cmd.Flags().BoolVar(&bulk, "bulk", false, "write the activity straight into the tables, for large databases (dashboard and reports only)")
	return cmd
}
