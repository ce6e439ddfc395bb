// Package schedule does Huddle's clock-driven work (lesson timers, assigned
// lessons, the features' jobs and due items), each in its chat's turn.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Store is what the Scheduler reads and writes: the due work, and
// transactions to act on it.
type Store interface {
	bot.Updater
	// DueAssignments lists up to limit assignments due at now, earliest
	// first.
	DueAssignments(ctx context.Context, now time.Time, limit int) ([]bot.Assignment, error)
	// DueTimers lists up to limit unfired timers due at now.
	DueTimers(ctx context.Context, now time.Time, limit int) ([]bot.Timer, error)
}

// Config wires a Scheduler.
type Config struct {
	Store  Store
	Engine bot.Engine
	// Queue orders the scheduler's work with each chat's events: the
	// Router.
	Queue bot.ChatQueue
	// Clock defaults to SystemClock; Logger to slog.Default().
	Clock  bot.Clock
	Logger *slog.Logger
	// Committed is called after every transaction that may have queued
	// outbound messages; wire it to Sender.Wake.
	Committed func()
	// Poll is how often due work is looked for; 500ms by default.
	Poll time.Duration
	// Features bring their periodic work (Jobs) and their items on the
	// clock (Checks).
	Features []bot.Feature
}

// Scheduler does Huddle's clock-driven work: lesson timers, assigned
// lessons, and the features' jobs and due items. It polls the store and hands each due item to
// its chat's turn, so it runs in order with the chat's events; it knows
// nothing of commands, options or consent.
type Scheduler struct {
	store     Store
	engine    bot.Engine
	clock     bot.Clock
	log       *slog.Logger
	committed func()
	poll      time.Duration
	queue     bot.ChatQueue
	jobs      []bot.Job
	checks    []bot.Check
}

// New returns a Scheduler; Run starts it.
func New(cfg Config) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Committed == nil {
		cfg.Committed = func() {}
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	r := &Scheduler{store: cfg.Store, engine: cfg.Engine, clock: cfg.Clock, log: cfg.Logger,
		committed: cfg.Committed, poll: cfg.Poll, queue: cfg.Queue}
	for _, f := range cfg.Features {
		r.jobs = append(r.jobs, f.Jobs...)
		r.checks = append(r.checks, f.Checks...)
	}
	return r
}

// Run fires due timers, starts due assignments and acts on the features'
// due items, each in its chat's turn, and runs their jobs, until ctx
// ends.
func (r *Scheduler) Run(ctx context.Context) error {
	var jobs sync.WaitGroup
	defer jobs.Wait()
	for _, j := range r.jobs {
		jobs.Go(func() { r.every(ctx, j) })
	}
	var mu sync.Mutex
	inflight := make(map[int64]bool)
	tick := time.NewTicker(r.poll)
	defer tick.Stop()
	for {
		due, err := r.store.DueTimers(ctx, r.clock.Now(), 200)
		if err != nil && ctx.Err() == nil {
			r.log.Error("list due timers", "err", err)
		}
		for _, t := range due {
			mu.Lock()
			busy := inflight[t.ID]
			inflight[t.ID] = true
			mu.Unlock()
			if busy {
				continue
			}
			done := r.queue.InTurn(ctx, bot.ChatKey(t.Channel, t.ChatPlatformID), func(ctx context.Context) error {
				return r.fire(ctx, t)
			})
			go func(id int64) {
				<-done
				mu.Lock()
				delete(inflight, id)
				mu.Unlock()
			}(t.ID)
		}
		r.startAssignments(ctx)
		for _, c := range r.checks {
			r.check(ctx, c)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// startAssignments starts the assigned lessons that are due, each in its
// chat's queue.
func (r *Scheduler) startAssignments(ctx context.Context) {
	due, err := r.store.DueAssignments(ctx, r.clock.Now(), 100)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("list due assignments", "err", err)
		}
		return
	}
	for _, a := range due {
		done := r.queue.InTurn(ctx, bot.ChatKey(a.Channel, a.ChatPlatformID), func(ctx context.Context) error {
			return r.startAssigned(ctx, a)
		})
		<-done // one at a time: the next poll must not list it again
	}
}

// check acts on a feature's items whose time has come, each in its
// turn.
func (r *Scheduler) check(ctx context.Context, c bot.Check) {
	due, err := c.Due(ctx, r.clock.Now(), 100)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("list due items", "check", c.Name, "err", err)
		}
		return
	}
	for _, d := range due {
		done := r.queue.InTurn(ctx, d.Turn, func(ctx context.Context) error {
			err := r.store.Update(ctx, func(tx bot.Tx) error { return c.Do(tx, d.ID, r.clock.Now()) })
			if err == nil {
				r.committed()
			} else if ctx.Err() == nil {
				r.log.Error("act on a due item", "check", c.Name, "id", d.ID, "err", err)
			}
			return err
		})
		<-done
	}
}

