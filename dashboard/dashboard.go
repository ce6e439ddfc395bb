// Package dashboard serves program staff's pages: the overview of every
// group's activity and each lesson's funnel, difficulty, scores and
// pre/post-test gain, with charts, filters and CSV downloads. Everything it
// shows is computed in SQL by store's report reader; its chart library
// (uPlot, MIT) is served from the binary, so it works with no internet.
package dashboard

import (
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/csvsafe"
	"github.com/huddlebot/huddle/report"

	"github.com/huddlebot/huddle/store"
)

//go:embed assets templates
var files embed.FS

// Path is where the dashboard is served.
const Path = "/dashboard/"

// Config holds what the dashboard needs.
type Config struct {
	Reports *store.Reader
	// Location is the time zone of dates; UTC when nil.
	Location *time.Location
	// Clock defaults to the system clock.
	Clock bot.Clock
	// Lessons are the loaded lessons, for the lesson pages; Courses the
	// loaded courses, for the course pages.
	Lessons []Lesson
	Courses []Course
	// LessonFiles is the lessons folder, valid files or not, for the
	// preview; LessonsLabel names it.
	LessonFiles  fs.FS
	LessonsLabel string
	// Kinds are the step kinds the preview reads lessons with; the
	// built-in ones when nil.
	Kinds *flows.Kinds
	// RealNames lets staff show members' real names (the platforms')
	// instead of their pseudonyms, page by page.
	RealNames bool
	// Channels reports the state of the messaging channels that have one
	// to tell (WhatsApp's connection, bans, undecryptable messages), shown
	// atop the overview; none when nil.
	Channels func() []ChannelState
	// MaxDays is the longest period, in days, a page or file may cover, so
	// that one request cannot make the server read years of activity;
	// DefaultMaxDays when zero.
	MaxDays int
	// Resend queues a message the sender gave up on to be sent again
	// (the list of messages not delivered offers it); the list has no
	// button when nil.
	Resend func(ctx context.Context, id int64) error
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// ChannelState is what the overview says of a channel: its name, whether
// it is working, and a line of detail.
type ChannelState = bot.ChannelState

// DefaultMaxDays is the longest period the dashboard shows by default:
// two years.
const DefaultMaxDays = 731

// Dashboard is the staff dashboard.
type Dashboard struct {
	cfg     Config
	page    *template.Template
	lessons atomic.Pointer[[]Lesson] // Config.Lessons, then SetLessons's
	courses atomic.Pointer[[]Course] // Config.Courses, then SetCourses's
	// teachers are the mentors and staff by member id, as read at
	// teachersAt (see roles).
	mu         sync.Mutex
	teachers   map[int64]string
	teachersAt time.Time
}

// SetLessons replaces the loaded lessons, as when the lessons folder
// changed.
func (d *Dashboard) SetLessons(lessons []Lesson) { d.lessons.Store(&lessons) }

// New returns the dashboard.
func New(cfg Config) *Dashboard {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Kinds == nil {
		cfg.Kinds = flows.NewKinds()
	}
	if cfg.MaxDays <= 0 {
		cfg.MaxDays = DefaultMaxDays
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	page := template.Must(template.New("").Funcs(template.FuncMap{
		"pct": func(part, whole int) string {
			if whole == 0 {
				return "–"
			}
			return strconv.Itoa((100*part+whole/2)/whole) + "%"
		},
		"wait": wait,
		// count writes n and the noun for it in English: "1 lesson", "2
		// lessons", "1.5 CPD hours".
		"count": count,
		// noun is count's noun alone, for a card's label under its figure.
		"noun":  noun,
		"bytes": byteSize,
		"inc":   func(i int) int { return i + 1 },
		// named reports whether a step key is an id the author gave
		// (q1), not the number one stands for (#3).
		"named": func(key string) bool { return !strings.HasPrefix(key, "#") },
		"kb":    func(b []byte) int { return (len(b) + 1023) / 1024 },
		// A lesson's picture, inline: the page's policy allows data: images.
		"imageURL": func(m *flows.Media) template.URL {
			return template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(m.Data))
		},
		"share": func(f float64) string { return strconv.Itoa(int(100*f+0.5)) + "%" },
		"gain": func(pp report.PrePost) string {
			pts := int(100*(pp.Post-pp.Pre) + 0.5*sign(pp.Post-pp.Pre))
			if pp.Members == 0 {
				return "–"
			}
			return fmt.Sprintf("%+d points", pts)
		},
		"per": func(n, d int) string {
			if d == 0 {
				return "–"
			}
			return strconv.FormatFloat(float64(n)/float64(d), 'f', 1, 64)
		},
	}).ParseFS(files, "templates/*.html"))
	d := &Dashboard{cfg: cfg, page: page}
	d.SetLessons(cfg.Lessons)
	d.SetCourses(cfg.Courses)
	return d
}

// Handler serves the dashboard under Path.
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(files, "assets")
	mux.Handle("GET "+Path+"assets/", http.StripPrefix(Path+"assets/", http.FileServerFS(static)))
	mux.HandleFunc("GET "+Path+"{$}", d.overview)
	mux.HandleFunc("GET "+Path+"overview.csv", d.overviewCSV)
	mux.HandleFunc("GET "+Path+"cases", d.casesPage)
	mux.HandleFunc("GET "+Path+"media/{$}", d.mediaPage)
	mux.HandleFunc("GET "+Path+"media/{hash}", d.mediaFile)
	mux.HandleFunc("GET "+Path+"group/{id}", d.groupPage)
	mux.HandleFunc("GET "+Path+"member/{id}", d.memberPage)
	mux.HandleFunc("GET "+Path+"preview/{$}", d.previewList)
	mux.HandleFunc("GET "+Path+"preview/{file}", d.preview)
	mux.HandleFunc("GET "+Path+"preview/{file}/media/{step}", d.previewMedia)
	mux.HandleFunc("GET "+Path+"mentors.csv", d.mentorsCSV)
	mux.HandleFunc("GET "+Path+"undelivered", d.undeliveredPage)
	mux.HandleFunc("POST "+Path+"undelivered/{id}/resend", d.resend)
	mux.HandleFunc("GET "+Path+"lesson/{id}", d.lessonPage)
	mux.HandleFunc("GET "+Path+"course/{id}", d.coursePage)
	mux.HandleFunc("GET "+Path+"lesson/{id}/steps.csv", d.lessonCSV)
	return mux
}

