package main

import (
	"fmt"
	"time"

	"github.com/huddlebot/huddle/report"

	"github.com/huddlebot/huddle/config"
	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
)

func newReportCmd(src *configSource) *cobra.Command {
	var from, to, format string
	var courses bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print each group's figures for a period",
		Long: `Print each group's figures for a period: members, active members (who posted
or answered), messages, quiz answers and the share right, lessons started and
finished, cases shared and escalated; then each course's: groups that
started, are taking and ended it, members who took part and passed, and the
certificates and CPD hours awarded. Dates are days in the configured
timezone; --to is inclusive. By default, the last 28 days. As CSV, one table:
the groups', or with --courses the courses'.`,
		Example: `  huddle report
  huddle report --from 2026-01-05 --to 2026-02-28 --format csv > january-february.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return fmt.Errorf("--format %q: want table, csv or json", format)
			}
			cfg, r, err := configAndPeriod(src, from, to)
			if err != nil {
				return err
			}
			db, err := store.OpenReader(cmd.Context(), cfg.Database)
			if err != nil {
				return err
			}
			defer db.Close()
			rows, err := db.Overview(cmd.Context(), r)
			if err != nil {
				return err
			}
			cs, err := db.Courses(cmd.Context(), r)
			if err != nil {
				return err
			}
			if courses {
				return report.WriteCourses(cmd.OutOrStdout(), format, r, cs)
			}
			if err := report.WriteGroups(cmd.OutOrStdout(), format, r, rows, cs); err != nil || format != "table" || len(cs) == 0 {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return report.WriteCourses(cmd.OutOrStdout(), format, r, cs)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD (default: 28 days before --to)")
	cmd.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD, included (default: today)")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().BoolVar(&courses, "courses", false, "only the courses' figures")
	return dbFlag(cmd, src)
}

// configAndPeriod loads the config and reads the period's days in its
// time zone.
func configAndPeriod(src *configSource, from, to string) (config.Config, report.Range, error) {
	cfg, err := src.load()
	if err != nil {
		return cfg, report.Range{}, err
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return cfg, report.Range{}, err
	}
	r, err := parseRange(from, to, loc, time.Now())
	return cfg, r, err
}

// parseRange reads --from and --to as days in loc; to is inclusive.
func parseRange(from, to string, loc *time.Location, now time.Time) (report.Range, error) {
	day := func(flag, s string) (time.Time, error) {
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			return t, fmt.Errorf("--%s %q: want a date such as 2026-01-31", flag, s)
		}
		return t, nil
	}
	n := now.In(loc)
	end := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	if to != "" {
		t, err := day("to", to)
		if err != nil {
			return report.Range{}, err
		}
		end = t.AddDate(0, 0, 1)
	}
	start := end.AddDate(0, 0, -28)
	if from != "" {
		t, err := day("from", from)
		if err != nil {
			return report.Range{}, err
		}
		start = t
	}
	if !start.Before(end) {
		return report.Range{}, fmt.Errorf("--from %s is after --to", start.Format("2006-01-02"))
	}
	return report.Range{From: start, To: end}, nil
}
