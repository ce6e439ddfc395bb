package sim_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// BenchmarkEndToEnd runs the simulator, the router, the engine, the store
// and the sender together: 1, 10 and 100 groups of 10 members take a
// five-question quiz at once, every member answering every question (an
// event is one answer; the last of a question closes it and posts the
// next; the last of the lesson starts it again). It counts until the
// sender has delivered everything the events queued.
func BenchmarkEndToEnd(b *testing.B) {
	const members, questions = 10, 5
	for _, groups := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("groups=%d", groups), func(b *testing.B) {
			s := sim.New(nil)
			app := huddletest.Start(b, huddletest.Options{Lessons: "testdata/lessons"}, s)
			ctx := context.Background()
			post := func(chat, who, text string) {
				for {
					_, err := s.Post(ctx, sim.Post{Chat: chat, ChatTitle: chat, Sender: who, Name: who, Text: text})
					if errors.Is(err, sim.ErrNotRunning) {
						time.Sleep(time.Millisecond) // the channel starts
						continue
					}
					if err != nil {
						b.Error(err)
					}
					return
				}
			}
			for g := 0; g < groups; g++ {
				for m := 0; m < members; m++ {
					post(fmt.Sprintf("g%d", g), fmt.Sprintf("m%d", m), "hello")
				}
			}
			var budget atomic.Int64
			budget.Store(int64(b.N))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for g := 0; g < groups; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					chat := fmt.Sprintf("g%d", g)
					for seq := 0; budget.Add(-1) >= 0; seq++ {
						i := seq % (members*questions + 1)
						if i == 0 {
							post(chat, "m0", "/lesson bench-quiz replace")
							continue
						}
						q := (i - 1) / members
						post(chat, fmt.Sprintf("m%d", (i-1)%members), fmt.Sprint(q%2))
					}
				}()
			}
			wg.Wait()
			for {
				pending, err := app.DB.PendingOutbox(ctx, sim.Name, app.Clock.Now().Add(time.Hour), 1, nil)
				if err != nil {
					b.Fatal(err)
				}
				if len(pending) == 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}
