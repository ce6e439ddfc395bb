package main

import (
	"errors"
	"fmt"
	"github.com/huddlebot/huddle"
	"io/fs"
	"os"

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
			if err := huddle.ValidateLessons(cmd.OutOrStdout(), args); err != nil {
				if errors.Is(err, huddle.ErrLessonProblems) {
					return exitError{err.Error()}
				}
				return err
			}
			return nil
		},
	}
	export := &cobra.Command{
		Use:   "export FOLDER",
		Short: "Write the built-in lessons and course as files to start from",
		Long: `Write the built-in sample lessons and course, with their pictures and sounds and
the lesson format's JSON Schema (for editors), into FOLDER (made; it must be
new or empty). Edit them there: a lesson of the lessons folder with a
built-in lesson's id replaces it.`,
		Example: `  huddle lessons export lessons/`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := huddle.ExportLessons(args[0])
			if err != nil {
				return err
			}
			for _, f := range files {
				fmt.Fprintln(cmd.OutOrStdout(), f)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d files; check them with: huddle lessons validate %s\n", len(files), args[0])
			return nil
		},
	}
	cmd.AddCommand(validate, export)
	return cmd
}
