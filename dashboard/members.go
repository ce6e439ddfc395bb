package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// memberRow is a member in the group page's table.
type memberRow struct {
	report.MemberActivity
	Label string // the pseudonym, or the name when staff asked and may
	Heat  []int  // 0–4 per week, for the activity cells
}

type groupData struct {
	Filter      filter
	Query       template.URL
	Group       report.GroupFigures
	Names       bool
	MayName     bool // the config lets staff see real names
	Members     []memberRow
	Weeks       []string
	Inactive    [3]int // for 1, 3 and 6 months
	Lessons     []lessonRow
	Assignments []report.GroupAssignment
}

// label names a member on the dashboard: by their pseudonym, or by the
// name the platform shows when staff ask for names and the config lets
// them. Mentors and staff, who teach, are named with their role: the
// dashboard is for staff, and a pseudonym hides a colleague from them.
func (d *Dashboard) label(r *http.Request, id int64, name, pseudonym string) string {
	if role, ok := d.roles(r.Context())[id]; ok {
		return withRole(id, name, pseudonym, role)
	}
	if d.showNames(r) && name != "" {
		return name
	}
	if pseudonym != "" {
		return pseudonym
	}
	return fmt.Sprintf("Member %d", id)
}

// withRole names one of the programme's own people, by name and role:
// "Dr Achieng (mentor)".
func withRole(id int64, name, pseudonym, role string) string {
	return cmp.Or(name, pseudonym, fmt.Sprintf("Member %d", id)) + " (" + role + ")"
}

// roles returns the mentors and staff by member id ("mentor", "staff"),
// read again when a page asks half a minute after the last read; nil
// when they cannot be read (then everyone is named as a member).
func (d *Dashboard) roles(ctx context.Context) map[int64]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.cfg.Clock.Now()
	if d.teachers != nil && now.Sub(d.teachersAt) < 30*time.Second && !now.Before(d.teachersAt) {
		return d.teachers
	}
	got, err := d.cfg.Reports.Teachers(ctx)
	if err != nil {
		d.cfg.Logger.Error("read mentors and staff", "err", err)
		return d.teachers
	}
	d.teachers, d.teachersAt = got, now
	return got
}

// showNames reports whether the page shows real names: asked for with
// names=1, where Config.RealNames allows it.
func (d *Dashboard) showNames(r *http.Request) bool {
	return d.cfg.RealNames && r.URL.Query().Get("names") == "1"
}

func (d *Dashboard) groupPage(w http.ResponseWriter, r *http.Request) {
	f, id, ok := d.filterAndID(w, r, "group")
	if !ok {
		return
	}
	f.Group = id
	ctx := r.Context()
	groups, err := d.cfg.Reports.Overview(ctx, f.r)
	if err != nil {
		d.fail(w, err)
		return
	}
	data := groupData{Filter: f, Query: template.URL(f.query()), Names: d.showNames(r), MayName: d.cfg.RealNames}
	found := false
	for _, g := range groups {
		if g.ChatID == id {
			data.Group, found = g, true
		}
	}
	if !found {
		http.Error(w, "no such group in this period", http.StatusNotFound)
		return
	}
	members, err := d.cfg.Reports.GroupMembers(ctx, f.r, id)
	if err != nil {
		d.fail(w, err)
		return
	}
	for _, wk := range store.Weeks(f.r) {
		data.Weeks = append(data.Weeks, wk.Format("2 Jan"))
	}
	for _, m := range members {
		row := memberRow{MemberActivity: m, Label: d.label(r, m.MemberID, m.Name, m.Pseudonym)}
		for _, n := range m.Weeks {
			row.Heat = append(row.Heat, min(4, (n+2)/3))
		}
		for i, months := range []int{1, 3, 6} {
			if m.Last.IsZero() || m.Last.Before(f.r.To.AddDate(0, -months, 0)) {
				data.Inactive[i]++
			}
		}
		data.Members = append(data.Members, row)
	}
	if data.Lessons, err = d.lessonRows(ctx, f.r, id); err != nil {
		d.fail(w, err)
		return
	}
	if data.Assignments, err = d.cfg.Reports.GroupAssignments(ctx, id); err != nil {
		d.fail(w, err)
		return
	}
	d.render(w, "group.html", data)
}

type memberData struct {
	Filter filter
	Query  template.URL
	Label  string
	Member report.MemberSummary
	// Titles are the loaded lessons' titles by id; a lesson no longer
	// loaded shows its id.
	Titles map[string]string
}

func (d *Dashboard) memberPage(w http.ResponseWriter, r *http.Request) {
	f, id, ok := d.filterAndID(w, r, "member")
	if !ok {
		return
	}
	m, err := d.cfg.Reports.Member(r.Context(), f.r, id)
	if err != nil {
		http.Error(w, "no such member", http.StatusNotFound)
		return
	}
	data := memberData{Filter: f, Query: template.URL(f.query()), Member: m, Label: d.label(r, id, m.Name, m.Pseudonym), Titles: map[string]string{}}
	for _, run := range m.Runs {
		if l, ok := d.lesson(run.LessonID); ok {
			data.Titles[run.LessonID] = l.Title
		}
	}
	d.render(w, "member.html", data)
}

// filterAndID reads a page's filter and the id in its path, answering the
// request itself when either is bad.
func (d *Dashboard) filterAndID(w http.ResponseWriter, r *http.Request, what string) (filter, int64, bool) {
	f, err := d.parseFilter(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return f, 0, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "not a "+what, http.StatusNotFound)
		return f, 0, false
	}
	return f, id, true
}
