package cluster_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cluster"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/internal/testkit/quizbench"
	"github.com/huddlebot/huddle/router"
	"github.com/huddlebot/huddle/store"
)

// BenchmarkInstances measures events handled a second by one, two and
// three instances on one real PostgreSQL, with the store benchmark's
// shape (quizbench: 32 group quizzes at once, 20 members each): each
// event goes to the instances in turn, as a load balancer deals
// Telegram's webhook updates, so with several instances most events are
// handled by an instance that does not own their chat (which tells the
// owner). The clock stops once every event is handled. Each instance has
// its own store (its writers) and router, as a process would.
//
// Besides events/s it reports the CPU spent per event by the test's
// process (the instances, and the load's few microseconds) and by the
// PostgreSQL server, from which what more machines would give is
// estimated (docs/performance.md). The latency=1ms runs put 0.5 ms each
// way between the instances and the database (a proxy on loopback), as
// separate machines have; -short leaves them out.
func BenchmarkInstances(b *testing.B) {
	for _, run := range []struct {
		n     int
		delay time.Duration
	}{{1, 0}, {2, 0}, {3, 0}, {1, 500 * time.Microsecond}, {3, 500 * time.Microsecond}} {
		n := run.n
		name := fmt.Sprintf("instances=%d", n)
		if run.delay > 0 {
			name += fmt.Sprintf("/latency=%v", 2*run.delay)
		}
		b.Run(name, func(b *testing.B) {
			if run.delay > 0 && testing.Short() {
				b.Skip("the runs at a distance from the database are long: not with -short")
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			direct := pgtest.URL(b)
			url := direct
			if run.delay > 0 {
				url = pgtest.Delayed(b, direct, run.delay)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			raw, err := sql.Open("pgx", direct)
			if err != nil {
				b.Fatal(err)
			}
			defer raw.Close()
			var nodes []*cluster.Node
			var dbs []*store.DB
			var wg sync.WaitGroup
			for i := range n {
				db, err := store.OpenPostgres(ctx, url, filepath.Join(b.TempDir(), "media"))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				dbs = append(dbs, db)
				router := router.New(router.Config{Store: db, Logger: log,
					Engine: flows.NewHost(flows.HostConfig{Library: quizbench.Lesson(b), Logger: log})})
				defer router.Close()
				node := cluster.New(cluster.Config{Store: db, Router: router, Name: fmt.Sprint("node-", i), Logger: log, OnInstances: func(n int) { db.ShareWriters(0, n) }})
				db.SetInstance(fmt.Sprint("node-", i), node.TTL())
				wg.Add(1)
				go func() { defer wg.Done(); node.Run(ctx) }()
				nodes = append(nodes, node)
			}
			// Once they have counted each other, each group joins
			// through one instance, which then owns it: the groups are
			// spread over the instances.
			for _, node := range nodes {
				<-node.Settled()
			}
			for g := 0; g < quizbench.Groups; g++ {
				node := nodes[g%n]
				if err := quizbench.Join(g, quizbench.Members, func(ev bot.Event) error { return node.HandleEvent(ctx, ev) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			cpu0, db0 := testkit.ProcessCPU(), serverCPU()
			stats0 := stats(dbs)
			counting := pgtest.StatementsReset(ctx, direct)
			var waits map[string]int
			stopSampling := func() {}
			if counting {
				waits, stopSampling = sampleWaits(ctx, raw)
			}
			quizbench.DriveAll(b, quizbench.Members, b.N, func(g int) func(bot.Event) error {
				turn := g
				return func(ev bot.Event) error {
					turn++
					return nodes[turn%n].HandleEvent(ctx, ev)
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
			// How many transactions a commit carried: chats' turns go in
			// rounds, the rest one a commit.
			if st := stats(dbs); st.Commits > stats0.Commits {
				b.ReportMetric(float64(st.Transactions-stats0.Transactions)/float64(st.Commits-stats0.Commits), "tx/commit")
			}

			b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(time.Millisecond)/float64(b.N), "inst-cpu-ms/event")
			if db := serverCPU(); db >= 0 {
				b.ReportMetric(float64(db-db0)/float64(time.Millisecond)/float64(b.N), "db-cpu-ms/event")
			}
			stopSampling()
			if counting {
				// What the server's busy connections were doing, sampled.
				fmt.Fprintf(os.Stderr, "%s: the server's active connections, sampled every 5 ms: %v\n", b.Name(), waits)
				// Where the database's time goes (HUDDLE_PG_STATEMENTS=1).
				// (On stderr: a benchmark's log is cut at ten lines.)
				if calls, total, err := pgtest.TotalStatements(ctx, direct); err == nil {
					b.ReportMetric(float64(calls)/float64(b.N), "statements/event")
					fmt.Fprintf(os.Stderr, "%s, %d events: %d statements, %v executing, per event %.1f and %v\n", b.Name(), b.N, calls,
						total.Round(time.Millisecond), float64(calls)/float64(b.N), (total / time.Duration(b.N)).Round(time.Microsecond))
				}
				top, err := pgtest.Statements(ctx, direct, 15)
				if err != nil {
					b.Log(err)
				}
				for _, st := range top {
					fmt.Fprintf(os.Stderr, "%8v %6.2f/event  %.140s\n", st.Time.Round(time.Millisecond), float64(st.Calls)/float64(b.N), st.Query)
				}
			}
			b.StopTimer()
			cancel()
			wg.Wait()
		})
	}
}

// stats sums the instances' stores' counts.
func stats(dbs []*store.DB) store.Stats {
	var sum store.Stats
	for _, db := range dbs {
		st := db.Stats()
		sum.Commits += st.Commits
		sum.Transactions += st.Transactions
	}
	return sum
}

// serverCPU is the tests' PostgreSQL server's CPU time; -1 where it is not
// known.
func serverCPU() time.Duration {
	cpu, ok := pgtest.ServerCPU()
	if !ok {
		return -1
	}
	return cpu
}

// sampleWaits counts, every 5 ms until stop, what the database's active
// connections wait on (pg_stat_activity's wait events; "cpu" for none),
// with the statement's beginning for a wait on a lock: where a database's
// time goes beyond its statements' own.
func sampleWaits(ctx context.Context, db *sql.DB) (map[string]int, func()) {
	out := map[string]int{}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rows, err := db.QueryContext(ctx, `SELECT COALESCE(wait_event_type || ':' || wait_event, 'cpu') || CASE WHEN wait_event_type = 'Lock' THEN ' ' || left(query, 50) ELSE '' END FROM pg_stat_activity
				WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()`)
			if err != nil {
				continue
			}
			for rows.Next() {
				var w string
				if rows.Scan(&w) == nil {
					out[w]++
				}
			}
			rows.Close()
		}
	}()
	return out, func() { cancel(); <-done }
}
