package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Update runs fn in a transaction and returns once it is durably committed.
func (d *DB) Update(ctx context.Context, fn func(bot.Tx) error) error {
	return d.update(ctx, func(tx *Tx) error { return fn(tx) })
}

func (d *DB) update(ctx context.Context, fn func(*Tx) error) error {
	queue := d.reqs
	if d.pg {
		if bot.ChatInTurn(ctx) == "" {
			return d.updatePostgres(ctx, fn)
		}
		queue = d.turnReqs // in rounds (rounds.go)
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case queue <- r:
	case <-d.stop:
		return errors.New("database closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the writer may
	// already have committed it.
	return <-r.done
}

// writer commits queued requests in batches until Close.
func (d *DB) writer() {
	defer close(d.done)
	batch := make([]*request, 0, maxBatch)
	for {
		// An erasure's WAL truncation that readers held off is tried
		// again shortly, not only at the next commit: a quiet program
		// may make none for hours.
		var retry, rebuildAt <-chan time.Time
		if d.truncate.Load() {
			retry = time.After(250 * time.Millisecond)
		} else if d.rebuild.Load() {
			// Erasures gathered wait for a quiet minute, or their bound.
			rebuildAt = time.After(d.untilRebuild(time.Now()))
		}
		select {
		case <-retry:
			d.truncateWAL(false)
			continue
		case <-rebuildAt:
			d.truncate.Store(true)
			d.truncateWAL(false)
			continue
		case r := <-d.reqs:
			batch = append(batch[:0], r)
		case <-d.stop:
			// Finish what was queued before Close.
			for {
				select {
				case r := <-d.reqs:
					d.commit([]*request{r})
				default:
					d.truncate.Store(d.truncate.Load() || d.rebuild.Load())
					d.truncateWAL(true) // an erasure's rebuild still to do
					return
				}
			}
		}
		d.commit(queued(batch, d.reqs))
	}
}

// queued adds to batch what is queued on reqs, up to maxBatch, without
// waiting.
func queued(batch []*request, reqs <-chan *request) []*request {
	for len(batch) < maxBatch {
		select {
		case r := <-reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit runs a batch of requests in one transaction. It first runs them
// one after another; only when one fails does it roll the batch back and
// run it again with each request in a savepoint, so that the failing one
// leaves nothing and the others commit. Requests fail rarely, and
// savepoints cost two statements per request.
func (d *DB) commit(batch []*request) {
	if d.commitWhole(batch) {
		return
	}
	d.commitSavepoints(batch)
}

// commitWhole commits the batch with no savepoints; false when a request
// failed (nothing is then committed or answered).
func (d *DB) commitWhole(batch []*request) bool {
	ctx := context.Background()
	sqlTx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		d.health.committed(err)
		return false
	}
	bound := make(map[*sql.Stmt]*sql.Stmt)
	for _, r := range batch {
		if r.ctx.Err() != nil {
			sqlTx.Rollback()
			return false
		}
		if err := run(r.fn, &Tx{tx: sqlTx, ctx: ctx, db: d, bound: bound}); err != nil {
			if storageFault(err) {
				d.health.committed(err)
			}
			sqlTx.Rollback()
			return false
		}
	}
	d.batches.Add(1)
	d.txs.Add(int64(len(batch)))
	err = sqlTx.Commit()
	d.health.committed(err)
	if err != nil {
		err = fmt.Errorf("commit: %w", err)
	} else {
		d.afterCommit()
	}
	for _, r := range batch {
		r.done <- err
	}
	d.prepare()
	return true
}

// commitSavepoints runs a batch in one transaction, each request in a
// savepoint.
func (d *DB) commitSavepoints(batch []*request) {
	errs := make([]error, len(batch))
	ctx := context.Background()
	sqlTx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		d.health.committed(err)
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	bound := make(map[*sql.Stmt]*sql.Stmt)
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		tx := &Tx{tx: sqlTx, ctx: ctx, db: d, bound: bound}
		if _, err := tx.exec("SAVEPOINT s"); err != nil {
			errs[i] = err
			continue
		}
		errs[i] = run(r.fn, tx)
		if storageFault(errs[i]) {
			d.health.committed(errs[i])
		}
		if errs[i] != nil {
			if _, err := tx.exec("ROLLBACK TO s"); err != nil {
				errs[i] = errors.Join(errs[i], err)
			}
		}
		if _, err := tx.exec("RELEASE s"); err != nil && errs[i] == nil {
			errs[i] = err
		}
	}
	d.batches.Add(1)
	d.txs.Add(int64(len(batch)))
	err = sqlTx.Commit()
	d.health.committed(err)
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("commit: %w", err)
			}
		}
	} else {
		d.afterCommit()
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
	d.prepare()
}

// afterCommit removes the media files of deleted attachments, then
// empties the WAL when asked (truncateWAL).
func (d *DB) afterCommit() {
	d.rb.lastCommit.Store(time.Now().UnixNano())
	if d.sweep.Swap(false) {
		if err := d.sweepMedia(); err != nil {
			d.sweep.Store(true) // tried again after the next commit
		}
	}
	d.truncateWAL(false)
}

// truncateWAL, when asked for, copies the WAL into the database file and
// empties it, so erased rows' old pages stay in neither file; when an
// erasure's rebuild is due (see rebuild.go), or force is set (at Close),
// it rebuilds the database first (VACUUM). Readers holding an old
// snapshot make the WAL wait; it tries for about a second, then leaves it
// to the writer, which tries again a little later. On PostgreSQL it
// vacuums the tables an erasure touched instead (vacuumErased).
func (d *DB) truncateWAL(force bool) {
	if !d.truncate.Swap(false) {
		return
	}
	if d.pg {
		if d.rebuild.Swap(false) {
			d.vacuumErased()
		}
		return
	}
	if d.rebuild.Load() && (force || d.untilRebuild(time.Now()) == 0) {
		if _, err := d.write.Exec(`VACUUM`); err != nil {
			d.truncate.Store(true) // the writer tries again shortly
			return
		}
		d.rebuild.Store(false)
		d.rb.since.Store(0)
		d.rb.rebuilds.Add(1)
	}
	for range 20 {
		var busy, frames, done int
		err := d.write.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done)
		if err == nil && busy == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.truncate.Store(true)
}
