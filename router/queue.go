package router

import (
	"context"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// queueIdle is how long a chat's worker waits for more work before it exits.
const queueIdle = 30 * time.Second

// job is one unit of work for a chat's queue.
type job struct {
	ctx  context.Context
	fn   func(context.Context) error
	done chan error
}

// chatQueue is one chat's FIFO of jobs.
type chatQueue struct {
	jobs    chan job
	pending int // guarded by dispatcher.mu
}

// dispatcher runs jobs of one key in submission order, one at a time, and
// jobs of different keys concurrently: one worker goroutine per busy chat.
// Each job's context carries its key (bot.InTurnOf), by which a store
// shared by several instances serialises the chat's transactions across
// them too.
type dispatcher struct {
	base   context.Context
	mu     sync.Mutex
	queues map[string]*chatQueue
	wg     sync.WaitGroup
}

func newDispatcher(base context.Context) *dispatcher {
	return &dispatcher{base: base, queues: make(map[string]*chatQueue)}
}

// submit queues fn for key and returns a channel that receives its result.
// Calls with the same key run in the order submit was called.
func (d *dispatcher) submit(ctx context.Context, key string, fn func(context.Context) error) <-chan error {
	done := make(chan error, 1)
	d.mu.Lock()
	if d.base.Err() != nil {
		d.mu.Unlock()
		done <- d.base.Err()
		return done
	}
	q := d.queues[key]
	if q == nil {
		q = &chatQueue{jobs: make(chan job, 256)}
		d.queues[key] = q
		d.wg.Add(1)
		go d.work(key, q)
	}
	q.pending++
	d.mu.Unlock()
	select {
	case q.jobs <- job{ctx: ctx, fn: fn, done: done}:
	case <-ctx.Done():
		d.release(q)
		done <- ctx.Err()
	case <-d.base.Done():
		d.release(q)
		done <- d.base.Err()
	}
	return done
}

func (d *dispatcher) release(q *chatQueue) {
	d.mu.Lock()
	q.pending--
	d.mu.Unlock()
}

func (d *dispatcher) work(key string, q *chatQueue) {
	defer d.wg.Done()
	idle := time.NewTimer(queueIdle)
	defer idle.Stop()
	for {
		select {
		case j := <-q.jobs:
			var err error
			if err = j.ctx.Err(); err == nil {
				err = j.fn(bot.InTurnOf(j.ctx, key))
			}
			j.done <- err
			d.release(q)
			idle.Reset(queueIdle)
		case <-idle.C:
			d.mu.Lock()
			if q.pending == 0 {
				delete(d.queues, key)
				d.mu.Unlock()
				return
			}
			d.mu.Unlock()
			idle.Reset(queueIdle)
		case <-d.base.Done():
			d.drain(q)
			return
		}
	}
}

// drain fails every job still queued or being submitted after shutdown, so
// no submitter waits forever.
func (d *dispatcher) drain(q *chatQueue) {
	for {
		d.mu.Lock()
		left := q.pending
		d.mu.Unlock()
		if left == 0 {
			return
		}
		select {
		case j := <-q.jobs:
			j.done <- d.base.Err()
			d.release(q)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// wait blocks until every worker has exited (after base is cancelled).
func (d *dispatcher) wait() { d.wg.Wait() }
