package dashboard

import (
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/internal/csvsafe"
	"github.com/huddlebot/huddle/report"

	"github.com/huddlebot/huddle/flows"
)

// Lesson describes a loaded lesson for the dashboard's lesson pages.
type Lesson struct {
	ID, Title string
	// From says where it was loaded from: "built in", or its file.
	From  string
	Steps []Step
}

// Step is one step of a lesson as a learner reads it.
type Step struct {
	// Key names the step in recorded answers.
	Key, Kind, Text string
	Options         []string
	Tags            []string
	// Multi says the quiz takes several options.
	Multi bool
}

// lessonStep is a step's row on the lesson page.
type lessonStep struct {
	N       int
	Step    Step
	Figures report.StepFigures
	// Width is the funnel bar's share of the widest, in percent.
	Width    int
	TopWrong string
}

type lessonData struct {
	Filter   filter
	Query    template.URL
	Groups   []report.GroupFigures
	Lesson   Lesson
	Count    report.LessonCount
	Steps    []lessonStep
	Scores   template.JS
	PrePost  report.PrePost
	HasTests bool
	// Recall is each reviewed question's reviews by week, over
	// RecallWeeks.
	Recall      []recallRow
	RecallWeeks []time.Time
}

// recallRow is a question's row in the recall table: one cell a week.
type recallRow struct {
	Step  Step
	Weeks []report.Recall
}

func (d *Dashboard) lesson(id string) (Lesson, bool) {
	for _, l := range *d.lessons.Load() {
		if l.ID == id {
			return l, true
		}
	}
	return Lesson{}, false
}

// lessonFigures computes everything the lesson page and its CSV show.
func (d *Dashboard) lessonFigures(r *http.Request) (lessonData, int, error) {
	f, err := d.parseFilter(r)
	if err != nil {
		return lessonData{}, http.StatusBadRequest, err
	}
	l, ok := d.lesson(r.PathValue("id"))
	if !ok {
		return lessonData{}, http.StatusNotFound, fmt.Errorf("no lesson %q is loaded", r.PathValue("id"))
	}
	ctx := r.Context()
	data := lessonData{Filter: f, Query: template.URL(f.query()), Lesson: l}
	if data.Groups, err = d.cfg.Reports.Overview(ctx, f.r); err != nil {
		return data, http.StatusInternalServerError, err
	}
	counts, err := d.cfg.Reports.LessonCounts(ctx, f.r, f.Group)
	if err != nil {
		return data, http.StatusInternalServerError, err
	}
	for _, c := range counts {
		if c.LessonID == l.ID {
			data.Count = c
		}
	}
	figs, err := d.cfg.Reports.LessonSteps(ctx, f.r, l.ID, f.Group)
	if err != nil {
		return data, http.StatusInternalServerError, err
	}
	widest := 1
	var pre, post []string
	for i, st := range l.Steps {
		if st.Kind != "quiz" { // answers are recorded for quizzes
			continue
		}
		row := lessonStep{N: i + 1, Step: st, Figures: report.StepFigures{Key: st.Key}}
		if fg := figs[st.Key]; fg != nil {
			row.Figures = *fg
		}
		row.TopWrong = answerText(st, row.Figures.TopWrong)
		widest = max(widest, row.Figures.Members)
		data.Steps = append(data.Steps, row)
		for _, t := range st.Tags {
			if t == "pre" {
				pre = append(pre, st.Key)
			} else if t == "post" {
				post = append(post, st.Key)
			}
		}
	}
	for i := range data.Steps {
		data.Steps[i].Width = 100 * data.Steps[i].Figures.Members / widest
	}
	scores, err := d.cfg.Reports.LessonScores(ctx, f.r, l.ID, f.Group)
	if err != nil {
		return data, http.StatusInternalServerError, err
	}
	js, _ := json.Marshal(scores)
	data.Scores = template.JS(js)
	data.HasTests = len(pre) > 0 && len(post) > 0
	if data.PrePost, err = d.cfg.Reports.LessonPrePost(ctx, f.r, l.ID, f.Group, pre, post); err != nil {
		return data, http.StatusInternalServerError, err
	}
	recall, err := d.cfg.Reports.LessonRecall(ctx, f.r, l.ID, f.Group)
	if err != nil {
		return data, http.StatusInternalServerError, err
	}
	data.Recall, data.RecallWeeks = recallRows(l, recall)
	return data, http.StatusOK, nil
}

