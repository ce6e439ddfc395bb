package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/demo"
	"github.com/huddlebot/huddle/store"
)

// BenchmarkErasureStall measures what an erasure's rebuild costs the
// other chats: on a program's database, a member is forgotten and the
// file rebuilt at once (as it is at a quiet minute, or when the hour is
// up) while another chat writes every 10 ms; it reports the longest any
// of those writes waited (the stall) and the database's size. It makes a
// database with internal/demo's bulk model (HUDDLE_STALL_MEMBERS members
// in groups of 50 over HUDDLE_STALL_WEEKS weeks; 5,000 and 26 by
// default), or uses a copy of the one at HUDDLE_STALL_DB. Run with
// -benchtime 1x.
func BenchmarkErasureStall(b *testing.B) {
	ctx := context.Background()
	env := func(name string, def int) int {
		if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
			return n
		}
		return def
	}
	src := os.Getenv("HUDDLE_STALL_DB")
	if src == "" {
		members, weeks := env("HUDDLE_STALL_MEMBERS", 5000), env("HUDDLE_STALL_WEEKS", 26)
		spec := demo.DefaultSpec()
		spec.Members, spec.Groups, spec.Weeks = members, max(members/50, 1), weeks
		src = filepath.Join(b.TempDir(), "program.db")
		if _, err := demo.GenerateBulk(ctx, src, spec, nil); err != nil {
			b.Fatal(err)
		}
	}
	for range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "stall.db")
		data, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		db.SetRebuild(time.Millisecond, time.Millisecond)
		var m bot.Member
		if err := db.Update(ctx, func(tx bot.Tx) (err error) {
			m, err = tx.EnsureMember("sim", "leaving", "Leaving", time.Now())
			return err
		}); err != nil {
			b.Fatal(err)
		}
		// Another chat writes every 10 ms meanwhile.
		var (
			mu      sync.Mutex
			longest time.Duration
			stop    = make(chan struct{})
			done    = make(chan struct{})
		)
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				start := time.Now()
				db.Update(ctx, func(tx bot.Tx) error { _, err := tx.SeeEvent("sim:ward:x:"+strconv.Itoa(i), time.Now()); return err })
				mu.Lock()
				longest = max(longest, time.Since(start))
				mu.Unlock()
			}
		}()
		b.StartTimer()
		start := time.Now()
		if err := db.Update(ctx, func(tx bot.Tx) error { return tx.ForgetMember(m.ID, time.Now()) }); err != nil {
			b.Fatal(err)
		}
		for db.Rebuilds() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		took := time.Since(start)
		b.StopTimer()
		time.Sleep(50 * time.Millisecond)
		close(stop)
		<-done
		info, _ := os.Stat(path)
		db.Close()
		b.ReportMetric(float64(longest.Milliseconds()), "stall-ms")
		b.ReportMetric(float64(took.Milliseconds()), "rebuild-ms")
		b.ReportMetric(float64(info.Size())/(1<<20), "db-MB")
	}
}
