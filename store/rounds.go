package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/huddlebot/huddle/bot"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL the transactions of chats' turns (the router's events,
// bot.ChatInTurn) go in rounds: a round takes the turns waiting, up to
// maxBatch, runs their functions side by side in one transaction on one
// connection, and whenever each of them waits on a statement sends all
// those statements together, one round trip for all, then commits them
// at once. An event makes five statements besides BEGIN and COMMIT, each
// a round trip on its own (BenchmarkInstances, docs/performance.md): a
// round of twelve events makes about eight round trips where one event
// at a time made eighty-four, and the database runs one transaction
// instead of twelve.
//
// The turns of a round are of different chats (the router runs a chat's
// events one at a time), so their statements touch different rows but
// for those chats share (a member in two groups). What one turn wrote the
// others of its round see before the commit, as they would have after
// it had it come first. When any statement fails, or any function
// returns an error, the round is rolled back: a function that failed
// with no statement failing gets its own error, and the others run again
// each in a transaction of its own (as SQLite's writer runs a batch again
// in savepoints when one of it fails). Other transactions (the sender's,
// the timers', maintenance) run on their own as before.
//
// On an instance of several, a round takes its turns' chats' advisory
// locks with its first statements, in one statement sent with them
// (pipelined: no round trip of its own) and in the order of the locks'
// numbers, before any other: two rounds on two instances cannot wait for
// each other, as each waits only while it holds no more than locks that
// come before the one it waits for. A round does wait for a chat another
// instance holds (its turn there is a few milliseconds), but no more than
// roundLockWait: past that, it is rolled back and its turns run each on
// their own, waiting for their chat alone. So a turn holds its chat from
// its first statement until its round commits, which is all the database
// sees of it. (Each turn taking its own lock with
// pg_try_advisory_xact_lock, as this did first, cost a round trip a
// round and a statement a turn: BenchmarkInstances, docs/performance.md.)

// roundWriters is how many rounds an instance runs at once when it is
// the only one: two give the most events a second with the database on
// the instance's own two cores and, at 1 ms from it, a third more than one
// does. Instances sharing a database run one each (ShareWriters): rounds
// of several instances are smaller, and each round costs the database its
// round trips and its commit whatever its size, so that three instances
// of two rounds each spent a fifth to a half more of the server's CPU an
// event than three of one (BenchmarkInstances, docs/performance.md).
const roundWriters = 2

// roundGate says how many of the round writers take turns.
type roundGate struct {
	mu sync.Mutex
	n  int
	// changed is closed when n changes.
	changed chan struct{}
}

// open says whether writer i takes turns, and returns what is closed
// once that may change.
func (g *roundGate) open(i int) (bool, <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return i < g.n, g.changed
}

// set lets the first n writers take turns.
func (g *roundGate) set(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if n == g.n {
		return
	}
	g.n = n
	close(g.changed)
	g.changed = make(chan struct{})
}

// roundLockWait bounds how long a round's statements wait for a lock (a
// chat's held by another instance, a row): past it the round's turns run
// each on its own, so that one chat held elsewhere holds up no other.
const roundLockWait = "250ms"

// roundKey carries a round in the context of its turns' transactions.
type roundKey struct{}

// round is one transaction that several turns share.
type round struct {
	conn *pgx.Conn
	wake chan struct{}
	// locks are the numbers of the turns' chats' locks, in order.
	locks []int64

	mu sync.Mutex
	// running counts the turns not waiting on a statement; done says
	// they have all ended.
	running int
	done    bool
	pending []*statement
	begun   bool
	// failed says a statement failed: the transaction is aborted.
	failed bool
}

// statement is one of a turn's statements and, once the round sent it,
// its outcome.
type statement struct {
	query string
	args  []any
	exec  bool
	sent  chan struct{}

	tag  pgconn.CommandTag
	cols []string
	rows [][]driver.Value
	err  error
}

// do sends a statement with the others' and waits for its outcome.
func (r *round) do(query string, args []driver.NamedValue, exec bool) *statement {
	s := &statement{query: query, exec: exec, sent: make(chan struct{}), args: make([]any, len(args))}
	for i, a := range args {
		s.args[i] = a.Value
	}
	r.mu.Lock()
	r.pending = append(r.pending, s)
	r.running--
	r.poke()
	r.mu.Unlock()
	<-s.sent
	return s
}

