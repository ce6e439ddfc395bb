package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/lessons"
	"github.com/spf13/cobra"
)

func newLessonsCmd(src *configSource) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lessons",
		Short: "Work with lesson files",
	}
	validate := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check lesson and course files and folders; print every problem as file:line: message",
		Long: `Check lesson and course files (.yaml, .yml) and folders of them. Every
problem is printed as file:line: message, and the exit status is 1 when
there is any. A course file given alone is checked against the lessons of
its folder.
Without a PATH, the lessons folder of the configuration is checked, or the
built-in samples when it does not exist.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				cfg, err := src.load()
				if err != nil {
					return err
				}
				args = []string{cfg.Lessons}
				if _, err := os.Stat(cfg.Lessons); errors.Is(err, fs.ErrNotExist) {
					args = nil
				}
			}
			return validateLessons(cmd.OutOrStdout(), args)
		},
	}
	cmd.AddCommand(validate)
	return cmd
}

// validateLessons checks each path and reports; no paths means the
// built-in samples.
func validateLessons(w io.Writer, paths []string) error {
	if len(paths) == 0 {
		lib, err := flows.Load(lessons.FS, ".", "(built-in)")
		return printProblems(w, lib, err, "")
	}
	var failed bool
	for _, p := range paths {
		lib, err := loadPath(p)
		only := ""
		if info, statErr := os.Stat(p); statErr == nil && !info.IsDir() {
			only = filepath.Clean(p)
		}
		if printProblems(w, lib, err, only) != nil {
			failed = true
		}
	}
	if failed {
		return exitError{"lessons have problems"}
	}
	return nil
}

// loadPath loads a lesson file or a folder of them.
func loadPath(p string) (*flows.Library, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if info.IsDir() {
		lib, err := flows.Load(flows.Folder(p), ".", p)
		if err == nil && lib.Len() == 0 {
			return lib, fmt.Errorf("%s: %w", p, flows.ErrNoLessons)
		}
		return lib, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	l, c, err := flows.ParseFile(filepath.Clean(p), data)
	if err != nil {
		return nil, err
	}
	if c == nil {
		// Read again beside its folder, for the images it names.
		if l, err = flows.ParseIn(flows.Folder(filepath.Dir(p)), ".", filepath.Clean(p), data); err != nil {
			return nil, err
		}
		return flows.NewLibrary(l)
	}
	// A course is checked against the lessons beside it (whatever their
	// own problems); only it is reported.
	dir := filepath.Dir(p)
	folder, err := flows.Load(flows.Folder(dir), ".", dir)
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
		return exitError{"lessons have problems"}
	}
	if err != nil {
		fmt.Fprintln(w, err)
		return exitError{err.Error()}
	}
	for _, l := range lib.All() {
		if only != "" && l.File != only {
			continue
		}
		fmt.Fprintf(w, "ok  %s  %s (%d steps, %s)\n", l.File, l.ID, len(l.Steps), l.Mode)
	}
	for _, c := range lib.Courses() {
		if only != "" && c.File != only {
			continue
		}
		fmt.Fprintf(w, "ok  %s  %s (course: %d lessons, %s CPD hours)\n", c.File, c.ID, len(c.Lessons), strconv.FormatFloat(c.CPDHours, 'f', -1, 64))
	}
	return nil
}
