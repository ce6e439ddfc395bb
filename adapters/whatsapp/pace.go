package whatsapp

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Clock is a bot.Clock that also waits; tests pass a fake one.
type Clock interface {
	bot.Clock
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

// reserve takes the next slot for a message to chat wanted at now that
// goes out after typing for lead: at least gap after the slot before it,
// whichever chat that was, and chatGap after this chat's last. When the
// chat's own gap is not over by then it takes nothing and says how long
// (the caller lets other chats go first); otherwise it says how long to
// sleep before typing. Slots are taken in turn, so sends to different
// chats overlap while they reach WhatsApp no closer than gap.
func (p *pacer) reserve(chat string, now time.Time, lead time.Duration) (chatWait, sleep time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := now.Add(lead)
	if p.next.After(at) {
		at = p.next
	}
	if c := p.chatNext[chat]; c.After(at) {
		return c.Sub(now), 0
	}
	p.next = at.Add(p.gap + p.jitterDur())
	p.chatNext[chat] = at.Add(p.chatGap + p.jitterDur())
	if len(p.chatNext) > 1024 {
		for c, t := range p.chatNext {
			if t.Before(now) {
				delete(p.chatNext, c)
			}
		}
	}
	return 0, at.Sub(now) - lead
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