// filter is what the page's form sets: a period and maybe one group.
type filter struct {
	From, To string // YYYY-MM-DD, To included
	Group    int64
	r        report.Range
}

// query is the filter as URL parameters.
func (f filter) query() string {
	q := "from=" + f.From + "&to=" + f.To
	if f.Group != 0 {
		q += "&group=" + strconv.FormatInt(f.Group, 10)
	}
	return q
}

// parseFilter reads the filter; the last 8 weeks by default.
func (d *Dashboard) parseFilter(r *http.Request) (filter, error) {
	loc := d.cfg.Location
	now := d.cfg.Clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	f := filter{r: report.Range{From: today.AddDate(0, 0, -55), To: today.AddDate(0, 0, 1)}}
	if v := r.URL.Query().Get("from"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return f, fmt.Errorf("from %q is not a date", v)
		}
		f.r.From = t
	}
	if v := r.URL.Query().Get("to"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return f, fmt.Errorf("to %q is not a date", v)
		}
		f.r.To = t.AddDate(0, 0, 1)
	}
	if !f.r.From.Before(f.r.To) {
		return f, fmt.Errorf("the period ends before it starts")
	}
	if f.r.To.After(f.r.From.AddDate(0, 0, d.cfg.MaxDays)) {
		return f, fmt.Errorf("the period is longer than %d days, the most the dashboard shows at once (dashboard.max_days)", d.cfg.MaxDays)
	}
	if v := r.URL.Query().Get("group"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, fmt.Errorf("group %q is not a group", v)
		}
		f.Group = id
	}
	f.From, f.To = f.r.From.Format("2006-01-02"), f.r.To.AddDate(0, 0, -1).Format("2006-01-02")
	return f, nil
}

// overviewData is what the overview page shows.
type overviewData struct {
	Filter   filter
	Query    template.URL
	Groups   []report.GroupFigures // every group, for the filter's list
	Rows     []report.GroupFigures // the groups shown
	Total    report.GroupFigures
	Chart    template.JS
	Selected string
	Lessons  []lessonRow
	Courses  []Course
	Channels []ChannelState
	// Undelivered counts the messages the sender gave up on.
	Undelivered int
}

// lessonRow is a lesson in the overview's list.
type lessonRow struct {
	ID, Title         string
	Started, Finished int
}

