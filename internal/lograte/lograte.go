// Package lograte keeps logs readable under attack: a warning that repeats
// (a wrong webhook secret, a wrong dashboard token, from one client or
// many) is written once a period with the count of its repeats, instead
// of once each time, so no one can fill the disk by knocking.
package lograte

import (
	"log/slog"
	"sync"
	"time"
)

// maxKinds bounds the kinds remembered: past it, the ones not seen for a
// period are forgotten, then the oldest.
const maxKinds = 4096

// Limiter writes each kind of warning at most once a period.
type Limiter struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu    sync.Mutex
	kinds map[string]*kind
}

type kind struct {
	since time.Time // when its last line was written
	count int       // repeats since then, not yet written
}

// New returns a Limiter that writes to log at most once every period per
// kind (a minute when zero); now is the clock (time.Now when nil).
func New(log *slog.Logger, every time.Duration, now func() time.Time) *Limiter {
	if every <= 0 {
		every = time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{log: log, every: every, now: now, kinds: make(map[string]*kind)}
}

// Warn logs msg with args at warning level for a warning of kind key: at
// once the first time in a period, with "count" 1; the repeats within the
// period are counted and written with the first one after it, as "count"
// (the warnings the line stands for) and "since" (when the last line was
// written).
func (l *Limiter) Warn(key, msg string, args ...any) {
	now := l.now()
	l.mu.Lock()
	k, ok := l.kinds[key]
	if !ok {
		l.makeRoom(now)
		k = &kind{}
		l.kinds[key] = k
	}
	k.count++
	if ok && now.Sub(k.since) < l.every {
		l.mu.Unlock()
		return
	}
	count, since := k.count, k.since
	k.count, k.since = 0, now
	l.mu.Unlock()
	args = append(args, "count", count)
	if ok {
		args = append(args, "since", since.Format(time.RFC3339))
	}
	l.log.Warn(msg, args...)
}

// makeRoom forgets kinds when maxKinds are remembered: those quiet for a
// period (their uncounted repeats are not written), and if that is not
// enough, any, down to half; mu held. It runs once in many new kinds.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.kinds) < maxKinds {
		return
	}
	for key, k := range l.kinds {
		if now.Sub(k.since) >= l.every {
			delete(l.kinds, key)
		}
	}
	for key := range l.kinds {
		if len(l.kinds) <= maxKinds/2 {
			break
		}
		delete(l.kinds, key)
	}
}
