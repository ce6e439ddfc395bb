package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ticks is the kernel's clock ticks a second, in which /proc gives CPU
// times (USER_HZ, 100 on Linux).
const ticks = 100

// ServerCPU is the CPU time the test binary's PostgreSQL server has used
// so far, all its processes together: the postmaster's own and its
// finished children's, and each live backend's. ok is false where /proc
// does not tell (not Linux) or no server runs.
func ServerCPU() (cpu time.Duration, ok bool) {
	pid := int(server.pid.Load())
	if pid == 0 {
		return 0, false
	}
	own, ppid, err := procCPU(pid, true)
	if err != nil || ppid == 0 {
		return 0, false
	}
	total := own
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		c, parent, err := procCPU(child, false)
		if err == nil && parent == pid {
			total += c
		}
	}
	return total, true
}

// procCPU reads a process's CPU time (user and system; with its waited-for
// children's too when children) and its parent's pid from /proc.
func procCPU(pid int, children bool) (time.Duration, int, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, err
	}
	// The command name, in parentheses, may hold spaces: fields follow
	// its closing one.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, 0, errors.New("bad stat")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 15 {
		return 0, 0, errors.New("short stat")
	}
	// f[0] is the state (field 3); ppid is field 4, utime 14, stime 15,
	// cutime 16, cstime 17.
	ppid, _ := strconv.Atoi(f[1])
	var sum int64
	last := 13
	if children {
		last = 15
	}
	for k := 11; k <= last; k++ {
		n, _ := strconv.ParseInt(f[k], 10, 64)
		sum += n
	}
	return time.Duration(sum) * time.Second / ticks, ppid, nil
}

// Delayed returns url reached through a proxy on loopback that holds each
// chunk of bytes for delay in each direction, as a database on another
// machine is: a round trip then takes twice delay more. The proxy stops
// at the test's end.
func Delayed(tb testing.TB, url string, delay time.Duration) string {
	tb.Helper()
	const prefix = "@127.0.0.1:"
	i := strings.Index(url, prefix)
	if i < 0 {
		tb.Fatalf("delay %s: not a loopback database URL", url)
	}
	rest := url[i+len(prefix):]
	j := strings.IndexAny(rest, "/?")
	target := "127.0.0.1:" + rest[:j]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	tb.Cleanup(func() { cancel(); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); delayCopy(ctx, out, in, delay); out.Close() }()
			go func() { defer wg.Done(); delayCopy(ctx, in, out, delay); in.Close() }()
		}
	}()
	return url[:i] + "@" + ln.Addr().String() + rest[j:]
}

// delayCopy copies src to dst, each chunk delay after it was read, in
// order, without holding the reads back (a link's latency, not its
// bandwidth).
func delayCopy(ctx context.Context, dst io.Writer, src io.Reader, delay time.Duration) {
	type chunk struct {
		at   time.Time
		data []byte
	}
	chunks := make(chan chunk, 1024)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- chunk{time.Now().Add(delay), buf[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		if wait := time.Until(c.at); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
		}
		if _, err := dst.Write(c.data); err != nil {
			return
		}
	}
}

// Statement is one statement's share of a database's work.
type Statement struct {
	Query string
	Calls int64
	Time  time.Duration // executing it, all calls together
}

// StatementsReset starts counting statements afresh, where the server
// counts them (HUDDLE_PG_STATEMENTS set in the environment when it
// started); false where it does not.
func StatementsReset(ctx context.Context, url string) bool {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return false
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return false
	}
	_, err = db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`)
	return err == nil
}

// Statements lists the limit statements that took the most time since
// StatementsReset, most first.
func Statements(ctx context.Context, url string, limit int) ([]Statement, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT regexp_replace(query, '\s+', ' ', 'g'), calls, total_exec_time FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Statement
	for rows.Next() {
		var st Statement
		var ms float64
		if err := rows.Scan(&st.Query, &st.Calls, &ms); err != nil {
			return nil, err
		}
		st.Time = time.Duration(ms * float64(time.Millisecond))
		out = append(out, st)
	}
	return out, rows.Err()
}

// TotalStatements counts the statements run since StatementsReset, and
// their time, in the database of url.
func TotalStatements(ctx context.Context, url string) (calls int64, total time.Duration, err error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	var ms float64
	err = db.QueryRowContext(ctx, `SELECT COALESCE(sum(calls), 0), COALESCE(sum(total_exec_time), 0) FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&calls, &ms)
	return calls, time.Duration(ms * float64(time.Millisecond)), err
}
