// Package pgtest gives tests a real PostgreSQL: a private server, started
// once per test binary from Debian's postgresql package (initdb into a
// temporary folder, on a free loopback port, trusting local connections
// alone, without fsync), and a fresh database for each test. Where
// PostgreSQL is not installed the tests skip, saying how to install it;
// in CI (CI set) they fail instead, as .ci/run installs it.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/filelock"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// server is the test binary's PostgreSQL, started by the first test that
// asks for one.
var server struct {
	once sync.Once
	url  string // the admin database's URL; "" when it could not start
	err  error
	n    atomic.Int64 // databases made
	// owner is the lock on the server's folder this binary holds while
	// it lives: another binary removes only folders it can lock.
	owner *os.File
	// pid is the server's postmaster's.
	pid atomic.Int64
}

// URL creates a database for the calling test, dropped when it ends, and
// returns its URL (postgres://…).
func URL(t testing.TB) string {
	t.Helper()
	server.once.Do(func() { server.url, server.err = start() })
	if server.err != nil {
		if errors.Is(server.err, errNotInstalled) && os.Getenv("CI") == "" {
			t.Skipf("PostgreSQL is not installed here (%v): install Debian's postgresql package to run this test", server.err)
		}
		t.Fatalf("PostgreSQL: %v", server.err)
	}
	name := fmt.Sprintf("huddle_%d_%d", os.Getpid(), server.n.Add(1))
	admin, err := sql.Open("pgx", server.url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", server.url)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return strings.Replace(server.url, "/postgres?", "/"+name+"?", 1)
}

// errNotInstalled says no PostgreSQL server program was found.
var errNotInstalled = errors.New("no initdb found")

// binDir finds the server's programs: on the PATH, or in the newest
// /usr/lib/postgresql/N/bin, where Debian puts them.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(dirs) == 0 {
		return "", errNotInstalled
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	return filepath.Dir(dirs[0]), nil
}

func version(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// start initialises and starts a private server; it stops when the test
// binary exits (the kernel signals it: Pdeathsig), and its folder is
// removed by the next binary that starts one.
func start() (string, error) {
	bin, err := binDir()
	if err != nil {
		return "", err
	}
	removeStale()
	dir, err := os.MkdirTemp("", "huddle-pgtest-")
	if err != nil {
		return "", err
	}
	if server.owner, err = filelock.Lock(filepath.Join(dir, "owner")); err != nil {
		return "", err
	}
	// PostgreSQL refuses to run as root: as root, run it as postgres.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root, and no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync",
		"-E", "UTF8", "--locale=C.UTF-8")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200"}
	if os.Getenv("HUDDLE_PG_STATEMENTS") != "" {
		// Statements' counts and times, for benchmarks that say where a
		// database's time goes (Statements).
		args = append(args, "-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all")
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), args...)
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return "", err
	}
	srv.Stdout, srv.Stderr = logf, logf
	// SIGQUIT, an immediate shutdown, when the test binary (the thread
	// that started it, kept for its life below) is gone.
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig follows the thread that started the server: this
		// goroutine keeps that thread until the binary exits.
		lockThread()
		if err := srv.Start(); err != nil {
			started <- err
			return
		}
		server.pid.Store(int64(srv.Process.Pid))
		started <- nil
		srv.Wait()
		select {} // the thread stays
	}()
	if err := <-started; err != nil {
		return "", fmt.Errorf("start postgres: %w", err)
	}
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		db, err := sql.Open("pgx", url)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return url, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return "", fmt.Errorf("postgres did not answer on port %d: %v\n%s", port, err, log)
		}
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// removeStale removes the folders of servers whose test binaries have
// exited: their owner lock is free (the kernel drops a binary's lock
// when it exits). A folder without one yet, just made, is left alone.
// (A server's postmaster.pid says nothing while initdb runs: its
// single-user backends leave one naming a process already gone.)
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "huddle-pgtest-*"))
	for _, d := range dirs {
		owner := filepath.Join(d, "owner")
		if _, err := os.Stat(owner + ".lock"); err != nil {
			if info, err := os.Stat(d); err != nil || time.Since(info.ModTime()) < time.Minute {
				continue // being made now
			}
		}
		lock, err := filelock.Lock(owner)
		if err != nil {
			continue // its binary still runs
		}
		os.RemoveAll(d)
		lock.Close()
	}
}

// Listening returns once a listener hears what notify sends, which it
// calls until then: a LISTEN takes effect a little after the listener
// starts, and notifications before it are lost. What was heard is
// drained from heard.
func Listening(tb testing.TB, notify func() error, heard <-chan string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := notify(); err != nil {
			tb.Fatal(err)
		}
		select {
		case <-heard:
			for len(heard) > 0 {
				<-heard
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatal("the listener heard nothing in 10 s")
		}
	}
}