func (d *Dashboard) lessonPage(w http.ResponseWriter, r *http.Request) {
	data, code, err := d.lessonFigures(r)
	if err != nil {
		d.problem(w, code, err)
		return
	}
	d.render(w, "lesson.html", data)
}

func (d *Dashboard) lessonCSV(w http.ResponseWriter, r *http.Request) {
	data, code, err := d.lessonFigures(r)
	if err != nil {
		d.problem(w, code, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="huddle-%s-%s-%s.csv"`, data.Lesson.ID, data.Filter.From, data.Filter.To))
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"step", "kind", "text", "members answered", "first tries", "right at first try", "missed", "most given wrong answer", "times"})
	for _, s := range data.Steps {
		cw.Write([]string{strconv.Itoa(s.N), s.Step.Kind, firstLine(s.Step.Text), strconv.Itoa(s.Figures.Members), strconv.Itoa(s.Figures.FirstTries),
			strconv.Itoa(s.Figures.FirstRight), strconv.Itoa(s.Figures.Missed), s.TopWrong, strconv.Itoa(s.Figures.TopWrongCount)})
	}
	cw.Flush()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// problem answers a request that cannot be served.
func (d *Dashboard) problem(w http.ResponseWriter, code int, err error) {
	if code >= 500 {
		d.fail(w, err)
		return
	}
	http.Error(w, err.Error(), code)
}

// FromLibrary describes the loaded lessons for the lesson pages, in lang
// where they have it.
func FromLibrary(lib *flows.Library, lang string) []Lesson {
	var out []Lesson
	for _, l := range lib.All() {
		ls := Lesson{ID: l.ID, Title: l.Title.In(l.Lang(lang), l.Fallback()), From: l.File}
		if strings.HasPrefix(l.File, "(built-in)/") {
			ls.From = "built in"
		}
		for i := range l.Steps {
			p := l.Preview(i, lang)
			ls.Steps = append(ls.Steps, Step{Key: p.Key, Kind: p.Kind, Text: p.Text, Options: p.Options, Tags: p.Tags, Multi: p.Multi})
		}
		out = append(out, ls)
	}
	return out
}

// recallRows lays the lesson's reviewed questions out by week, in the
// lesson's order, over every week that had a review.
func recallRows(l Lesson, recall map[string][]report.Recall) ([]recallRow, []time.Time) {
	seen := map[time.Time]bool{}
	for _, weeks := range recall {
		for _, w := range weeks {
			seen[w.Week] = true
		}
	}
	weeks := slices.SortedFunc(maps.Keys(seen), func(a, b time.Time) int { return a.Compare(b) })
	var rows []recallRow
	for _, st := range l.Steps {
		got := recall[st.Key]
		if len(got) == 0 {
			continue
		}
		row := recallRow{Step: st, Weeks: make([]report.Recall, len(weeks))}
		for i, w := range weeks {
			row.Weeks[i].Week = w
			for _, g := range got {
				if g.Week.Equal(w) {
					row.Weeks[i] = g
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, weeks
}

// answerText is a recorded answer to step st as staff read it: a choice
// as its option's text, several (a multi-select's "1,3") joined with " +
// ", one alone of a multi-select marked so (it is wrong for what it
// leaves out, not for itself); anything else (a typed answer) as given.
func answerText(st Step, value string) string {
	var texts []string
	for _, part := range strings.Split(value, ",") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 || n > len(st.Options) {
			return value
		}
		texts = append(texts, st.Options[n-1])
	}
	if st.Multi && len(texts) == 1 {
		return texts[0] + " (alone)"
	}
	return strings.Join(texts, " + ")
}
