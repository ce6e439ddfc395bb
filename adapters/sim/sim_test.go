package sim_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// TestRestartKeepsIDsUnique restarts Huddle and its simulator on the same
// database: a message after the restart must not reuse an id from before,
// or it would be dropped as a repeat.
func TestRestartKeepsIDsUnique(t *testing.T) {
	ctx := context.Background()
	first := sim.New(nil)
	app := huddletest.Start(t, huddletest.Options{}, first)
	post := func(s *sim.Sim, text string) sim.Message {
		t.Helper()
		for {
			m, err := s.Post(ctx, sim.Post{Chat: "dm-a", ChatType: bot.Direct, Sender: "a", Text: text})
			if err == sim.ErrNotRunning {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	before := post(first, "/lesson solo-quiz")
	app.Stop()

	second := sim.New(nil)
	huddletest.Start(t, huddletest.Options{DBPath: app.Path}, second)
	after := post(second, "Maternity")
	if after.ID == before.ID || after.Seq <= before.Seq {
		t.Fatalf("after a restart: id %s seq %d, before: id %s seq %d", after.ID, after.Seq, before.ID, before.Seq)
	}
	// Messages queued before the stop may arrive first; the answer must
	// be taken.
	testkit.Eventually(t, 5*time.Second, "the answer after the restart taken", func() bool {
		for _, m := range second.Messages(ctx, "dm-a", after.Seq, 0) {
			if m.Text == "🙏 Thanks." {
				return true
			}
		}
		return false
	}, func() string { return fmt.Sprintf("the chat: %+v", second.Messages(ctx, "dm-a", 0, 0)) })
}
