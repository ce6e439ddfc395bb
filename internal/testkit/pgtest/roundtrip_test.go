package pgtest_test

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
)

// BenchmarkRoundTrips measures what a PostgreSQL transaction shaped like
// one of Huddle's events costs when its statements do nothing: BEGIN,
// five one-row statements and COMMIT, the seven round trips an event
// makes (docs/performance.md), on 4 connections at once. "one-by-one"
// sends each as the store does, through database/sql, waiting for each
// answer; "pipelined" sends the five in one batch through pgx's own
// interface, three round trips in all. It reports transactions a second
// and the CPU each costs the client and the server: the floor under
// BenchmarkInstances' figures that no tuning of the statements lowers.
func BenchmarkRoundTrips(b *testing.B) {
	const conns, statements = 4, 5
	ctx := context.Background()
	url := pgtest.URL(b)
	b.Run("one-by-one", func(b *testing.B) {
		db, err := sql.Open("pgx", url)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		measureTx(b, conns, func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for i := range statements {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT $1::int", i).Scan(&n); err != nil {
					return err
				}
			}
			return tx.Commit()
		})
	})
	b.Run("pipelined", func(b *testing.B) {
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		measureTx(b, conns, func() error {
			tx, err := pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			batch := &pgx.Batch{}
			for i := range statements {
				batch.Queue("SELECT $1::int", i)
			}
			if err := tx.SendBatch(ctx, batch).Close(); err != nil {
				return err
			}
			return tx.Commit(ctx)
		})
	})
}

// measureTx runs fn b.N times on conns goroutines and reports
// transactions a second and the CPU each cost this process and the
// server.
func measureTx(b *testing.B, conns int, fn func() error) {
	var left atomic.Int64
	left.Store(int64(b.N))
	cpu0, _ := pgtest.ServerCPU()
	own0 := testkit.ProcessCPU()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if err := fn(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tx/s")
	b.ReportMetric(float64(testkit.ProcessCPU()-own0)/float64(time.Millisecond)/float64(b.N), "client-cpu-ms/tx")
	if cpu, ok := pgtest.ServerCPU(); ok {
		b.ReportMetric(float64(cpu-cpu0)/float64(time.Millisecond)/float64(b.N), "db-cpu-ms/tx")
	}
}
