package store

import (
	"context"
	"fmt"
	"strings"
)

// Trace is one place in the database that still refers to a member.
type Trace struct {
	// Table and Column name the place; Value is what was found there.
	Table, Column, Value string
}

// String gives "table.column: value".
func (t Trace) String() string { return t.Table + "." + t.Column + ": " + t.Value }

// MemberColumns lists every column of the schema that refers to members,
// by foreign key, as "table.column", sorted.
func (d *DB) MemberColumns(ctx context.Context) ([]string, error) {
	return d.referring(ctx, "members")
}

// referring lists every column of the schema that refers to table by
// foreign key, as "table.column", sorted.
func (d *DB) referring(ctx context.Context, table string) ([]string, error) {
	rows, err := d.read.QueryContext(ctx, d.dialect(`SELECT m.name || '.' || f."from" FROM sqlite_master m,
		pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f."table" = ? ORDER BY 1`,
		`SELECT k.table_name || '.' || k.column_name FROM information_schema.referential_constraints r
		JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name AND k.constraint_schema = r.constraint_schema
		JOIN information_schema.constraint_column_usage u ON u.constraint_name = r.unique_constraint_name AND u.constraint_schema = r.unique_constraint_schema
		WHERE k.table_schema = current_schema() AND u.table_name = ? ORDER BY 1`), table)
	if err != nil {
		return nil, fmt.Errorf("columns referring to %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("columns referring to %s: %w", table, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Traces walks every row of every table (the full-text index through its
// table, not its shadow tables) and returns where member memberID is
// still referred to (members.id and the columns of MemberColumns) or where
// a text holds one of needles, compared without case: a member's
// platform ids and name. It reads the whole database; it is for checking
// an erasure, not for the hot path.
func (d *DB) Traces(ctx context.Context, memberID int64, needles ...string) ([]Trace, error) {
	cols, err := d.MemberColumns(ctx)
	if err != nil {
		return nil, err
	}
	refs := map[string]bool{"members.id": true}
	for _, c := range cols {
		refs[c] = true
	}
	var lower []string
	for _, n := range needles {
		if n != "" {
			lower = append(lower, strings.ToLower(n))
		}
	}
	tables, err := d.tableNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []Trace
	for _, table := range tables {
		rows, err := d.read.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			return nil, fmt.Errorf("traces in %s: %w", table, err)
		}
		names, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("traces in %s: %w", table, err)
		}
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("traces in %s: %w", table, err)
			}
			for i, v := range vals {
				var text string
				switch v := v.(type) {
				case int64:
					if refs[table+"."+names[i]] && v == memberID {
						out = append(out, Trace{Table: table, Column: names[i], Value: fmt.Sprint(v)})
					}
					continue
				case string:
					text = v
				case []byte:
					text = string(v)
				default:
					continue
				}
				low := strings.ToLower(text)
				for _, n := range lower {
					if strings.Contains(low, n) {
						out = append(out, Trace{Table: table, Column: names[i], Value: text})
						break
					}
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("traces in %s: %w", table, err)
		}
	}
	return out, nil
}

// tableNames lists the schema's tables, without the engine's own,
// goose's and SQLite's full-text index's shadow tables.
func (d *DB) tableNames(ctx context.Context) ([]string, error) {
	rows, err := d.read.QueryContext(ctx, d.dialect(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'case\_search\_%' ESCAPE '\' AND name <> 'goose_db_version'
		ORDER BY name`,
		`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		AND table_name <> 'goose_db_version' ORDER BY table_name COLLATE "C"`))
	if err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("tables: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// RowCounts counts the rows of every table of the schema (as Traces walks
// them), by table name: a check that someone left nothing behind.
func (d *DB) RowCounts(ctx context.Context) (map[string]int64, error) {
	tables, err := d.tableNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(tables))
	for _, table := range tables {
		var n int64
		if err := d.read.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", table, err)
		}
		out[table] = n
	}
	return out, nil
}
