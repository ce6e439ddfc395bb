package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
)

// pool is a database/sql pool that takes the store's queries as they are
// written, for SQLite with ? and ?N placeholders. On PostgreSQL each
// query's placeholders are numbered as $N (dollars), once per query text;
// the rest of a query is the same in both dialects, or chosen by the
// caller (DB.dialect) where the two differ.
type pool struct {
	*sql.DB
	pg bool
	// numbered caches dollars' result by query text.
	numbered sync.Map
}

// flags turns bool arguments into the 0 or 1 the schema keeps flags as,
// which SQLite's driver does itself and PostgreSQL's does not.
func flags(args []any) []any {
	copied := false
	for i, a := range args {
		if b, ok := a.(bool); ok {
			if !copied {
				args, copied = append([]any(nil), args...), true
			}
			args[i] = 0
			if b {
				args[i] = 1
			}
		}
	}
	return args
}

// q returns query in the pool's dialect, and args as that query takes
// them.
func (p *pool) q(query string, args []any) (string, []any) {
	if !p.pg {
		return query, args
	}
	var n numbered
	if v, ok := p.numbered.Load(query); ok {
		n = v.(numbered)
	} else {
		n = dollars(query)
		p.numbered.Store(query, n)
	}
	return n.query, n.args(flags(args))
}

// QueryContext is sql.DB's, with the query in the pool's dialect.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, args = p.q(query, args)
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext is sql.DB's, with the query in the pool's dialect.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query, args = p.q(query, args)
	return p.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext is sql.DB's, with the query in the pool's dialect.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, args = p.q(query, args)
	return p.DB.ExecContext(ctx, query, args...)
}

// PrepareContext is sql.DB's, with the query in the pool's dialect (its
// placeholders used in order, each once: see numbered).
func (p *pool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	query, _ = p.q(query, nil)
	return p.DB.PrepareContext(ctx, query)
}

// numbered is a query with PostgreSQL's placeholders, and which of the
// arguments it was written for it takes, in order.
type numbered struct {
	query string
	// used lists the arguments' numbers (from 1) the query refers to, in
	// the order of its $1, $2…; nil when it takes them all as they are.
	used []int
}

// args picks the arguments the query takes.
func (n numbered) args(args []any) []any {
	if n.used == nil {
		return args
	}
	out := make([]any, len(n.used))
	for i, u := range n.used {
		if u <= len(args) {
			out[i] = args[u-1]
		}
	}
	return out
}

// dollars numbers a query's placeholders as PostgreSQL's: ? as the next
// number (one more than the highest so far, as SQLite counts) and ?N as
// N. PostgreSQL wants every parameter it is given used, where SQLite lets
// a query leave some of its numbered arguments aside (the reports share
// one list of arguments), so the numbers a query uses are renumbered
// $1, $2… in order and used lists which arguments they are.
// Placeholders inside quoted strings, quoted names and comments are left
// alone.
func dollars(query string) numbered {
	var nums []int  // each placeholder's argument number, in order
	var spans []int // each placeholder's start and end in query
	highest := 0
	for i := 0; i < len(query); i++ {
		switch c := query[i]; {
		case c == '\'' || c == '"':
			// A quoted string or name, to its closing quote (a doubled
			// quote inside it closes and reopens it: the same bytes).
			j := i + 1
			for j < len(query) && query[j] != c {
				j++
			}
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			for i < len(query) && query[i] != '\n' {
				i++
			}
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j])
			}
			highest = max(highest, n)
			nums, spans = append(nums, n), append(spans, i, j)
			i = j - 1
		}
	}
	if len(nums) == 0 {
		return numbered{query: query}
	}
	// The numbers used, ascending, become 1, 2…
	seen := make([]bool, highest+1)
	for _, n := range nums {
		seen[n] = true
	}
	renumber := make([]int, highest+1)
	var used []int
	for n := 1; n <= highest; n++ {
		if seen[n] {
			used = append(used, n)
			renumber[n] = len(used)
		}
	}
	if len(used) == highest {
		used = nil // all of 1..highest: the arguments as they are
	}
	out := make([]byte, 0, len(query)+len(nums))
	last := 0
	for k, n := range nums {
		out = append(out, query[last:spans[2*k]]...)
		out = append(out, '$')
		out = strconv.AppendInt(out, int64(renumber[n]), 10)
		last = spans[2*k+1]
	}
	out = append(out, query[last:]...)
	return numbered{query: string(out), used: used}
}

// dialect returns lite on SQLite and pg on PostgreSQL, for the few
// queries the two engines write differently (JSON, full-text search,
// the catalogue).
func (d *DB) dialect(lite, pg string) string {
	if d.pg {
		return pg
	}
	return lite
}

// contains is a condition that column's text holds the next placeholder's.
func (d *DB) contains(column string) string {
	return d.dialect("instr("+column+", ?) > 0", "strpos("+column+"::text, ?) > 0")
}

// attachmentOfKey is the attachment id in an outbox key "att:N:…".
func (d *DB) attachmentOfKey() string {
	return d.dialect(`CAST(substr(key, 5, instr(substr(key, 5), ':') - 1) AS INTEGER)`,
		`CASE WHEN key LIKE 'att:%' THEN CAST(split_part(key, ':', 2) AS BIGINT) END`)
}

// Exec is sql.DB's, with the query in the pool's dialect.
func (p *pool) Exec(query string, args ...any) (sql.Result, error) {
	return p.ExecContext(context.Background(), query, args...)
}

// Query is sql.DB's, with the query in the pool's dialect.
func (p *pool) Query(query string, args ...any) (*sql.Rows, error) {
	return p.QueryContext(context.Background(), query, args...)
}

// QueryRow is sql.DB's, with the query in the pool's dialect.
func (p *pool) QueryRow(query string, args ...any) *sql.Row {
	return p.QueryRowContext(context.Background(), query, args...)
}

// Prepare is sql.DB's, with the query in the pool's dialect.
func (p *pool) Prepare(query string) (*sql.Stmt, error) {
	return p.PrepareContext(context.Background(), query)
}

// least is the smaller of two numbers: SQLite's MIN(a, b), PostgreSQL's
// LEAST(a, b).
func (p *pool) least(a, b string) string {
	if p.pg {
		return "LEAST(" + a + ", " + b + ")"
	}
	return "MIN(" + a + ", " + b + ")"
}

// tryExec is exec for a statement that may break a unique rule, leaving
// the transaction usable when it does: SQLite's is, and on PostgreSQL,
// where an error ends the transaction, the statement runs in a savepoint.
func (t *Tx) tryExec(query string, args ...any) (sql.Result, error) {
	if !t.db.pg {
		return t.exec(query, args...)
	}
	if _, err := t.exec(`SAVEPOINT try`); err != nil {
		return nil, err
	}
	res, err := t.exec(query, args...)
	if err != nil {
		if _, rerr := t.exec(`ROLLBACK TO SAVEPOINT try`); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	_, err = t.exec(`RELEASE SAVEPOINT try`)
	return res, err
}

// isUnique reports whether err is a unique rule broken, in either engine.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
