package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/huddlebot/huddle/internal/csvsafe"
	"github.com/huddlebot/huddle/report"

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
				return writeCourses(cmd.OutOrStdout(), format, r, cs)
			}
			if err := writeReport(cmd.OutOrStdout(), format, r, rows, cs); err != nil || format != "table" || len(cs) == 0 {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return writeCourses(cmd.OutOrStdout(), format, r, cs)
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
func configAndPeriod(src *configSource, from, to string) (Config, report.Range, error) {
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

// writeReport writes the groups' figures as a table, CSV or JSON (which
// holds the courses' too).
func writeReport(w io.Writer, format string, r report.Range, rows []report.GroupFigures, courses []report.CourseFigures) error {
	t := figures{title: "Groups", none: "(no groups)",
		header: []string{"group", "members", "active", "messages", "answers", "correct %", "lessons started", "lessons finished", "cases", "escalated", "media KB"}}
	for _, g := range rows {
		pct := "-"
		if g.Answers > 0 {
			pct = strconv.Itoa((100*g.Correct + g.Answers/2) / g.Answers)
		}
		title := g.Title
		if title == "" {
			title = g.Channel + ":" + g.PlatformID
		}
		t.rows = append(t.rows, []string{title, strconv.Itoa(g.Members), strconv.Itoa(g.Active), strconv.Itoa(g.Messages), strconv.Itoa(g.Answers),
			pct, strconv.Itoa(g.LessonsStarted), strconv.Itoa(g.LessonsFinished), strconv.Itoa(g.Cases), strconv.Itoa(g.Escalated),
			strconv.FormatInt((g.MediaBytes+1023)>>10, 10)})
	}
	if courses == nil {
		courses = []report.CourseFigures{}
	}
	return t.write(w, format, r, struct {
		From    string                 `json:"from"`
		To      string                 `json:"to"`
		Groups  []report.GroupFigures  `json:"groups"`
		Courses []report.CourseFigures `json:"courses"`
	}{isoDay(r.From), isoDay(r.To.AddDate(0, 0, -1)), rows, courses})
}

// writeCourses writes the courses' figures as a table, CSV or JSON.
func writeCourses(w io.Writer, format string, r report.Range, rows []report.CourseFigures) error {
	t := figures{title: "Courses", none: "(no courses)",
		header: []string{"course", "groups started", "groups taking it", "groups ended", "members took part", "passed", "certificates", "CPD hours"}}
	for _, c := range rows {
		t.rows = append(t.rows, []string{c.CourseID, strconv.Itoa(c.Started), strconv.Itoa(c.Running), strconv.Itoa(c.Ended), strconv.Itoa(c.TookPart),
			strconv.Itoa(c.Passed), strconv.Itoa(c.Certificates), strconv.FormatFloat(c.Hours, 'f', -1, 64)})
	}
	if rows == nil {
		rows = []report.CourseFigures{}
	}
	return t.write(w, format, r, struct {
		From    string                 `json:"from"`
		To      string                 `json:"to"`
		Courses []report.CourseFigures `json:"courses"`
	}{isoDay(r.From), isoDay(r.To.AddDate(0, 0, -1)), rows})
}

// isoDay writes a report's day as its flags take it.
func isoDay(t time.Time) string { return t.Format("2006-01-02") }

// figures is one of the report's tables: its title, its columns and a
// row each, with what to say when it has none.
type figures struct {
	title, none string
	header      []string
	rows        [][]string
}

// write writes the table as a table for people or as CSV, or doc as JSON.
func (f figures) write(w io.Writer, format string, r report.Range, doc any) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	case "csv":
		cw := csvsafe.NewWriter(w)
		cw.Write(f.header)
		for _, row := range f.rows {
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	case "table":
		fmt.Fprintf(w, "%s, %s to %s\n\n", f.title, r.From.Format("2 Jan 2006"), r.To.AddDate(0, 0, -1).Format("2 Jan 2006"))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(f.header, "\t")+"\t")
		for _, row := range f.rows {
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		if len(f.rows) == 0 {
			fmt.Fprintln(tw, f.none)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format %q: want table, csv or json", format)
}
