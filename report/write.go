package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/huddlebot/huddle/internal/csvsafe"
)

// WriteGroups writes the groups' figures as a table, CSV or JSON (which
// holds the courses' too).
func WriteGroups(w io.Writer, format string, r Range, rows []GroupFigures, courses []CourseFigures) error {
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
		courses = []CourseFigures{}
	}
	return t.write(w, format, r, struct {
		From    string          `json:"from"`
		To      string          `json:"to"`
		Groups  []GroupFigures  `json:"groups"`
		Courses []CourseFigures `json:"courses"`
	}{isoDay(r.From), isoDay(r.To.AddDate(0, 0, -1)), rows, courses})
}

// WriteCourses writes the courses' figures as a table, CSV or JSON.
func WriteCourses(w io.Writer, format string, r Range, rows []CourseFigures) error {
	t := figures{title: "Courses", none: "(no courses)",
		header: []string{"course", "groups started", "groups taking it", "groups ended", "members took part", "passed", "certificates", "CPD hours"}}
	for _, c := range rows {
		t.rows = append(t.rows, []string{c.CourseID, strconv.Itoa(c.Started), strconv.Itoa(c.Running), strconv.Itoa(c.Ended), strconv.Itoa(c.TookPart),
			strconv.Itoa(c.Passed), strconv.Itoa(c.Certificates), strconv.FormatFloat(c.Hours, 'f', -1, 64)})
	}
	if rows == nil {
		rows = []CourseFigures{}
	}
	return t.write(w, format, r, struct {
		From    string          `json:"from"`
		To      string          `json:"to"`
		Courses []CourseFigures `json:"courses"`
	}{isoDay(r.From), isoDay(r.To.AddDate(0, 0, -1)), rows})
}

// isoDay writes a report's day as YYYY-MM-DD.
func isoDay(t time.Time) string { return t.Format("2006-01-02") }

// figures is one of the report's tables: its title, its columns and a
// row each, with what to say when it has none.
type figures struct {
	title, none string
	header      []string
	rows        [][]string
}

// write writes the table as a table for people or as CSV, or doc as JSON.
func (f figures) write(w io.Writer, format string, r Range, doc any) error {
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
	return fmt.Errorf("format %q: want table, csv or json", format)
}
