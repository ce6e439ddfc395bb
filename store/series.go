package store

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing/fstest"
)

// The migrations are one series (migrations/*.sql) for both engines.
// Where the SQL differs, lines are marked for one of them: a line ending
// in "-- only: sqlite" or "-- only: postgres" is that engine's alone, and
// so are the lines between "-- only: sqlite" (or postgres) on a line of
// its own and "-- end only". Everything else is both engines'.
const (
	sqliteDialect   = "sqlite"
	postgresDialect = "postgres"
)

// onlyTail marks a line as one engine's.
var onlyTail = regexp.MustCompile(`\s*-- only: (sqlite|postgres)\s*$`)

// migrationsFor returns the migrations as dialect ("sqlite" or
// "postgres") runs them: each file with the other engine's lines left
// out, for goose to read.
func migrationsFor(dialect string) (fs.FS, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		data, err := fs.ReadFile(migrations, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		sql, err := forDialect(data, dialect)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		out[e.Name()] = &fstest.MapFile{Data: sql, Mode: 0o444}
	}
	return out, nil
}

// forDialect keeps the lines of a migration that dialect runs.
func forDialect(data []byte, dialect string) ([]byte, error) {
	var out bytes.Buffer
	block := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch t := strings.TrimSpace(line); {
		case t == "-- only: sqlite" || t == "-- only: postgres":
			if block != "" {
				return nil, fmt.Errorf("line %d: %q inside a block for %s", n, t, block)
			}
			block = strings.TrimPrefix(t, "-- only: ")
			continue
		case t == "-- end only":
			if block == "" {
				return nil, fmt.Errorf("line %d: -- end only without a block", n)
			}
			block = ""
			continue
		}
		if block != "" && block != dialect {
			continue
		}
		if m := onlyTail.FindStringSubmatch(line); m != nil {
			if m[1] != dialect {
				continue
			}
			line = line[:len(line)-len(m[0])]
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	if block != "" {
		return nil, fmt.Errorf("a block for %s never ends (-- end only)", block)
	}
	return out.Bytes(), sc.Err()
}
