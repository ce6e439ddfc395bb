package huddle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/transcode"
)

// settle is how long the lessons folder must be quiet before it is read
// again, so that an editor's save (often several writes and a rename) is
// read once, whole.
const settle = 300 * time.Millisecond

// watchLessons reloads the lessons folder dir when a file in it changes,
// when the folder itself is replaced, and on SIGHUP, until ctx ends;
// apply receives each new library. A file with problems is refused whole,
// its problems logged, and the lesson it held keeps its last good
// version.
//
// Deploys replace a folder rather than edit it: a new folder renamed over
// the old one, a git checkout of a parent folder, a symbolic link flipped
// to a new release. A watch follows a folder, not its name, so the parent
// folder is watched too, and when the name dir comes to mean another
// folder, that one is watched and read. A folder that does not exist yet
// (the built-in lessons run meanwhile) is read once it is made, or on the
// next SIGHUP. SIGHUP never ends the process.
func watchLessons(ctx context.Context, src lessonSource, log *slog.Logger, current func() *flows.Library, apply func(*flows.Library)) {
	dir := src.dir
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	var w *fsnotify.Watcher
	var events <-chan fsnotify.Event
	var errs <-chan error
	if fw, err := fsnotify.NewWatcher(); err != nil {
		log.Warn("cannot watch the lessons folder: send SIGHUP to reload it", "lessons", dir, "err", err)
	} else {
		w = fw
		defer w.Close()
		events, errs = w.Events, w.Errors
	}
	// watchTree watches the parent folder and every folder under dir,
	// afresh: after a swap, the old watches follow folders gone.
	watchTree := func() {
		if w == nil {
			return
		}
		for _, p := range w.WatchList() {
			w.Remove(p)
		}
		if err := w.Add(parent); err != nil {
			log.Warn("cannot watch the folder that holds the lessons folder: a replaced lessons folder is read on SIGHUP", "folder", parent, "err", err)
		}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && (d.IsDir() || p == dir) {
				if err := w.Add(p); err != nil {
					log.Warn("cannot watch a lessons folder: send SIGHUP to reload it", "folder", p, "err", err)
				}
			}
			return nil
		})
	}
	watchTree()

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			name := filepath.Clean(ev.Name)
			switch {
			case name == dir:
				// The folder itself made, moved, replaced or its link
				// flipped: watch what the name means now.
				watchTree()
				timer.Reset(settle)
			case filepath.Dir(name) == parent && parent != dir:
				// Another file beside the lessons folder.
			default:
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
			}
		case err := <-errs:
			log.Warn("watching the lessons folder", "err", err)
		case <-hup:
			log.Info("SIGHUP: reloading the lessons")
			watchTree()
			timer.Reset(0)
		case <-timer.C:
			if lib := src.reload(log, current()); lib != nil {
				apply(lib)
			}
		}
	}
}

// lessonSource is where the lessons come from: a folder read with the
// App's step kinds, over the built-in lessons unless they are turned off.
type lessonSource struct {
	kinds    *flows.Kinds
	dir      string
	builtins bool
}

// builtin is the built-in lessons and course.
func (src lessonSource) builtin() (*flows.Library, error) {
	return src.kinds.Load(lessons.FS, ".", builtinPrefix)
}

// builtinPrefix names the built-in lessons' files: "(built-in)/hand-hygiene.yaml".
const builtinPrefix = "(built-in)"

// read reads the folder, over the built-in lessons when they are on.
func (src lessonSource) read() (*flows.Library, error) {
	if !src.builtins {
		return src.kinds.Load(flows.Folder(src.dir), ".", src.dir)
	}
	base, err := src.builtin()
	if err != nil {
		return nil, fmt.Errorf("the built-in lessons: %w", err)
	}
	return src.kinds.LoadOver(base, flows.Folder(src.dir), ".", src.dir)
}

// reload reads the folder again; nil when it cannot be read at all (the
// lessons loaded stay).
func (src lessonSource) reload(log *slog.Logger, old *flows.Library) *flows.Library {
	dir := src.dir
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		log.Warn("the lessons folder is not there (yet); the lessons loaded stay", "lessons", dir)
		return nil
	}
	lib, err := src.read()
	ps, isProblems := flows.IsProblems(err)
	if err != nil && !isProblems {
		log.Error("reload the lessons: the folder cannot be read; the lessons loaded stay", "lessons", dir, "err", err)
		return nil
	}
	for _, p := range ps {
		log.Error("lesson refused", "problem", p.String())
	}
	lib = lib.KeepBroken(old, ps)
	log.Info("lessons reloaded", append(origins(lib), "courses", len(lib.Courses()), "problems", len(ps))...)
	return lib
}

// origins counts the lessons by where they came from, for the log: the
// built-in ones and the folder's.
func origins(lib *flows.Library) []any {
	builtin, own := 0, 0
	for _, l := range lib.All() {
		if strings.HasPrefix(l.File, builtinPrefix+"/") {
			builtin++
		} else {
			own++
		}
	}
	return []any{"lessons", lib.Len(), "built_in", builtin, "from_folder", own}
}

// LoadLessons loads the lessons folder dir as New does, with the
// program's own step kinds beside the built-in ones: the folder's lessons
// over the built-in ones (one with a built-in's id replaces it), the
// built-in ones alone when dir is empty, an error when it does not
// exist, and a lesson with problems left out, each problem logged, while
// the valid ones run.
func LoadLessons(dir string, log *slog.Logger, own ...flows.StepKind) (*flows.Library, error) {
	kinds := newKinds()
	for _, k := range own {
		if err := kinds.Register(k); err != nil {
			return nil, fmt.Errorf("huddle: %w", err)
		}
	}
	lib, _, err := lessonSource{kinds: kinds, dir: dir, builtins: true}.load(false, log)
	return lib, err
}

// load is LoadLessons that also says which folder the lessons came from
// ("" for the samples alone); later lets a folder that does not exist yet
// serve the samples until it is made (Run watches for it).
func (src lessonSource) load(later bool, log *slog.Logger) (lib *flows.Library, watch string, err error) {
	dir := src.dir
	_, statErr := os.Stat(dir)
	missing := dir != "" && errors.Is(statErr, fs.ErrNotExist)
	if missing && !later {
		return nil, "", fmt.Errorf("the lessons folder %s does not exist: make it, or leave the setting out for the built-in sample lessons", dir)
	}
	if dir == "" || missing {
		if dir != "" {
			log.Info("no lessons folder yet; using the built-in sample lessons until it is made", "lessons", dir)
		}
		lib, err = src.builtin()
	} else {
		lib, err = src.read()
		watch = dir
	}
	if ps, ok := flows.IsProblems(err); ok {
		for _, p := range ps {
			log.Error("lesson refused", "problem", p.String())
		}
		log.Error("some lessons were not loaded; run 'huddle lessons validate' for the list", "problems", len(ps))
		err = nil
	}
	if err != nil {
		return nil, "", err
	}
	if lib.Len() == 0 {
		log.Warn("the lessons folder holds no lesson files", "lessons", dir)
	}
	log.Info("lessons loaded", append(origins(lib), "courses", len(lib.Courses()), "folder", dir)...)
	return lib, watch, nil
}

// newKinds returns the built-in step kinds, converting with ffmpeg where
// it is installed (transcode): a lesson's Ogg Vorbis or WAV sound becomes
// a voice note in Ogg Opus, and a video gets a poster from its frames.
func newKinds() *flows.Kinds {
	k := flows.NewKinds()
	if ff, ok := transcode.Find(); ok {
		k.SetConverter(ff)
	}
	return k
}
