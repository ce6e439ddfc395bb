package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/outbox"
	"github.com/huddlebot/huddle/store"
)

// slowNet is a channel whose every send takes a while, as a platform's
// round trip does; it records each chat's messages and how many sends
// were under way at once. A chat listed in pace asks, that many times,
// to wait as an adapter pacing itself does; then a chat listed in fail
// fails that many times, as a network would.
type slowNet struct {
	latency time.Duration

	mu       sync.Mutex
	inFlight int
	most     int
	byChat   map[string][]string
	keys     map[string]int
	pace     map[string]int
	fail     map[string]int
}

func (n *slowNet) Name() string                                 { return "slow" }
func (n *slowNet) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (n *slowNet) Send(ctx context.Context, m bot.Outbound) (string, error) {
	n.mu.Lock()
	if n.pace[m.ChatID] > 0 {
		n.pace[m.ChatID]--
		n.mu.Unlock()
		return "", &bot.RetryError{After: 20 * time.Millisecond, Pace: true, Err: errors.New("pacing")}
	}
	if n.fail[m.ChatID] > 0 {
		n.fail[m.ChatID]--
		n.mu.Unlock()
		return "", errors.New("connection reset")
	}
	n.inFlight++
	n.most = max(n.most, n.inFlight)
	n.mu.Unlock()
	select {
	case <-time.After(n.latency):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.inFlight--
	n.byChat[m.ChatID] = append(n.byChat[m.ChatID], m.Text)
	if n.keys != nil {
		n.keys[m.Key]++
	}
	return "id-" + m.Key, nil
}

// sent counts the messages delivered.
func (n *slowNet) sent() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	total := 0
	for _, msgs := range n.byChat {
		total += len(msgs)
	}
	return total
}

// startSender opens a database in a temporary directory, queues perChat
// messages to each of chats chats, and runs a sender to net.
func startSender(t *testing.T, net *slowNet, cfg outbox.Config, chats, perChat int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Now()
	err = db.Update(ctx, func(tx bot.Tx) error {
		for i := 0; i < perChat; i++ {
			for c := 0; c < chats; c++ {
				m := bot.Outbound{Channel: "slow", ChatID: fmt.Sprintf("ward-%d", c), Text: fmt.Sprint(i), Key: fmt.Sprintf("%d:%d", c, i)}
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
	cfg.Store, cfg.Channels, cfg.Poll = db, []bot.Channel{net}, 10*time.Millisecond
	go outbox.New(cfg).Run(ctx)
}

// TestSenderChatsAtOnce: a slow platform costs each chat its round trips,
// not the whole outbox: different chats are sent to at once, never more
// than the configured number, and each chat still gets its messages in
// the order they were queued.
func TestSenderChatsAtOnce(t *testing.T) {
	const chats, perChat = 12, 5
	net := &slowNet{latency: 15 * time.Millisecond, byChat: map[string][]string{}}
	startSender(t, net, outbox.Config{Concurrency: 4}, chats, perChat)
	testkit.Eventually(t, 20*time.Second, fmt.Sprintf("%d sent", chats*perChat), func() bool { return net.sent() >= chats*perChat },
		func() string { return fmt.Sprintf("sent %d of %d", net.sent(), chats*perChat) })
	net.mu.Lock()
	defer net.mu.Unlock()
	if net.most < 2 || net.most > 4 {
		t.Errorf("at most %d sends at once; want between 2 and the 4 configured", net.most)
	}
	for chat, msgs := range net.byChat {
		for i, m := range msgs {
			if m != fmt.Sprint(i) {
				t.Errorf("%s got %q; want its messages in order", chat, msgs)
				break
			}
		}
	}
}

// TestPacingIsNotAFailure: a channel pacing itself under the platform's
// limits defers a message without it counting as a failed attempt: a
// message paced many times and then failing once, as networks do, is
// tried again, not given up as if it had failed every time.
func TestPacingIsNotAFailure(t *testing.T) {
	net := &slowNet{byChat: map[string][]string{}, pace: map[string]int{"ward-0": 6}, fail: map[string]int{"ward-0": 1}}
	startSender(t, net, outbox.Config{MaxAttempts: 2}, 1, 2)
	testkit.Eventually(t, 10*time.Second, fmt.Sprintf("%d sent", 2), func() bool { return net.sent() >= 2 },
		func() string {
			return fmt.Sprintf("sent %d of 2 after being paced 6 times and failing once; given up?", net.sent())
		})
	net.mu.Lock()
	defer net.mu.Unlock()
	if got := net.byChat["ward-0"]; len(got) != 2 || got[0] != "0" {
		t.Errorf("ward-0 got %q; want both messages, in order", got)
	}
}

// TestSenderSendsOnce: chats whose lanes keep finishing while the sender
// reads the outbox get each message once. A lane that finished between
// a read and the launch of new lanes used to be launched again with what
// the read listed, messages it had just sent among them.
func TestSenderSendsOnce(t *testing.T) {
	const chats, perChat = 40, 15
	net := &slowNet{latency: time.Millisecond, byChat: map[string][]string{}, keys: map[string]int{}}
	startSender(t, net, outbox.Config{}, chats, perChat)
	testkit.Eventually(t, 20*time.Second, fmt.Sprintf("%d sent", chats*perChat), func() bool { return net.sent() >= chats*perChat },
		func() string { return fmt.Sprintf("sent %d of %d", net.sent(), chats*perChat) })
	time.Sleep(50 * time.Millisecond)
	net.mu.Lock()
	defer net.mu.Unlock()
	for key, n := range net.keys {
		if n != 1 {
			t.Errorf("message %s sent %d times", key, n)
		}
	}
	if len(net.keys) != chats*perChat {
		t.Errorf("%d messages sent; want %d", len(net.keys), chats*perChat)
	}
}
