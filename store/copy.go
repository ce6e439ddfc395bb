package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/huddlebot/huddle/internal/filelock"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Copied is one table copied: its name and its rows, counted on both
// sides.
type Copied struct {
	Table      string
	From, Into int64
}

// Copy moves a program's data from the SQLite database at from into the
// PostgreSQL database at into: every table, row for row, in one
// transaction, the rollups as they are (their triggers held off), each
// identity moved past the highest number used (a held case's or a
// photo's number is never given again), and the key of consents' hashes
// with them. It takes the SQLite database's lock (huddle must be
// stopped), migrates PostgreSQL to the same schema, refuses a target
// that holds data, and checks every table's count on both sides.
// progress, when not nil, is told of each table as it is copied. The
// photos and voice notes in media/ beside the SQLite file are not moved:
// copy that folder too.
func Copy(ctx context.Context, from, into string, progress func(Copied)) ([]Copied, error) {
	if !IsPostgres(into) {
		return nil, fmt.Errorf("copy into %q: give a postgres:// URL", Redacted(into))
	}
	if err := checkPath(from); err != nil {
		return nil, err
	}
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("copy from %s: no database there", from)
	}
	lock, err := filelock.Lock(from)
	if err != nil {
		return nil, fmt.Errorf("copy from %s: %w", from, err)
	}
	defer lock.Close()
	s, err := SchemaOf(ctx, from)
	if err != nil {
		return nil, err
	}
	if s.Current != s.Latest {
		return nil, fmt.Errorf("copy from %s: schema version %d, this huddle's is %d: run huddle migrate on it first", from, s.Current, s.Latest)
	}
	if _, _, err := migratePostgres(ctx, into); err != nil {
		return nil, fmt.Errorf("copy into %s: %w", Redacted(into), err)
	}
	lite, err := sql.Open("sqlite", dsn(from, false))
	if err != nil {
		return nil, fmt.Errorf("copy from %s: %w", from, err)
	}
	defer lite.Close()
	pg, err := sql.Open("pgx", into)
	if err != nil {
		return nil, fmt.Errorf("copy into %s: %w", Redacted(into), err)
	}
	defer pg.Close()
	tables, err := copyOrder(ctx, lite)
	if err != nil {
		return nil, fmt.Errorf("copy from %s: %w", from, err)
	}
	conn, err := pg.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy into %s: %w", Redacted(into), err)
	}
	defer conn.Close()
	var out []Copied
	err = conn.Raw(func(driverConn any) error {
		c := driverConn.(*stdlib.Conn).Conn()
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		for _, t := range tables {
			if t == "secrets" {
				continue // the migration made its key, replaced below
			}
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
			if n > 0 {
				return fmt.Errorf("the PostgreSQL database already holds data (%d rows in %s): copy into an empty one", n, t)
			}
		}
		// The rollups are copied as they are: their triggers would count
		// the copied rows a second time.
		for _, t := range []string{"engagement", "member_weeks", "program_weeks", "answers"} {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+t+` DISABLE TRIGGER USER`); err != nil {
				return fmt.Errorf("hold off %s's triggers: %w", t, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM secrets`); err != nil {
			return err
		}
		for _, t := range tables {
			c, err := copyTable(ctx, lite, tx, t)
			if err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
			if c.From != c.Into {
				return fmt.Errorf("%s: %d rows read, %d written", t, c.From, c.Into)
			}
			out = append(out, c)
			if progress != nil {
				progress(c)
			}
		}
		for _, t := range []string{"engagement", "member_weeks", "program_weeks", "answers"} {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+t+` ENABLE TRIGGER USER`); err != nil {
				return fmt.Errorf("restore %s's triggers: %w", t, err)
			}
		}
		if err := moveIdentities(ctx, lite, tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("copy into %s: %w", Redacted(into), err)
	}
	return out, nil
}

// copyOrder lists the SQLite database's tables in an order that copies
// each after those it refers to (the archive's search index last).
func copyOrder(ctx context.Context, lite *sql.DB) ([]string, error) {
	rows, err := lite.QueryContext(ctx, `SELECT m.name, COALESCE(f."table", '') FROM sqlite_master m LEFT JOIN pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'goose%' AND m.name NOT LIKE 'case_search%'
		ORDER BY m.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	refers := map[string][]string{}
	var names []string
	for rows.Next() {
		var t, ref string
		if err := rows.Scan(&t, &ref); err != nil {
			return nil, err
		}
		if _, ok := refers[t]; !ok {
			names = append(names, t)
			refers[t] = nil
		}
		if ref != "" && ref != t {
			refers[t] = append(refers[t], ref)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var order []string
	done := map[string]bool{}
	var visit func(string)
	visit = func(t string) {
		if done[t] {
			return
		}
		done[t] = true
		for _, r := range refers[t] {
			visit(r)
		}
		order = append(order, t)
	}
	for _, t := range names {
		visit(t)
	}
	return append(order, "case_search"), nil
}

// copyTable copies one table's rows with PostgreSQL's COPY, streamed,
// and counts them on both sides.
func copyTable(ctx context.Context, lite *sql.DB, tx pgx.Tx, table string) (Copied, error) {
	c := Copied{Table: table}
	cols, err := pgColumns(ctx, tx, table)
	if err != nil {
		return c, err
	}
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = `"` + col + `"` // review_log's "right" is a keyword
	}
	query := `SELECT ` + strings.Join(quoted, ", ") + ` FROM ` + table
	if table == "case_search" {
		cols, query = []string{"rowid", "body"}, `SELECT rowid, body FROM case_search`
	}
	rows, err := lite.QueryContext(ctx, query)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	// Streamed, row by row: a year of a national program is millions of
	// rows, which must not all be in memory at once.
	src := &rowSource{rows: rows, vals: make([]any, len(cols))}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src); err != nil {
		return c, err
	}
	c.From = src.n
	err = tx.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&c.Into)
	return c, err
}

// pgColumns lists a PostgreSQL table's columns that hold data (not the
// generated ones), in order.
func pgColumns(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no such table in PostgreSQL")
	}
	return cols, nil
}

// moveIdentities moves each identity past the highest number its table
// used: the largest id copied, or (for SQLite's AUTOINCREMENT tables) a
// larger one used before its row was deleted.
func moveIdentities(ctx context.Context, lite *sql.DB, tx pgx.Tx) error {
	used := map[string]int64{}
	if rows, err := lite.QueryContext(ctx, `SELECT name, seq FROM sqlite_sequence`); err == nil {
		for rows.Next() {
			var name string
			var seq int64
			if rows.Scan(&name, &seq) == nil {
				used[name] = seq
			}
		}
		rows.Close()
	}
	rows, err := tx.Query(ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'`)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	slices.Sort(tables)
	for _, t := range tables {
		var top int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+t).Scan(&top); err != nil {
			return err
		}
		top = max(top, used[t])
		if top == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, t, top); err != nil {
			return fmt.Errorf("%s's numbers: %w", t, err)
		}
	}
	return nil
}

// rowSource feeds SQLite's rows to PostgreSQL's COPY, one at a time,
// counting them.
type rowSource struct {
	rows *sql.Rows
	vals []any
	n    int64
	err  error
}

func (r *rowSource) Next() bool {
	if !r.rows.Next() {
		return false
	}
	ptrs := make([]any, len(r.vals))
	for i := range r.vals {
		r.vals[i] = nil
		ptrs[i] = &r.vals[i]
	}
	if r.err = r.rows.Scan(ptrs...); r.err != nil {
		return false
	}
	r.n++
	return true
}

func (r *rowSource) Values() ([]any, error) { return r.vals, r.err }

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}
