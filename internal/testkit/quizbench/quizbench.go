// Package quizbench is the shape of Huddle's throughput benchmarks: groups
// run a quiz lesson at once, each driven by its own goroutine; an event is
// one member's typed answer (every members-th event closes a question and
// posts the next; the last starts the lesson again). The store's
// benchmarks (one process on SQLite) and the cluster's (instances on
// PostgreSQL) drive the same events.
package quizbench

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
)

// The benchmarks' size: Groups groups of Members members, a lesson of
// Questions numeric questions.
const (
	Groups    = 32
	Members   = 20
	Questions = 10
)

// Lesson is the library of the one group lesson "bench": Questions
// numeric questions.
func Lesson(tb testing.TB) *flows.Library {
	var y strings.Builder
	y.WriteString("id: bench\ntitle: Bench\nmode: group\nsteps:\n")
	for i := 0; i < Questions; i++ {
		fmt.Fprintf(&y, "  - id: q%d\n    quiz:\n      question: \"Question %d?\"\n      numeric: {answer: %d}\n      explain: \"Because.\"\n      timeout: 1h\n", i, i, i%2)
	}
	l, err := flows.Parse("bench.yaml", []byte(y.String()))
	if err != nil {
		tb.Fatal(err)
	}
	lib, err := flows.NewLibrary(l)
	if err != nil {
		tb.Fatal(err)
	}
	return lib
}

// Chat is group g's chat id.
func Chat(g int) string { return fmt.Sprintf("group-%d", g) }

// Join has every member of group g say hello, the first starting the
// lesson: what a benchmark does before its clock starts. The hellos carry
// the members' names, as the events the clock measures do (a member is
// in every group), so that none is renamed once it runs.
func Join(g, members int, handle func(bot.Event) error) error {
	for m := 0; m < members; m++ {
		ev := bot.Event{ID: fmt.Sprintf("hello-%d-%d", g, m), Channel: "bench", ChatID: Chat(g), ChatType: bot.Group,
			SenderID: fmt.Sprintf("m%d", m), SenderName: fmt.Sprintf("m%d", m), Text: "hello"}
		if m == 0 {
			ev.Text = "/lesson bench"
		}
		if err := handle(ev); err != nil {
			return err
		}
	}
	return nil
}

// DriveAll drives every group at once, each in its own goroutine, until n
// events in all have been sent, and returns when they are: group g's
// events go to handler(g).
func DriveAll(tb testing.TB, members, n int, handler func(g int) func(bot.Event) error) {
	var budget atomic.Int64
	budget.Store(int64(n))
	var wg sync.WaitGroup
	for g := range Groups {
		wg.Go(func() { drive(tb, g, members, &budget, handler(g)) })
	}
	wg.Wait()
}

// drive sends group g's events, one after another, until the shared
// budget is spent.
func drive(tb testing.TB, g, members int, budget *atomic.Int64, handle func(bot.Event) error) {
	chat := Chat(g)
	seq := 0
	event := func(sender, text string) bot.Event {
		seq++
		return bot.Event{ID: bot.EventID("bench", chat, sender, fmt.Sprint(seq)), Channel: "bench", ChatID: chat,
			ChatType: bot.Group, SenderID: sender, SenderName: sender, MessageID: fmt.Sprint(seq), Text: text}
	}
	for budget.Add(-1) >= 0 {
		member := seq % (members*Questions + 1)
		var ev bot.Event
		if member == 0 {
			ev = event("m0", "/lesson bench replace")
		} else {
			ev = event(fmt.Sprintf("m%d", (member-1)%members), fmt.Sprint(((member-1)/members)%2))
		}
		if err := handle(ev); err != nil {
			tb.Error(err)
			return
		}
	}
}
