package cluster_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cluster"
	"github.com/huddlebot/huddle/flows"
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
// handed over to their chat's owner. The clock stops once every event is
// handled (the inbox empty). Each instance has its own store (its writer
// and group commit) and router, as a process would.
func BenchmarkInstances(b *testing.B) {
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			url := pgtest.URL(b)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			raw, err := sql.Open("pgx", url)
			if err != nil {
				b.Fatal(err)
			}
			defer raw.Close()
			var nodes []*cluster.Node
			var wg sync.WaitGroup
			for i := range n {
				db, err := store.OpenPostgres(ctx, url, filepath.Join(b.TempDir(), "media"))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				router := router.New(router.Config{Store: db, Logger: log,
					Engine: flows.NewHost(flows.HostConfig{Library: quizbench.Lesson(b), Logger: log})})
				defer router.Close()
				node := cluster.New(cluster.Config{Store: db, Router: router, Name: fmt.Sprint("node-", i), Logger: log})
				db.SetInstance(fmt.Sprint("node-", i), node.TTL())
				wg.Add(1)
				go func() { defer wg.Done(); node.Run(ctx) }()
				nodes = append(nodes, node)
			}
			// Once they have counted each other (a joining instance
			// keeps nothing for the others until then), each group joins
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
			quizbench.DriveAll(b, quizbench.Members, b.N, func(g int) func(bot.Event) error {
				turn := g
				return func(ev bot.Event) error {
					turn++
					return nodes[turn%n].HandleEvent(ctx, ev)
				}
			})
			for {
				var waiting int
				if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM inbox`).Scan(&waiting); err != nil {
					b.Fatal(err)
				}
				if waiting == 0 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
			b.StopTimer()
			cancel()
			wg.Wait()
		})
	}
}