// ended notes that a turn's function returned.
func (r *round) ended() {
	r.mu.Lock()
	r.running--
	r.poke()
	r.mu.Unlock()
}

// poke wakes serve once no turn is running; r.mu is held.
func (r *round) poke() {
	if r.running == 0 {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// serve sends the statements waiting whenever no turn is running, until
// every turn has ended.
func (r *round) serve(ctx context.Context) {
	for range r.wake {
		r.mu.Lock()
		batch := r.pending
		r.pending = nil
		if len(batch) == 0 {
			done := r.done && r.running == 0
			r.mu.Unlock()
			if done {
				return
			}
			continue
		}
		// Counted as running before any is told, so that the first
		// told cannot make the round look idle while others are not.
		r.running += len(batch)
		r.mu.Unlock()
		r.send(ctx, batch)
		for _, s := range batch {
			close(s.sent)
		}
	}
}

// send runs the statements as one pgx batch (one round trip), after
// BEGIN the first time.
func (r *round) send(ctx context.Context, batch []*statement) {
	b := &pgx.Batch{}
	var first int // the round's own statements
	if !r.begun {
		b.Queue("BEGIN")
		first++
		if len(r.locks) > 0 {
			b.Queue("SET LOCAL lock_timeout = '" + roundLockWait + "'")
			b.Queue(`SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k`, r.locks)
			first += 2
		}
		r.begun = true
	}
	for _, s := range batch {
		b.Queue(s.query, s.args...)
	}
	br := r.conn.SendBatch(ctx, b)
	var err error
	for range first {
		if err == nil {
			_, err = br.Exec()
		}
	}
	m := r.conn.TypeMap()
	for _, s := range batch {
		if err != nil {
			s.err = err // BEGIN, or the locks, failed
			continue
		}
		if s.exec {
			s.tag, s.err = br.Exec()
			continue
		}
		s.cols, s.rows, s.err = readRows(br, m)
	}
	if cerr := br.Close(); cerr != nil {
		for _, s := range batch {
			if s.err == nil {
				s.err = cerr
			}
		}
	}
	if slices.ContainsFunc(batch, func(s *statement) bool { return s.err != nil }) {
		r.mu.Lock()
		r.failed = true
		r.mu.Unlock()
	}
}

// readRows reads a query's rows whole, as driver values.
func readRows(br pgx.BatchResults, m *pgtype.Map) ([]string, [][]driver.Value, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	cols := make([]string, len(fds))
	for i, fd := range fds {
		cols[i] = fd.Name
	}
	var out [][]driver.Value
	for rows.Next() {
		raw := rows.RawValues()
		vals := make([]driver.Value, len(raw))
		for i, fd := range fds {
			if raw[i] == nil {
				continue
			}
			if vals[i], err = driverValue(m, fd, raw[i]); err != nil {
				return nil, nil, fmt.Errorf("read %s: %w", fd.Name, err)
			}
		}
		out = append(out, vals)
	}
	return cols, out, rows.Err()
}

// driverValue decodes a column's value as pgx's database/sql driver
// (stdlib) gives it, so that the store's scans read the same values
// either way.
func driverValue(m *pgtype.Map, fd pgconn.FieldDescription, raw []byte) (driver.Value, error) {
	scan := func(dst any) error { return m.Scan(fd.DataTypeOID, fd.Format, raw, dst) }
	switch fd.DataTypeOID {
	case pgtype.BoolOID:
		var v bool
		return v, scan(&v)
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		var v int64
		return v, scan(&v)
	case pgtype.Float4OID, pgtype.Float8OID:
		var v float64
		return v, scan(&v)
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID:
		var v []byte
		if err := scan(&v); err != nil {
			return nil, err
		}
		return slices.Clone(v), nil
	case pgtype.TimestamptzOID:
		var v pgtype.Timestamptz
		if err := scan(&v); err != nil {
			return nil, err
		}
		return v.Value()
	case pgtype.TimestampOID:
		var v pgtype.Timestamp
		if err := scan(&v); err != nil {
			return nil, err
		}
		return v.Value()
	case pgtype.DateOID:
		var v pgtype.Date
		if err := scan(&v); err != nil {
			return nil, err
		}
		return v.Value()
	}
	var v string
	return v, scan(&v)
}

// turnConnector makes the connections of the round's database/sql pool
// (DB.turns): each stands for one turn's part of a round, found in the
// context its transaction is begun with, so that the store's code runs
// unchanged through database/sql.
type turnConnector struct{}

func (turnConnector) Connect(context.Context) (driver.Conn, error) { return &turnConn{}, nil }
func (turnConnector) Driver() driver.Driver                        { return turnDriver{} }

type turnDriver struct{}

func (turnDriver) Open(string) (driver.Conn, error) { return &turnConn{}, nil }

// turnConn is a turn's part of a round, as a database/sql connection
// and transaction; BEGIN and COMMIT are the round's.
type turnConn struct{ r *round }

var (
	_                 driver.ConnBeginTx       = (*turnConn)(nil)
	_                 driver.ExecerContext     = (*turnConn)(nil)
	_                 driver.QueryerContext    = (*turnConn)(nil)
	_                 driver.NamedValueChecker = (*turnConn)(nil)
	_                 driver.Tx                = (*turnConn)(nil)
	_                 driver.Rows              = (*turnRows)(nil)
	_                 driver.Connector         = turnConnector{}
	_                 driver.Driver            = turnDriver{}
	errNotInRound                              = errors.New("a turn's statement outside its round")
	errPrepareInRound                          = errors.New("prepared statements are not sent in rounds")
)

func (c *turnConn) Prepare(string) (driver.Stmt, error) { return nil, errPrepareInRound }
func (c *turnConn) Close() error                        { return nil }
func (c *turnConn) Begin() (driver.Tx, error)           { return nil, errNotInRound }

func (c *turnConn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	r, _ := ctx.Value(roundKey{}).(*round)
	if r == nil {
		return nil, errNotInRound
	}
	c.r = r
	return c, nil
}

// Commit and Rollback end the turn's part; the round commits or rolls
// back the whole.
func (c *turnConn) Commit() error   { c.r = nil; return nil }
func (c *turnConn) Rollback() error { c.r = nil; return nil }

// CheckNamedValue passes every argument to pgx as it is, as pgx's own
// driver does.
func (c *turnConn) CheckNamedValue(*driver.NamedValue) error { return nil }

func (c *turnConn) ExecContext(_ context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.r == nil {
		return nil, errNotInRound
	}
	s := c.r.do(query, args, true)
	if s.err != nil {
		return nil, s.err
	}
	return driver.RowsAffected(s.tag.RowsAffected()), nil
}

func (c *turnConn) QueryContext(_ context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.r == nil {
		return nil, errNotInRound
	}
	s := c.r.do(query, args, false)
	if s.err != nil {
		return nil, s.err
	}
	return &turnRows{cols: s.cols, rows: s.rows}, nil
}

// turnRows are a query's rows, read whole by the round.
type turnRows struct {
	cols []string
	rows [][]driver.Value
}

func (r *turnRows) Columns() []string { return r.cols }
func (r *turnRows) Close() error      { return nil }

func (r *turnRows) Next(dest []driver.Value) error {
	if len(r.rows) == 0 {
		return io.EOF
	}
	copy(dest, r.rows[0])
	r.rows = r.rows[1:]
	return nil
}

// turnWriter i runs rounds of the turns queued, while the gate lets it,
// until Close; then writer 0 runs what is still queued each on its own.
func (d *DB) turnWriter(i int) {
	defer d.bg.Done()
	batch := make([]*request, 0, maxBatch)
	for {
		on, changed := d.rounds.open(i)
		if !on {
			select {
			case <-changed:
				continue
			case <-d.stop:
				return
			}
		}
		select {
		case r := <-d.turnReqs:
			batch = append(batch[:0], r)
		case <-changed:
			continue
		case <-d.stop:
			for {
				select {
				case r := <-d.turnReqs:
					r.done <- d.updatePostgres(r.ctx, r.fn)
				default:
					return
				}
			}
		}
		d.runRound(queued(batch, d.turnReqs))
	}
}

// turnOutcome is how a turn fared in its round.
type turnOutcome struct {
	err    error
	sweep  bool
	queued []string
}

// runRound runs a batch of turns as one round and answers each: those
// the round could not carry run on their own (updatePostgres).
func (d *DB) runRound(batch []*request) {
	ctx := context.Background()
	out := make([]turnOutcome, len(batch))
	var failed bool // a statement failed
	var commitErr error
	conn, err := d.write.Conn(ctx)
	if err == nil {
		err = conn.Raw(func(dc any) error {
			r := &round{conn: dc.(*stdlib.Conn).Conn(), wake: make(chan struct{}, 1), running: len(batch), locks: d.roundLocks(batch)}
			var wg sync.WaitGroup
			for i, req := range batch {
				wg.Go(func() {
					defer r.ended()
					out[i] = d.turn(context.WithValue(ctx, roundKey{}, r), req)
				})
			}
			go func() {
				wg.Wait()
				r.mu.Lock()
				r.done = true
				r.poke()
				r.mu.Unlock()
			}()
			r.serve(ctx)
			failed = r.failed
			if !r.begun {
				return nil // no turn made a statement
			}
			if failed || slices.ContainsFunc(out, func(o turnOutcome) bool { return o.err != nil }) {
				_, err := r.conn.Exec(ctx, "ROLLBACK")
				return err
			}
			if _, err := r.conn.Exec(ctx, "COMMIT"); err != nil {
				commitErr = fmt.Errorf("commit: %w", err)
			}
			return nil
		})
		conn.Close()
	}
	if err != nil && commitErr == nil {
		// The connection failed: nothing is committed.
		failed = true
	}
	rolledBack := failed || slices.ContainsFunc(out, func(o turnOutcome) bool { return o.err != nil })
	var sweep bool
	var queued []string
	var carried int64
	for i, req := range batch {
		o := out[i]
		switch {
		case (rolledBack && (failed || o.err == nil)) || retryable(commitErr):
			d.bg.Add(1)
			go func() {
				defer d.bg.Done()
				req.done <- d.updatePostgres(req.ctx, req.fn)
			}()
		case rolledBack:
			req.done <- o.err // its own function's error, no statement failing
		default:
			sweep = sweep || o.sweep
			queued = append(queued, o.queued...)
			carried++
			req.done <- commitErr
		}
	}
	if !rolledBack && commitErr == nil {
		d.batches.Add(1)
		d.txs.Add(carried)
		if sweep {
			d.sweep.Store(true)
		}
		d.afterCommit()
		d.tellQueued(queued)
	}
}

// turn runs one turn's function in its round.
func (d *DB) turn(ctx context.Context, req *request) turnOutcome {
	sqlTx, err := d.turns.BeginTx(ctx, nil)
	if err != nil {
		return turnOutcome{err: err}
	}
	defer sqlTx.Rollback()
	tx := &Tx{tx: sqlTx, ctx: ctx, db: d}
	err = run(req.fn, tx)
	return turnOutcome{err: err, sweep: tx.sweep, queued: tx.queued}
}

// roundLocks returns the numbers of the locks of the turns' chats, in
// order, when other instances may share the database.
func (d *DB) roundLocks(batch []*request) []int64 {
	if d.instance == "" {
		return nil
	}
	var locks []int64
	for _, req := range batch {
		if key := bot.ChatInTurn(req.ctx); key != "" {
			locks = append(locks, d.chatLock(key))
		}
	}
	slices.Sort(locks)
	return slices.Compact(locks)
}

// openTurns opens the database/sql pool of rounds' turns and starts the
// round writers, n of them taking turns.
func (d *DB) openTurns(n int) {
	d.turns = sql.OpenDB(turnConnector{})
	d.turns.SetMaxIdleConns(maxBatch * 4)
	d.turnReqs = make(chan *request, maxBatch)
	d.rounds.changed = make(chan struct{})
	d.rounds.set(n)
	for i := range roundWriters {
		d.bg.Add(1)
		go d.turnWriter(i)
	}
}
