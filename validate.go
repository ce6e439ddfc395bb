package huddle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/lessons"
)

// ErrLessonProblems says that ValidateLessons found problems (it printed
// them).
var ErrLessonProblems = errors.New("lessons have problems")

// ValidateLessons checks lesson and course files and folders (paths; the
// built-in samples when there are none) with the program's own step kinds
// beside the built-in ones, and prints every problem to w as file:line:
// message, or each lesson and course found valid. It returns
// ErrLessonProblems when there was any problem, or the error that kept a
// path from being read. A course file given alone is checked against the
// lessons of its folder.
func ValidateLessons(w io.Writer, paths []string, own ...flows.StepKind) error {
	kinds := newKinds()
	for _, k := range own {
		if err := kinds.Register(k); err != nil {
			return fmt.Errorf("huddle: %w", err)
		}
	}
	if len(paths) == 0 {
		lib, err := kinds.Load(lessons.FS, ".", builtinPrefix)
		return printProblems(w, lib, err, "")
	}
	var failed bool
	for _, p := range paths {
		lib, err := loadPath(kinds, p)
		only := ""
		if info, statErr := os.Stat(p); statErr == nil && !info.IsDir() {
			only = filepath.Clean(p)
		}
		if printProblems(w, lib, err, only) != nil {
			failed = true
		}
	}
	if failed {
		return ErrLessonProblems
	}
	return nil
}

// loadPath loads a lesson file or a folder of them.
func loadPath(kinds *flows.Kinds, p string) (*flows.Library, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if info.IsDir() {
		// Over the built-in lessons, as huddle runs it: its courses may
		// list them, and one of its lessons may replace one.
		base, err := kinds.Load(lessons.FS, ".", builtinPrefix)
		if err != nil {
			return nil, fmt.Errorf("the built-in lessons: %w", err)
		}
		lib, err := kinds.LoadOver(base, flows.Folder(p), ".", p)
		if err == nil && lib.Len() == 0 {
			return lib, fmt.Errorf("%s: %w", p, flows.ErrNoLessons)
		}
		return lib, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	l, c, err := kinds.ParseFile(filepath.Clean(p), data)
	if err != nil {
		return nil, err
	}
	if c == nil {
		// Read again beside its folder, for the images it names.
		if l, err = kinds.ParseIn(flows.Folder(filepath.Dir(p)), ".", filepath.Clean(p), data); err != nil {
			return nil, err
		}
		return flows.NewLibrary(l)
	}
	// A course is checked against the lessons beside it (whatever their
	// own problems); only it is reported.
	dir := filepath.Dir(p)
	base, err := kinds.Load(lessons.FS, ".", builtinPrefix)
	if err != nil {
		return nil, fmt.Errorf("the built-in lessons: %w", err)
	}
	folder, err := kinds.LoadOver(base, flows.Folder(dir), ".", dir)
	if _, ok := flows.IsProblems(err); err != nil && !ok {
		return nil, err
	}
	lessons, err := flows.NewLibrary(folder.All()...)
	if err != nil {
		return nil, err
	}
	return lessons.WithCourses(c)
}

// printProblems prints the problems, or each lesson and course valid;
// only those of the file only when it is set.
func printProblems(w io.Writer, lib *flows.Library, err error, only string) error {
	if ps, ok := flows.IsProblems(err); ok {
		for _, p := range ps {
			fmt.Fprintln(w, p)
		}
		if only != "" {
			fmt.Fprintf(w, "%d problem(s)\n", len(ps))
		} else {
			fmt.Fprintf(w, "%d problem(s); %d lesson(s) and %d course(s) valid\n", len(ps), lib.Len(), len(lib.Courses()))
		}
		return ErrLessonProblems
	}
	if err != nil {
		fmt.Fprintln(w, err)
		return fmt.Errorf("%w: %w", ErrLessonProblems, err)
	}
	for _, l := range lib.All() {
		if only != "" && l.File != only || builtinOnly(l.File, lib) {
			continue
		}
		fmt.Fprintf(w, "ok  %s  %s (%s, %s)", l.File, l.ID, plural(len(l.Steps), "step", "steps"), l.Mode)
		var costs, over []string
		langs := l.Languages
		if len(langs) == 0 {
			langs = []string{""} // written in one language, unnamed
		}
		for _, lang := range langs {
			n, wide := l.SMSCost(lang)
			cost := strings.TrimSpace(lang + " " + plural(n, "segment", "segments"))
			if wide != "" {
				cost += " (UCS-2 for " + wideChars(wide) + ")"
			}
			costs = append(costs, cost)
			if n > smsWarnAbove {
				over = append(over, cost)
			}
		}
		fmt.Fprintf(w, " · by SMS, a member: %s\n", strings.Join(costs, ", "))
		if len(over) > 0 {
			fmt.Fprintf(w, "warning: %s: lesson %s costs more than %d SMS segments a member (%s): each member of a group gets each message; "+
				"shorten it, or write it without the characters that force UCS-2 (named in brackets)\n",
				l.File, l.ID, smsWarnAbove, strings.Join(over, ", "))
		}
	}
	for _, c := range lib.Courses() {
		if only != "" && c.File != only || builtinOnly(c.File, lib) {
			continue
		}
		fmt.Fprintf(w, "ok  %s  %s (course: %s, %s)\n", c.File, c.ID, plural(len(c.Lessons), "lesson", "lessons"),
			plural(c.CPDHours, "CPD hour", "CPD hours"))
	}
	return nil
}

// smsWarnAbove is the SMS segments a lesson may cost a member before
// validation warns: about what a member on a feature phone pays for a
// week's messages in the programs we serve, at a few US cents a segment.
const smsWarnAbove = 30

// builtinOnly reports whether file is a built-in one listed beside a
// folder's: a folder's check says ok of its own files, not of the
// built-in lessons it was read over.
func builtinOnly(file string, lib *flows.Library) bool {
	if !strings.HasPrefix(file, builtinPrefix+"/") {
		return false
	}
	for _, l := range lib.All() {
		if !strings.HasPrefix(l.File, builtinPrefix+"/") {
			return true // the library holds a folder's lessons too
		}
	}
	return false
}

// ExportLessons writes the built-in sample lessons and course, with their
// pictures and sounds and the lesson format's JSON Schema (for editors),
// into the folder dir (made; it must be new or empty): files to start a
// programme's own lessons from. It returns the files written.
func ExportLessons(dir string) ([]string, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("export lessons: %s is not empty: give a new folder", dir)
	}
	var written []string
	err := fs.WalkDir(lessons.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) == "README.md" {
			return err
		}
		data, err := fs.ReadFile(lessons.FS, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
		written = append(written, dst)
		return nil
	})
	if err != nil {
		return written, fmt.Errorf("export lessons: %w", err)
	}
	return written, nil
}

// plural writes n and its noun, singular for one: "1 lesson", "2 CPD
// hours", "1.5 CPD hours".
func plural[N int | float64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatFloat(float64(n), 'f', -1, 64) + " " + many
}

// wideChars names the characters that force UCS-2, up to five: "µ °", or
// "ç á ã í ó and 3 more".
func wideChars(wide string) string {
	rs := []rune(wide)
	names := make([]string, 0, 5)
	for _, r := range rs[:min(len(rs), 5)] {
		names = append(names, string(r))
	}
	out := strings.Join(names, " ")
	if len(rs) > 5 {
		out += fmt.Sprintf(" and %d more", len(rs)-5)
	}
	return out
}
