package flows

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Library is a set of valid lessons by id, and the courses made of them.
type Library struct {
	byID    map[string]*Lesson
	ids     []string
	courses map[string]*Course
	cids    []string
}

// NewLibrary returns a library of the given lessons; a lesson id given
// twice is an error.
func NewLibrary(lessons ...*Lesson) (*Library, error) {
	lib := &Library{byID: map[string]*Lesson{}}
	for _, l := range lessons {
		if prev, dup := lib.byID[l.ID]; dup {
			return nil, fmt.Errorf("lesson id %q is used by both %s and %s", l.ID, prev.File, l.File)
		}
		lib.byID[l.ID] = l
		lib.ids = append(lib.ids, l.ID)
	}
	slices.Sort(lib.ids)
	return lib, nil
}

// WithCourses returns a library of lib's lessons and the given courses,
// each checked against them: a course id given twice, or a course with a
// problem (an unknown lesson, one run one to one), is an error listing
// every problem.
func (lib *Library) WithCourses(courses ...*Course) (*Library, error) {
	out := &Library{byID: lib.byID, ids: lib.ids, courses: map[string]*Course{}}
	var ps Problems
	for _, c := range courses {
		if prev, dup := out.courses[c.ID]; dup {
			ps = append(ps, Problem{File: c.File, Line: 1, Msg: fmt.Sprintf("course id %q is already used by %s", c.ID, prev.File)})
			continue
		}
		if cps := checkCourse(c, lib.byID); len(cps) > 0 {
			ps = append(ps, cps...)
			continue
		}
		out.courses[c.ID] = c
		out.cids = append(out.cids, c.ID)
	}
	slices.Sort(out.cids)
	if len(ps) > 0 {
		return out, ps
	}
	return out, nil
}

// Course returns a course by id.
func (lib *Library) Course(id string) (*Course, bool) {
	if lib == nil {
		return nil, false
	}
	c, ok := lib.courses[id]
	return c, ok
}

// Courses returns the courses ordered by id.
func (lib *Library) Courses() []*Course {
	if lib == nil {
		return nil
	}
	out := make([]*Course, len(lib.cids))
	for i, id := range lib.cids {
		out[i] = lib.courses[id]
	}
	return out
}

// Get returns a lesson by id.
func (lib *Library) Get(id string) (*Lesson, bool) {
	l, ok := lib.byID[id]
	return l, ok
}

// All returns the lessons ordered by id.
func (lib *Library) All() []*Lesson {
	if lib == nil {
		return nil
	}
	out := make([]*Lesson, len(lib.ids))
	for i, id := range lib.ids {
		out[i] = lib.byID[id]
	}
	return out
}

// Len is the number of lessons (courses not counted); a nil library has
// none.
func (lib *Library) Len() int {
	if lib == nil {
		return 0
	}
	return len(lib.ids)
}

// IsLessonFile reports whether a file name is a lesson's (.yaml or .yml).
func IsLessonFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// Load reads every lesson file under root in fsys, with the built-in step
// kinds. Each file with a problem is left out whole; the problems of all
// files come back together, each as file:line: message, beside the
// library of the valid lessons. The file names in problems are prefix
// joined with the path under root.
func Load(fsys fs.FS, root, prefix string) (*Library, error) {
	return load(builtin, fsys, root, prefix)
}

func load(kinds *Kinds, fsys fs.FS, root, prefix string) (*Library, error) {
	return loadOver(kinds, nil, fsys, root, prefix)
}

// loadOver is load with base's lessons and courses beneath the folder's:
// one of the folder's with a base one's id replaces it, and the folder's
// courses may list base lessons.
func loadOver(kinds *Kinds, base *Library, fsys fs.FS, root, prefix string) (*Library, error) {
	var lessons []*Lesson
	var courses []*Course
	var problems Problems
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !IsLessonFile(p) {
			return nil
		}
		name := path.Join(prefix, strings.TrimPrefix(strings.TrimPrefix(p, root), "/"))
		data, err := fs.ReadFile(fsys, p)
		if msg, ok := LinkProblem(fsys, p); ok {
			problems = append(problems, Problem{File: name, Line: 1, Msg: msg})
			return nil
		}
		if err != nil {
			return err
		}
		l, c, err := parseFile(kinds, name, data, fsys, path.Dir(p))
		if ps, ok := IsProblems(err); ok {
			problems = append(problems, ps...)
			return nil
		}
		if err != nil {
			return err
		}
		if c != nil {
			courses = append(courses, c)
		} else {
			lessons = append(lessons, l)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load lessons: %w", err)
	}
	// A second file with a known id is refused, the first kept.
	seen := map[string]*Lesson{}
	var unique []*Lesson
	for _, l := range lessons {
		if prev, dup := seen[l.ID]; dup {
			problems = append(problems, Problem{File: l.File, Line: 1, Msg: fmt.Sprintf("lesson id %q is already used by %s", l.ID, prev.File)})
			continue
		}
		seen[l.ID] = l
		unique = append(unique, l)
	}
	if base != nil {
		for _, l := range base.All() {
			if _, replaced := seen[l.ID]; !replaced {
				unique = append(unique, l)
			}
		}
		for _, c := range base.Courses() {
			if !slices.ContainsFunc(courses, func(o *Course) bool { return o.ID == c.ID }) {
				courses = append(courses, c)
			}
		}
	}
	lib, err := NewLibrary(unique...)
	if err != nil {
		return nil, err
	}
	lib, err = lib.WithCourses(courses...)
	if ps, ok := IsProblems(err); ok {
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return lib, problems
	}
	return lib, nil
}

// ErrNoLessons says a folder holds no lesson files.
var ErrNoLessons = errors.New("no lesson files (.yaml, .yml)")

// KeepBroken returns lib with the lessons of old whose files have problems
// now (as listed in ps) and whose ids lib lacks: a lesson file broken by an
// edit keeps its last good version running, with its problems reported,
// rather than vanishing in the middle of a course.
func (lib *Library) KeepBroken(old *Library, ps Problems) *Library {
	broken := map[string]bool{}
	for _, p := range ps {
		broken[p.File] = true
	}
	all := lib.All()
	for _, l := range old.All() {
		if _, ok := lib.Get(l.ID); !ok && broken[l.File] {
			all = append(all, l)
		}
	}
	out, err := NewLibrary(all...)
	if err != nil {
		return lib // cannot happen: ids were checked
	}
	courses := lib.Courses()
	for _, c := range old.Courses() {
		if _, ok := lib.Course(c.ID); !ok && broken[c.File] {
			courses = append(courses, c)
		}
	}
	if out, err = out.WithCourses(courses...); err != nil {
		// A kept course may list a lesson gone since: the others stay.
		return out
	}
	return out
}
