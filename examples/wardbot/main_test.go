package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
)

// TestWardbot runs the program of docs/embedding.md on the simulator, as
// a member would use it: the ward's command and its handler of readings,
// a lesson with the ward's own question type, answered and scored, and
// Hausa, a language Huddle does not ship.
func TestWardbot(t *testing.T) {
	s := sim.New(nil)
	opts := options(filepath.Join(t.TempDir(), "w.db"), "lessons", "", s)
	opts.NoConsent = true // the notice has tests of its own
	opts.Logger = slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})

	say := func(text, want string) {
		t.Helper()
		var err error
		var sent sim.Message
		testkit.Eventually(t, 5*time.Second, "the simulator to take "+text, func() bool {
			sent, err = s.Post(ctx, sim.Post{Chat: "dm-amina", ChatType: bot.Direct, Sender: "amina", Name: "Amina", Text: text})
			return err == nil
		}, func() string { return err.Error() })
		var got []string
		testkit.Eventually(t, 5*time.Second, "an answer to "+text+" saying "+want, func() bool {
			got = got[:0]
			for _, m := range s.Messages(ctx, "dm-amina", sent.Seq, 0) {
				if m.Bot {
					got = append(got, m.Text)
				}
			}
			return strings.Contains(strings.Join(got, "\n"), want)
		}, func() string { return strings.Join(got, " | ") })
	}
	say("/help", "/vitals: how to report a blood pressure")
	say("/vitals", "such as: bp 150/95")
	say("bp 150/95", "Blood pressure 150/95 is high")
	say("bp 118/76", "Blood pressure 118/76 is in range.")
	say("/lesson blood-loss", "📏 How much blood is on it, in mL?")
	say("about a cup", "Send /lessons") // chatter: not an answer, and no lesson took it
	say("300 mL", "1 of 1 within 50 mL of 250 mL.")
	say("/lang ha", "Yanzu zan rubuta muku da Hausa.")
	say("/nosuch", "Ban san /nosuch ba.")
	say("/lesson blood-loss", "📏 Jini nawa ne a kai, a mL?")
}

// TestEmbeddingPage: docs/embedding.md shows this program as it is.
func TestEmbeddingPage(t *testing.T) {
	page, err := os.ReadFile("../../docs/embedding.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "```go\n"+string(src)+"```\n") {
		t.Error("docs/embedding.md does not hold examples/wardbot/main.go as it is: copy it in again")
	}
}
