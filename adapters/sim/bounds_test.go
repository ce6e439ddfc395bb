package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/bot"
)

// TestMemoryBounded: whatever is posted, the simulator keeps at most
// MaxTranscript messages, MaxTranscriptBytes of text and documents,
// MaxChats chats and MaxSentKeys outbox keys, dropping the oldest.
func TestMemoryBounded(t *testing.T) {
	s := New(nil)
	ctx := context.Background()
	big := strings.Repeat("x", 60<<10)
	n := MaxChats + 200
	for i := range n {
		// No bot runs: the message is kept all the same.
		_, err := s.Post(ctx, Post{Chat: fmt.Sprintf("chat-%d", i), Sender: "a", Text: big})
		if !errors.Is(err, ErrNotRunning) {
			t.Fatal(err)
		}
	}
	for i := range MaxTranscript + 100 {
		if _, err := s.Send(ctx, bot.Outbound{ChatID: "chat-1", Text: "hi", Key: fmt.Sprintf("k%d", i),
			File: &bot.File{Name: "f.txt", MIMEType: "text/plain", Data: []byte("data")}}); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	if st.Messages > MaxTranscript || st.Bytes > MaxTranscriptBytes || st.Chats > MaxChats || st.SentKeys > MaxSentKeys {
		t.Errorf("holds %+v; bounds are %d messages, %d bytes, %d chats, %d keys", st, MaxTranscript, MaxTranscriptBytes, MaxChats, MaxSentKeys)
	}
	if st.Messages < MaxTranscript-10 || st.Chats < MaxChats-1 {
		t.Errorf("holds %+v: it dropped more than it had to", st)
	}
	all := s.Messages(ctx, "", 0, 0)
	if last := all[len(all)-1]; last.Text != "hi" || last.File == nil {
		t.Errorf("the newest message is gone: %+v", last)
	}
	if f, ok := s.File(all[0].ID); all[0].File != nil && !ok {
		t.Errorf("the oldest message kept lost its document %v", f)
	}
	// The chat written to last is known; the quietest went.
	s.mu.Lock()
	_, newest := s.chats["chat-1"]
	_, first := s.chats["chat-0"]
	s.mu.Unlock()
	if !newest || first {
		t.Errorf("chats: chat-1 (busy) known %v, chat-0 (quiet) known %v", newest, first)
	}
	for i := range MaxSentKeys + 10 {
		s.Send(ctx, bot.Outbound{ChatID: "chat-1", Text: "k", Key: fmt.Sprintf("more-%d", i)})
	}
	if got := s.Stats().SentKeys; got != MaxSentKeys {
		t.Errorf("%d sent keys kept; want %d", got, MaxSentKeys)
	}
}
