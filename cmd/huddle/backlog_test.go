package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/botapifake"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/store"
)

// TestKillDuringBacklog queues 1,000 messages to 100 chats, starts huddle
// against a fake Bot API that answers after 100 ms and holds to the
// limits, kills it with SIGKILL once some have gone, and starts it again.
// Every message arrives, in order within its chat, and none twice but the
// one each chat may have had in flight when the process died.
func TestKillDuringBacklog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const chats, each = 100, 10
	// 100 a second in all (the rate is configurable; the per-chat gap of a
	// second is Telegram's): the backlog takes about ten seconds.
	api := botapifake.Start(t, botapifake.Config{Latency: 100 * time.Millisecond, Limits: botapifake.Limits{PerSecond: 100}})
	dir := t.TempDir()
	path := filepath.Join(dir, "huddle.db")
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = db.Update(ctx, func(tx bot.Tx) error {
		for i := range each {
			for c := range chats {
				m := bot.Outbound{Channel: "telegram", ChatID: strconv.Itoa(5000 + c), Text: fmt.Sprintf("chat %d message %d", 5000+c, i),
					Key: fmt.Sprintf("backlog:%d:%d", c, i)}
				if err := tx.Enqueue(m, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HUDDLE_DATABASE=" + path,
		"HUDDLE_LESSONS=" + huddletest.TestLessons(),
		"HUDDLE_HTTP_LISTEN=127.0.0.1:0",
		"HUDDLE_CHANNELS_TELEGRAM_ENABLED=true",
		"HUDDLE_CHANNELS_TELEGRAM_TOKEN=" + api.Token,
		"HUDDLE_CHANNELS_TELEGRAM_API_ENDPOINT=" + api.URL,
		"HUDDLE_CHANNELS_TELEGRAM_RATE=90",
	}
	// waitSent waits until n different messages were sent.
	waitSent := func(n int, within time.Duration) int {
		t.Helper()
		got := 0
		testkit.Eventually(t, within, fmt.Sprintf("%d messages sent", n), func() bool {
			texts := map[string]bool{}
			for _, m := range api.Sent() {
				texts[m.Text] = true
			}
			got = len(texts)
			return got >= n
		}, func() string { return fmt.Sprintf("%d were", got) })
		return got
	}

	p := startHuddle(t, env)
	atKill := waitSent(300, 60*time.Second)
	p.kill(t)
	startHuddle(t, env) // stopped by the test's cleanup
	waitSent(chats*each, 60*time.Second)
	time.Sleep(2 * time.Second) // anything sent twice would come by now

	got := map[int64][]int{}
	for _, m := range api.Sent() {
		var chat int64
		var i int
		if _, err := fmt.Sscanf(m.Text, "chat %d message %d", &chat, &i); err != nil {
			t.Fatalf("unexpected message %q", m.Text)
		}
		got[chat] = append(got[chat], i)
	}
	twice := 0
	for c := range chats {
		seq := got[int64(5000+c)]
		var once []int
		for j, i := range seq {
			if j > 0 && seq[j-1] == i {
				twice++ // the one in flight when the process died
				continue
			}
			once = append(once, i)
		}
		if fmt.Sprint(once) != fmt.Sprint([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
			t.Errorf("chat %d received %v; want 0 to 9, in order", 5000+c, seq)
		}
		if len(seq)-len(once) > 1 {
			t.Errorf("chat %d received %d messages twice; at most the one in flight may repeat", 5000+c, len(seq)-len(once))
		}
	}
	st := api.Stats()
	t.Logf("%d sent before the kill; after the restart all %d delivered, %d twice (in flight at the kill); %d answers 429",
		atKill, chats*each, twice, st.TooMany)
	if st.TooMany != 0 {
		t.Errorf("%d answers 429", st.TooMany)
	}
}
