package dashboard

import (
	"net/http"
	"strconv"
	"time"

	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/report"
)

// Course describes a loaded course for the course pages.
type Course struct {
	ID, Title string
	Lessons   []CourseLesson
	// Needed is how many lessons a member must pass; Hours the CPD hours
	// a pass earns.
	Needed int
	Hours  float64
}

// CourseLesson is one lesson of a course: its title and the share of its
// points that passes it in the course (0: taking part).
type CourseLesson struct {
	ID, Title string
	Mark      float64
}

// CoursesFromLibrary describes the loaded courses, in lang where
// translated.
func CoursesFromLibrary(lib *flows.Library, lang string) []Course {
	var out []Course
	for _, c := range lib.Courses() {
		cs := Course{ID: c.ID, Title: c.Name(lang), Needed: c.Needed(), Hours: c.CPDHours}
		for _, cl := range c.Lessons {
			l, _ := lib.Get(cl.Lesson)
			title := cl.Lesson
			if l != nil {
				title = l.Title.In(l.Lang(lang), l.Fallback())
			}
			cs.Lessons = append(cs.Lessons, CourseLesson{ID: cl.Lesson, Title: title, Mark: c.Mark(l)})
		}
		out = append(out, cs)
	}
	return out
}

// SetCourses replaces the loaded courses, as when the lessons folder
// changed.
func (d *Dashboard) SetCourses(courses []Course) { d.courses.Store(&courses) }

func (d *Dashboard) course(id string) (Course, bool) {
	for _, c := range *d.courses.Load() {
		if c.ID == id {
			return c, true
		}
	}
	return Course{}, false
}

// courseData is the course page.
type courseData struct {
	Course          Course
	Cohorts         []cohortView
	Names, MayName  bool
	Running, Passed int
}

// cohortView is one cohort's table.
type cohortView struct {
	report.Cohort
	// State is "running", "ended" or "stopped".
	State   string
	Lessons []cohortLessonView
	Members []cohortMemberView
	// Passed counts the members whose outcome is a pass.
	Passed int
}

type cohortLessonView struct {
	Title  string
	Opened bool
	Opens  string
}

type cohortMemberView struct {
	MemberID int64
	Label    string
	Cells    []cohortCell
	// Passed counts the lessons they passed so far.
	Passed  int
	Outcome string
	Cert    string
}

// cohortCell is a member's score in a lesson: "80%" and whether that
// passes; "–" when they did not answer.
type cohortCell struct {
	Text   string
	Passed bool
	Taken  bool
}

func (d *Dashboard) coursePage(w http.ResponseWriter, r *http.Request) {
	c, ok := d.course(r.PathValue("id"))
	if !ok {
		http.Error(w, "no course has that id", http.StatusNotFound)
		return
	}
	cohorts, err := d.cfg.Reports.CourseCohorts(r.Context(), c.ID)
	if err != nil {
		d.fail(w, err)
		return
	}
	data := courseData{Course: c, Names: d.showNames(r), MayName: d.cfg.RealNames}
	teachers := d.roles(r.Context())
	for _, h := range cohorts {
		v := cohortView{Cohort: h, State: "running"}
		switch {
		case h.Stopped:
			v.State = "stopped"
		case !h.Ended.IsZero():
			v.State = "ended"
		default:
			data.Running++
		}
		for i, l := range h.Lessons {
			title := l.LessonID
			if i < len(c.Lessons) && c.Lessons[i].ID == l.LessonID {
				title = c.Lessons[i].Title
			}
			v.Lessons = append(v.Lessons, cohortLessonView{Title: title, Opened: l.RunID != 0, Opens: d.day(l.Opens)})
		}
		for _, m := range h.Members {
			if _, ok := teachers[m.MemberID]; ok {
				continue // staff and mentors teach; they are not the course's learners
			}
			mv := cohortMemberView{MemberID: m.MemberID, Label: d.label(r, m.MemberID, m.Name, m.Pseudonym), Cert: m.Certificate}
			for i, s := range m.Scores {
				cell := cohortCell{Text: "–"}
				if s.Answered > 0 {
					mark := 0.0
					if i < len(c.Lessons) {
						mark = c.Lessons[i].Mark
					}
					cell = cohortCell{Taken: true, Passed: flows.Passes(s.Points, s.Max, mark), Text: "–"}
					if s.Max > 0 {
						cell.Text = strconv.Itoa(int(100*s.Points/s.Max+0.5)) + "%"
					}
					if cell.Passed {
						mv.Passed++
					}
				}
				mv.Cells = append(mv.Cells, cell)
			}
			switch {
			case m.Outcome != nil && m.Outcome.Passed:
				mv.Outcome = "passed"
				v.Passed++
				data.Passed++
			case m.Outcome != nil:
				mv.Outcome = "not passed"
			}
			v.Members = append(v.Members, mv)
		}
		data.Cohorts = append(data.Cohorts, v)
	}
	d.render(w, "course.html", data)
}

// day shows a date in the dashboard's time zone: "Mon 2 Mar".
func (d *Dashboard) day(t time.Time) string { return t.In(d.cfg.Location).Format("Mon 2 Jan 2006") }
