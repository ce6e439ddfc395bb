package main

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/huddlebot/huddle/flows"
)

// settle is how long the lessons folder must be quiet before it is read
// again, so that an editor's save (often several writes and a rename) is
// read once, whole.
const settle = 300 * time.Millisecond

// watchLessons reloads the lessons folder dir when a file in it changes,
// and on SIGHUP, until ctx ends; apply receives each new library. A file
// with problems is refused whole, its problems logged, and the lesson it
// held keeps its last good version.
func watchLessons(ctx context.Context, dir string, log *slog.Logger, current func() *flows.Library, apply func(*flows.Library)) {
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
			if flows.IsLessonFile(ev.Name) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
				timer.Reset(settle)
			}
		case err := <-errs:
			log.Warn("watching the lessons folder", "err", err)
		case <-hup:
			log.Info("SIGHUP: reloading the lessons")
			timer.Reset(0)
		case <-timer.C:
			if lib := reloadLessons(dir, log, current()); lib != nil {
				apply(lib)
			}
		}
	}
}

// reloadLessons reads dir again; nil when it cannot be read at all.
func reloadLessons(dir string, log *slog.Logger, old *flows.Library) *flows.Library {
	lib, err := flows.Load(os.DirFS(dir), ".", dir)
	ps, isProblems := flows.IsProblems(err)
	if err != nil && !isProblems {
		log.Error("reload the lessons: the folder cannot be read; the lessons loaded stay", "lessons", dir, "err", err)
		return nil
	}
	for _, p := range ps {
		log.Error("lesson refused", "problem", p.String())
	}
	lib = lib.KeepBroken(old, ps)
	log.Info("lessons reloaded", "lessons", lib.Len(), "problems", len(ps))
	return lib
}