func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request) {
	f, err := d.parseFilter(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// The figures run one after another: run at once on the reader's
	// connections they took half as long again (pure-Go SQLite contends
	// on its allocator).
	var (
		data   = overviewData{Filter: f, Query: template.URL(f.query()), Courses: *d.courses.Load()}
		groups []report.GroupFigures
		weeks  []report.WeekCount
		ctx    = r.Context()
	)
	for _, figure := range []func() error{
		func() (err error) { groups, err = d.cfg.Reports.Overview(ctx, f.r); return err },
		func() (err error) { data.Total, err = d.cfg.Reports.Summary(ctx, f.r, f.Group); return err },
		func() (err error) { weeks, err = d.cfg.Reports.WeeklyActive(ctx, f.r, f.Group); return err },
		func() (err error) { data.Lessons, err = d.lessonRows(ctx, f.r, f.Group); return err },
		func() (err error) { _, data.Undelivered, err = d.cfg.Reports.Undelivered(ctx, 0); return err },
	} {
		if err := figure(); err != nil {
			d.fail(w, err)
			return
		}
	}
	data.Groups, data.Rows, data.Chart = groups, groups, weekChart(weeks)
	if d.cfg.Channels != nil {
		data.Channels = d.cfg.Channels()
	}
	if f.Group != 0 {
		data.Rows = nil
		for _, g := range groups {
			if g.ChatID == f.Group {
				data.Rows, data.Selected = []report.GroupFigures{g}, g.Title
			}
		}
	}
	d.render(w, "overview.html", data)
}

// weekChart is a weekly series as the pages' charts read it: weeks in Unix
// seconds, their labels (the first day, as the period's time zone has it)
// and the counts.
func weekChart(weeks []report.WeekCount) template.JS {
	chart := struct {
		Weeks  []int64  `json:"weeks"`
		Labels []string `json:"labels"`
		Counts []int    `json:"counts"`
	}{}
	days := make([]time.Time, len(weeks))
	for i, wk := range weeks {
		days[i] = wk.Week
		chart.Counts = append(chart.Counts, wk.Count)
	}
	chart.Weeks, chart.Labels = weekAxis(days)
	js, _ := json.Marshal(chart)
	return template.JS(js)
}

// weekAxis is a weekly chart's x axis: each week's first day in seconds,
// and its label as the period's time zone has it.
func weekAxis(weeks []time.Time) ([]int64, []string) {
	secs, labels := make([]int64, len(weeks)), make([]string, len(weeks))
	for i, wk := range weeks {
		secs[i], labels[i] = wk.Unix(), wk.Format("2 Jan")
	}
	return secs, labels
}

// lessonRows lists the lessons run in the period, with their titles.
func (d *Dashboard) lessonRows(ctx context.Context, rg report.Range, chatID int64) ([]lessonRow, error) {
	counts, err := d.cfg.Reports.LessonCounts(ctx, rg, chatID)
	if err != nil {
		return nil, err
	}
	var rows []lessonRow
	for _, c := range counts {
		row := lessonRow{ID: c.LessonID, Title: c.LessonID, Started: c.Started, Finished: c.Finished}
		if l, ok := d.lesson(c.LessonID); ok {
			row.Title = l.Title
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// render writes a page.
func (d *Dashboard) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := d.page.ExecuteTemplate(w, name, data); err != nil {
		d.cfg.Logger.Error("dashboard page", "page", name, "err", err)
	}
}

// overviewCSV writes the overview's table as CSV, for the same filter.
func (d *Dashboard) overviewCSV(w http.ResponseWriter, r *http.Request) {
	f, err := d.parseFilter(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	groups, err := d.cfg.Reports.Overview(r.Context(), f.r)
	if err != nil {
		d.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="huddle-overview-%s-%s.csv"`, f.From, f.To))
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"group", "members", "active members", "messages", "answers", "correct", "lessons started", "lessons finished", "cases", "cases escalated", "media bytes sent"})
	for _, g := range groups {
		if f.Group != 0 && g.ChatID != f.Group {
			continue
		}
		cw.Write([]string{g.Title, strconv.Itoa(g.Members), strconv.Itoa(g.Active), strconv.Itoa(g.Messages), strconv.Itoa(g.Answers),
			strconv.Itoa(g.Correct), strconv.Itoa(g.LessonsStarted), strconv.Itoa(g.LessonsFinished), strconv.Itoa(g.Cases), strconv.Itoa(g.Escalated),
			strconv.FormatInt(g.MediaBytes, 10)})
	}
	cw.Flush()
}

func (d *Dashboard) fail(w http.ResponseWriter, err error) {
	d.cfg.Logger.Error("dashboard", "err", err)
	http.Error(w, "the figures could not be computed; see the log", http.StatusInternalServerError)
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// byteSize writes a count of bytes as people read it: "–" for none,
// "840 KB", "12.5 MB".
func byteSize(n int64) string {
	switch {
	case n <= 0:
		return "–"
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1023)>>10)
	case n < 100<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d MB", (n+1<<19)>>20)
}

// count writes n (an int or a float64) and its noun, singular for one:
// "1 lesson", "3 lessons", "1 CPD hour", "1.5 CPD hours".
func count(n any, one, many string) string {
	word := noun(n, one, many)
	if f, ok := n.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64) + " " + word
	}
	return fmt.Sprint(n) + " " + word
}

// noun is the noun for n things in English: one for exactly one (an int,
// int64 or float64), many otherwise. A card shows its figure large and
// the noun under it, so "1 group" needs the noun alone.
func noun(n any, one, many string) string {
	switch v := n.(type) {
	case int:
		if v == 1 {
			return one
		}
	case int64:
		if v == 1 {
			return one
		}
	case float64:
		if v == 1 {
			return one
		}
	}
	return many
}
