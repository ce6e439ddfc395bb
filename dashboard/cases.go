package dashboard

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/huddlebot/huddle/internal/csvsafe"
	"github.com/huddlebot/huddle/report"
)

type casesData struct {
	Filter  filter
	Query   template.URL
	Groups  []report.GroupFigures
	Stats   report.CaseFigures
	Mentors []report.MentorLoad
	Chart   template.JS
}

// casesFigures computes the cases page's figures.
func (d *Dashboard) casesFigures(r *http.Request) (casesData, int, error) {
	f, err := d.parseFilter(r)
	if err != nil {
		return casesData{}, http.StatusBadRequest, err
	}
	ctx := r.Context()
	data := casesData{Filter: f, Query: template.URL(f.query())}
	if data.Groups, err = d.cfg.Reports.Overview(ctx, f.r); err != nil {
		return data, http.StatusInternalServerError, err
	}
	if data.Stats, err = d.cfg.Reports.CaseStats(ctx, f.r, f.Group); err != nil {
		return data, http.StatusInternalServerError, err
	}
	if data.Mentors, err = d.cfg.Reports.MentorLoads(ctx, f.r, f.Group); err != nil {
		return data, http.StatusInternalServerError, err
	}
	// Those who took cases mentored them, whether or not the
	// configuration still names them mentors: named as mentors (or by
	// the role they have now).
	roles := d.roles(ctx)
	for i, m := range data.Mentors {
		role, ok := roles[m.MemberID]
		if !ok {
			role = "mentor"
		}
		data.Mentors[i].Name = withRole(m.MemberID, m.Name, m.Pseudonym, role)
	}
	weeks, err := d.cfg.Reports.CaseWeeks(ctx, f.r, f.Group)
	if err != nil {
		return data, http.StatusInternalServerError, err
	}
	data.Chart = caseChart(weeks)
	return data, http.StatusOK, nil
}

// caseChart is the JSON the cases page's two charts draw: each week's
// cases by how they were settled, and the mentors' load.
func caseChart(w report.CaseWeeks) template.JS {
	chart := struct {
		Weeks       []int64  `json:"weeks"`
		Labels      []string `json:"labels"`
		ByPeers     []int    `json:"by_peers"`
		FromArchive []int    `json:"from_archive"`
		ByMentor    []int    `json:"by_mentor"`
		Open        []int    `json:"open"`
		Assigned    []int    `json:"assigned"`
		Answered    []int    `json:"answered"`
	}{ByPeers: w.ByPeers, FromArchive: w.FromArchive, ByMentor: w.ByMentor, Open: w.Open, Assigned: w.Assigned, Answered: w.Answered}
	chart.Weeks, chart.Labels = weekAxis(w.Weeks)
	js, _ := json.Marshal(chart)
	return template.JS(js)
}

func (d *Dashboard) casesPage(w http.ResponseWriter, r *http.Request) {
	data, code, err := d.casesFigures(r)
	if err != nil {
		d.problem(w, code, err)
		return
	}
	d.render(w, "cases.html", data)
}

func (d *Dashboard) mentorsCSV(w http.ResponseWriter, r *http.Request) {
	data, code, err := d.casesFigures(r)
	if err != nil {
		d.problem(w, code, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="huddle-mentors-%s-%s.csv"`, data.Filter.From, data.Filter.To))
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"mentor", "assigned", "answered", "open", "median hours from taking to answer"})
	for _, m := range data.Mentors {
		cw.Write([]string{m.Name, strconv.Itoa(m.Assigned), strconv.Itoa(m.Answered), strconv.Itoa(m.Open),
			strconv.FormatFloat(m.MedianAnswer.Hours(), 'f', 1, 64)})
	}
	cw.Flush()
}

// wait shows a duration to staff: "35 min", "5.5 h", "2.1 days".
func wait(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
	case d < 48*time.Hour:
		return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + " h"
	}
	return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) + " days"
}