// missedStart is how late an assigned lesson may still start: after a
// longer outage the slot is skipped rather than the lesson posted at an odd
// hour.
const missedStart = time.Hour

// startAssigned starts one due assignment and moves it to its next time.
func (r *Scheduler) startAssigned(ctx context.Context, a bot.Assignment) error {
	now := r.clock.Now()
	err := r.store.Update(ctx, func(tx bot.Tx) error {
		next, ok := r.engine.NextStart(a.LessonID, now)
		if !ok {
			// The lesson lost its schedule (or was removed): nothing more
			// to start.
			_, err := tx.Unassign(a.ChatID, a.LessonID)
			return err
		}
		if moved, err := tx.AdvanceAssignment(a.ID, a.Next, next); err != nil || !moved {
			return err
		}
		if now.Sub(a.Next) > missedStart {
			r.log.Warn("assigned lesson skipped: its start passed while huddle was down", "lesson", a.LessonID, "chat", a.ChatID, "was_due", a.Next)
			return nil
		}
		chat, err := tx.ChatByID(a.ChatID)
		if err != nil {
			return err
		}
		if _, err := tx.ActiveRun(chat.ID); err == nil {
			r.log.Info("assigned lesson skipped: another lesson is running", "lesson", a.LessonID, "chat", a.ChatID)
			return nil
		} else if !errors.Is(err, bot.ErrNotFound) {
			return err
		}
		s := bot.Session{Chat: chat, Member: bot.Member{ID: a.AssignedBy}, Lang: chat.Lang, Now: now,
			Event: bot.Event{ID: fmt.Sprintf("assign:%d:%d", a.ID, a.Next.UnixMilli()), Channel: chat.Channel, ChatID: chat.PlatformID, ChatType: chat.Type}}
		_, err = r.engine.Start(tx, s, a.LessonID)
		return err
	})
	if err == nil {
		r.committed()
	} else if ctx.Err() == nil {
		r.log.Error("start assigned lesson", "lesson", a.LessonID, "chat", a.ChatID, "err", err)
	}
	return err
}

// fire acts on one due timer. A timer whose handling fails is marked fired
// all the same and logged, so one bad timer cannot spin forever.
func (r *Scheduler) fire(ctx context.Context, t bot.Timer) error {
	now := r.clock.Now()
	err := r.store.Update(ctx, func(tx bot.Tx) error {
		first, err := tx.FireTimer(t.ID, now)
		if err != nil || !first {
			return err
		}
		return r.engine.Fire(tx, t, now)
	})
	if err != nil && ctx.Err() == nil {
		r.log.Error("fire timer", "timer", t.ID, "run", t.RunID, "err", err)
		err = r.store.Update(ctx, func(tx bot.Tx) error {
			_, err := tx.FireTimer(t.ID, now)
			return err
		})
	}
	r.committed()
	return err
}

// every runs job j now and then every j.Every until ctx ends.
func (r *Scheduler) every(ctx context.Context, j bot.Job) {
	for {
		if err := j.Run(ctx, r.queue); err != nil {
			if ctx.Err() == nil {
				r.log.Error(j.Name, "err", err)
			}
		} else {
			r.committed()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(j.Every):
		}
	}
}
