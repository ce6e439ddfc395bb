package whatsapp

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Clock tells the time and waits; tests pass a fake one.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx ends (returning its error).
	Sleep(ctx context.Context, d time.Duration) error
}

// pacer spaces messages out: at least chatGap between two messages to one
// chat and gap between any two, each plus up to jitter at random, so the
// account sends at a human pace rather than in machine-regular bursts.
type pacer struct {
	chatGap, gap, jitter time.Duration

	mu       sync.Mutex
	next     time.Time
	chatNext map[string]time.Time
}

func newPacer(chatGap, gap, jitter time.Duration) *pacer {
	return &pacer{chatGap: chatGap, gap: gap, jitter: jitter, chatNext: make(map[string]time.Time)}
}

// wait says how long a message to chat must wait at now: chatWait for the
// chat's own gap (the caller lets other chats go first), wait for the
// overall gap (the caller sleeps).
func (p *pacer) wait(chat string, now time.Time) (chatWait, wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.chatNext[chat].Sub(now), 0), max(p.next.Sub(now), 0)
}

// sent records a message sent to chat at at.
func (p *pacer) sent(chat string, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = at.Add(p.gap + p.jitterDur())
	p.chatNext[chat] = at.Add(p.chatGap + p.jitterDur())
	if len(p.chatNext) > 1024 {
		for c, t := range p.chatNext {
			if t.Before(at) {
				delete(p.chatNext, c)
			}
		}
	}
}

func (p *pacer) jitterDur() time.Duration {
	if p.jitter <= 0 {
		return 0
	}
	return rand.N(p.jitter + 1)
}

// typingTime is how long the typing indicator shows before a message of n
// runes: about as long as typing a short line, at most four seconds.
func typingTime(n int) time.Duration {
	return min(time.Second+time.Duration(n)*10*time.Millisecond, 4*time.Second)
}
