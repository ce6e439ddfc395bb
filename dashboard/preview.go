package dashboard

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/flows"
)

// previewFile is one lesson file in the preview's list.
type previewFile struct {
	Name     string
	ID       string
	Title    string
	Problems int
	// Course says the file is a course's, not a lesson's.
	Course bool
}

// previewData is what the preview of one file shows.
type previewData struct {
	File   string
	Lesson *flows.Lesson
	Course *flows.Course
	Title  string
	Lang   string
	Langs  []string
	Steps  []flows.StepPreview
	// SMS is what the lesson costs a member by SMS in Lang, in segments;
	// Wide are the characters outside the GSM alphabet that put a
	// message of it in UCS-2 ("" for none).
	SMS      int
	Wide     string
	Problems []flows.Problem
	Source   []sourceLine
}

// sourceLine is a line of a broken file, with the problems found on it.
type sourceLine struct {
	N        int
	Text     string
	Problems []string
}

// lessonFiles lists the YAML files of the lessons folder.
func (d *Dashboard) lessonFiles() ([]string, error) {
	if d.cfg.LessonFiles == nil {
		return nil, nil
	}
	var names []string
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		m, err := fs.Glob(d.cfg.LessonFiles, pattern)
		if err != nil {
			return nil, err
		}
		names = append(names, m...)
	}
	slices.Sort(names)
	return names, nil
}

// parseFile reads and checks one lesson file, and its images when
// images is set (the list leaves them: each is scaled as it is read).
func (d *Dashboard) parseFile(name string, images bool) (*flows.Lesson, []flows.Problem, []byte, error) {
	data, err := fs.ReadFile(d.cfg.LessonFiles, name)
	if msg, ok := flows.LinkProblem(d.cfg.LessonFiles, name); ok {
		// A link out of the folder is not read, nor shown.
		return nil, []flows.Problem{{File: name, Line: 1, Msg: msg}}, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var l *flows.Lesson
	if images {
		l, err = d.cfg.Kinds.ParseIn(d.cfg.LessonFiles, path.Dir(name), name, data)
	} else {
		l, err = d.cfg.Kinds.Parse(name, data)
	}
	if ps, ok := flows.IsProblems(err); ok {
		return nil, ps, data, nil
	}
	return l, nil, data, err
}

// courseFile reads name as a course file; nil when it is none (or has
// problems, which the lesson's reading shows).
func (d *Dashboard) courseFile(name string, data []byte) *flows.Course {
	_, c, err := d.cfg.Kinds.ParseFile(name, data)
	if err != nil {
		return nil
	}
	return c
}

func (d *Dashboard) previewList(w http.ResponseWriter, r *http.Request) {
	names, err := d.lessonFiles()
	if err != nil {
		d.fail(w, err)
		return
	}
	var files []previewFile
	for _, n := range names {
		l, ps, _, err := d.parseFile(n, false)
		if err != nil {
			d.fail(w, err)
			return
		}
		f := previewFile{Name: n, Problems: len(ps)}
		if l != nil {
			f.ID, f.Title = l.ID, l.Title.In(l.Fallback(), "")
		} else if data, err := fs.ReadFile(d.cfg.LessonFiles, n); err == nil {
			if c := d.courseFile(n, data); c != nil {
				f.ID, f.Title, f.Problems, f.Course = c.ID, c.Name(""), 0, true
			}
		}
		files = append(files, f)
	}
	d.render(w, "previews.html", struct {
		Folder  string
		Files   []previewFile
		Running []Lesson
	}{d.cfg.LessonsLabel, files, *d.lessons.Load()})
}

func (d *Dashboard) preview(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name != path.Base(name) || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
		http.Error(w, "not a lesson file", http.StatusNotFound)
		return
	}
	l, ps, src, err := d.parseFile(name, true)
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "no lesson file "+name, http.StatusNotFound)
		return
	}
	if err != nil {
		d.fail(w, err)
		return
	}
	data := previewData{File: name, Lesson: l, Problems: ps}
	if l == nil {
		if c := d.courseFile(name, src); c != nil {
			data.Course, data.Problems, data.Title = c, nil, c.Name(r.URL.Query().Get("lang"))
			d.render(w, "preview.html", data)
			return
		}
	}
	if l != nil {
		data.Langs = l.Languages
		data.Lang = l.Lang(r.URL.Query().Get("lang"))
		data.Title = l.Title.In(data.Lang, l.Fallback())
		for i := range l.Steps {
			data.Steps = append(data.Steps, l.Preview(i, data.Lang))
		}
		var wide string
		data.SMS, wide = l.SMSCost(data.Lang)
		data.Wide = strings.Join(strings.Split(wide, ""), " ")
	} else {
		byLine := map[int][]string{}
		for _, p := range ps {
			byLine[p.Line] = append(byLine[p.Line], p.Msg)
		}
		for i, line := range strings.Split(string(src), "\n") {
			data.Source = append(data.Source, sourceLine{N: i + 1, Text: line, Problems: byLine[i+1]})
		}
	}
	d.render(w, "preview.html", data)
}

// previewMedia serves a step's sound, video or document (step is
// 1-based), so the preview plays and opens them as a learner gets them.
func (d *Dashboard) previewMedia(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	step, err := strconv.Atoi(r.PathValue("step"))
	if err != nil || name != path.Base(name) || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
		http.NotFound(w, r)
		return
	}
	l, _, _, err := d.parseFile(name, true)
	if errors.Is(err, fs.ErrNotExist) || l == nil || step < 1 || step > len(l.Steps) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		d.fail(w, err)
		return
	}
	m := l.Preview(step-1, "").Media
	if m == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", m.MIMEType)
	// A video or a long voice note may take longer than a page to
	// reach a slow connection: beyond the server's write time.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(largeFileWrite))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(m.Data))
}
