package telegram

import (
	"context"
	"hash/fnv"
	"strings"
	"time"
)

// paceBot waits for the bot's turn under its overall rate: the token
// bucket (limiter) spaces requests out, and a window of the requests
// actually sent in the last second holds them to that many. The bucket
// alone grants its turns by the clock, so a process that stalled (a
// garbage collection, a busy machine) sends every turn that fell due
// during the stall at once on waking, a burst Telegram answers with 429.
func (t *Telegram) paceBot(ctx context.Context) error {
	if err := t.limiter.Wait(ctx); err != nil {
		return err
	}
	for {
		t.paceMu.Lock()
		now := t.now()
		n := max(int(t.limiter.Limit()), 1)
		wait := t.lastSecond.waitFor(n, now)
		if wait == 0 {
			t.lastSecond.add(now)
		}
		t.paceMu.Unlock()
		if wait == 0 {
			return nil
		}
		if err := t.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// recent is the times of the bot's latest requests, oldest first.
type recent struct{ times []time.Time }

// maxRecent bounds the times kept: more than any rate a bot is given.
const maxRecent = 64

// waitFor says how long until fewer than n requests are in the second
// before now.
func (r *recent) waitFor(n int, now time.Time) time.Duration {
	i := len(r.times) - n
	if i < 0 {
		return 0
	}
	return max(r.times[i].Add(time.Second).Sub(now), 0)
}

// add records a request at now.
func (r *recent) add(now time.Time) {
	r.times = append(r.times, now)
	if len(r.times) > maxRecent {
		r.times = r.times[len(r.times)-maxRecent:]
	}
}

// chatStripes is how many locks the chats share (chatLocks).
const chatStripes = 64

// chatStripe is the lock of chatID among chatLocks.
func chatStripe(chatID string) int {
	h := fnv.New32a()
	h.Write([]byte(chatID))
	return int(h.Sum32() % chatStripes)
}

// pace says how long a message to chatID must wait under Telegram's
// limits, as sliding windows (a token bucket lets twice as many through
// in the first minute): about one a second to any chat, at most 20 in any
// 60 seconds to a group (group chat ids are negative). sleep is a wait to
// sleep out; later, when the group's minute is spent, a wait to hand back
// to the sender. It takes nothing: sent records the message once it goes,
// after the channel's overall rate, which may hold it up further (one
// chat's messages are sent one at a time, so nothing else takes the slot
// in between).
func (t *Telegram) pace(chatID string) (sleep, later time.Duration) {
	now := t.now()
	t.paceMu.Lock()
	defer t.paceMu.Unlock()
	p := t.chatPaceOf(chatID, now)
	sleep = p.chat.wait(now)
	if p.group != nil {
		if w := p.group.wait(now.Add(sleep)); w > 0 {
			return 0, sleep + w
		}
	}
	return sleep, 0
}

// sent records a message to chatID going out now.
func (t *Telegram) sent(chatID string) {
	now := t.now()
	t.paceMu.Lock()
	defer t.paceMu.Unlock()
	p := t.chatPaceOf(chatID, now)
	p.chat.take(now)
	if p.group != nil {
		p.group.take(now)
	}
}

// chatPaceOf returns chatID's windows, made on first use; paceMu held.
func (t *Telegram) chatPaceOf(chatID string, now time.Time) *chatPace {
	p := t.chatPace[chatID]
	if p == nil {
		if len(t.chatPace) > 10000 {
			// Forget chats idle for over a minute: their windows are empty.
			for id, q := range t.chatPace {
				if now.Sub(q.chat.last()) > time.Minute {
					delete(t.chatPace, id)
				}
			}
		}
		p = &chatPace{chat: window{n: 1, span: chatGap}}
		// A process started moments ago (after a crash) cannot know what
		// its predecessor just sent: each chat's first message in the
		// first second waits as if one went at the start.
		if t.firstSend.IsZero() {
			t.firstSend = now
		}
		if now.Sub(t.firstSend) < chatGap {
			p.chat.take(t.firstSend)
		}
		if strings.HasPrefix(chatID, "-") {
			p.group = &window{n: groupLimit, span: time.Minute}
		}
		t.chatPace[chatID] = p
	}
	return p
}

// chatPace is one chat's sending windows.
type chatPace struct {
	chat  window  // about one a second
	group *window // 20 a minute, for groups
}

// window allows at most n events in any span.
type window struct {
	n     int
	span  time.Duration
	times []time.Time // the last n, oldest first
}

// wait says how long until one more event fits, at now.
func (w *window) wait(now time.Time) time.Duration {
	if len(w.times) < w.n {
		return 0
	}
	return max(w.times[0].Add(w.span).Sub(now), 0)
}

// take records an event at now.
func (w *window) take(now time.Time) {
	w.times = append(w.times, now)
	if len(w.times) > w.n {
		w.times = w.times[len(w.times)-w.n:]
	}
}

// last is the time of the latest event; zero when none.
func (w *window) last() time.Time {
	if len(w.times) == 0 {
		return time.Time{}
	}
	return w.times[len(w.times)-1]
}
