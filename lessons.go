package huddle

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/lessons"
)

// settle is how long the lessons folder must be quiet before it is read
// again, so that an editor's save (often several writes and a rename) is
// read once, whole.
const settle = 300 * time.Millisecond

// watchLessons reloads the lessons folder dir when a file in it changes,
// and on SIGHUP, until ctx ends; apply receives each new library. A file
// with problems is refused whole, its problems logged, and the lesson it
// held keeps its last good version.
func watchLessons(ctx context.Context, kinds *flows.Kinds, dir string, log *slog.Logger, current func() *flows.Library, apply func(*flows.Library)) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var w *fsnotify.Watcher
	var events <-chan fsnotify.Event
	var errs <-chan error
	if fw, err := fsnotify.NewWatcher(); err != nil {
		log.Warn("cannot watch the lessons folder: send SIGHUP to reload it", "lessons", dir, "err", err)
	} else {
		w = fw
		defer w.Close()
		events, errs = w.Events, w.Errors
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				if err := w.Add(p); err != nil {
					log.Warn("cannot watch a lessons folder: send SIGHUP to reload it", "folder", p, "err", err)
				}
			}
			return nil
		})
	}

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			if ev.Has(fsnotify.Create) {
				// A folder made later is watched too.
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					w.Add(ev.Name)
					timer.Reset(settle)
				}
			}
			if flows.IsLessonFile(ev.Name) || flows.IsMediaFile(ev.Name) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
				timer.Reset(settle)
			}
		case err := <-errs:
			log.Warn("watching the lessons folder", "err", err)
		case <-hup:
			log.Info("SIGHUP: reloading the lessons")
			timer.Reset(0)
		case <-timer.C:
			if lib := reloadLessons(kinds, dir, log, current()); lib != nil {
				apply(lib)
			}
		}
	}
}

// reloadLessons reads dir again; nil when it cannot be read at all.
func reloadLessons(kinds *flows.Kinds, dir string, log *slog.Logger, old *flows.Library) *flows.Library {
	lib, err := kinds.Load(flows.Folder(dir), ".", dir)
	ps, isProblems := flows.IsProblems(err)
	if err != nil && !isProblems {
		log.Error("reload the lessons: the folder cannot be read; the lessons loaded stay", "lessons", dir, "err", err)
		return nil
	}
	for _, p := range ps {
		log.Error("lesson refused", "problem", p.String())
	}
	lib = lib.KeepBroken(old, ps)
	log.Info("lessons reloaded", "lessons", lib.Len(), "courses", len(lib.Courses()), "problems", len(ps))
	return lib
}

// LoadLessons loads the lessons folder dir as New does: the built-in
// samples when dir is empty or does not exist, and a lesson with problems
// left out, each problem logged, while the valid ones run.
func LoadLessons(dir string, log *slog.Logger) (*flows.Library, error) {
	lib, _, err := loadLessons(flows.NewKinds(), dir, log)
	return lib, err
}

// loadLessons is LoadLessons that also says which folder to watch for
// changes ("" for the samples).
func loadLessons(kinds *flows.Kinds, dir string, log *slog.Logger) (lib *flows.Library, watch string, err error) {
	if _, statErr := os.Stat(dir); dir == "" || errors.Is(statErr, fs.ErrNotExist) {
		if dir != "" {
			log.Info("no lessons folder; using the built-in sample lessons", "lessons", dir)
		}
		lib, err = kinds.Load(lessons.FS, ".", "(built-in)")
	} else {
		lib, err = kinds.Load(flows.Folder(dir), ".", dir)
		watch = dir
	}
	if ps, ok := flows.IsProblems(err); ok {
		for _, p := range ps {
			log.Error("lesson refused", "problem", p.String())
		}
		log.Error("some lessons were not loaded; run 'huddle lessons validate' for the list", "problems", len(ps))
		return lib, watch, nil
	}
	if err != nil {
		return nil, "", err
	}
	if lib.Len() == 0 {
		log.Warn("the lessons folder holds no lesson files", "lessons", dir)
	}
	return lib, watch, nil
}
