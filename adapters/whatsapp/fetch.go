package whatsapp

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// A member's file is fetched outside whatsmeow's event handler. whatsmeow
// hands events to the handler one at a time, and with SynchronousAck each
// waits for the one before (client.go, handlerQueueLoop): a download of up
// to a minute there held every later message of every chat, and a request
// to the sender's phone for a file again could never be answered (its
// answer queues behind the handler that waits for it). So a message with a
// file to fetch is parked in the store (its event, and the message with
// its media keys), acknowledged, and fetched and handled by a worker; a
// restart finds it parked and fetches it again. It is handled after the
// messages of its chat that arrived while it was fetched.

// fetchers is how many files are fetched at once: each holds up to
// bot.MaxInboundFile in memory.
const fetchers = 2

// parkedMessage is a parked message: the event, and what fetching its file
// needs.
type parkedMessage struct {
	Event bot.Event `json:"event"`
	// Message is the whatsmeow message, marshalled (its media keys and
	// where the file is).
	Message []byte `json:"message"`
	// ID, Chat and Sender address the message, and Group and FromMe say
	// how, to ask the sender's phone for the file again.
	ID     string `json:"id"`
	Chat   string `json:"chat"`
	Sender string `json:"sender"`
	Group  bool   `json:"group,omitempty"`
	FromMe bool   `json:"from_me,omitempty"`
}

// park keeps ev, whose file is still to fetch, in the store and queues it
// for a fetcher. It returns false (the message is then not acknowledged,
// and WhatsApp delivers it again) when it could not be kept.
func (w *WhatsApp) park(ctx context.Context, ev bot.Event, m *waE2E.Message, info types.MessageInfo) bool {
	raw, err := proto.Marshal(m)
	if err != nil {
		w.log.Error("park a message with a file", "err", err)
		return false
	}
	p := parkedMessage{Event: ev, Message: raw, ID: info.ID, Chat: info.Chat.String(), Sender: info.Sender.String(),
		Group: info.IsGroup, FromMe: info.IsFromMe}
	data, err := json.Marshal(p)
	if err == nil {
		err = w.cfg.Outbox.WriteNotes(ctx, Name, []bot.Note{{Key: ev.ID, Member: ev.SenderID, Data: data, At: w.cfg.Clock.Now()}}, nil)
	}
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("park a message with a file; not acknowledged", "err", err)
		}
		return false
	}
	// Never waits: a message the queue has no room for stays in the
	// store, and the fetchers read it from there once they catch up
	// (waiting here would hold whatsmeow's handler, every chat's
	// messages, behind a burst of voice notes).
	w.enqueue(p)
	return true
}

// enqueue queues p for a fetcher unless it is queued already; false, and
// the fetchers read the store again once the queue is empty, when the
// queue is full.
func (w *WhatsApp) enqueue(p parkedMessage) bool {
	w.fetchMu.Lock()
	defer w.fetchMu.Unlock()
	if w.queued[p.Event.ID] {
		return true
	}
	select {
	case w.fetchQ <- p:
		if w.queued == nil {
			w.queued = map[string]bool{}
		}
		w.queued[p.Event.ID] = true
		return true
	default:
		w.spilled = true
		return false
	}
}

// refill queues the parked messages the store holds and the queue does
// not, as room allows.
func (w *WhatsApp) refill(ctx context.Context) {
	left, err := w.cfg.Outbox.Notes(ctx, Name, "", 0)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("read the messages whose files wait to be fetched", "err", err)
		}
		return
	}
	for _, n := range left {
		var p parkedMessage
		if err := json.Unmarshal(n.Data, &p); err != nil {
			w.log.Warn("a parked message cannot be read", "err", err)
			continue
		}
		if !w.enqueue(p) {
			return // the rest when the queue is empty again
		}
	}
}

// runFetchers fetches parked messages until ctx ends: those a previous
// run left, those park queues, and those the queue had no room for. It
// returns once they stop.
func (w *WhatsApp) runFetchers(ctx context.Context) func() {
	var wg sync.WaitGroup
	for range fetchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case p := <-w.fetchQ:
					w.fetchParked(ctx, p)
					w.fetchMu.Lock()
					delete(w.queued, p.Event.ID)
					more := w.spilled && len(w.fetchQ) == 0
					if more {
						w.spilled = false
					}
					w.fetchMu.Unlock()
					if more {
						w.refill(ctx)
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.refill(ctx) // what a previous run left
	}()
	return wg.Wait
}

// fetchParked fetches p's file once WhatsApp is connected (a standby
// instance's waits for the lease), hands the event on, and unparks it
// once handled. One the handler refuses stays parked, for the next run.
func (w *WhatsApp) fetchParked(ctx context.Context, p parkedMessage) {
	for !w.isConnected() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	ev := p.Event
	// A refill that listed the store just before another fetcher
	// unparked this message queues it again once it left the queue:
	// handled already when its note is gone.
	if parked, err := w.stillParked(ctx, ev.ID); err == nil && !parked {
		return
	}
	var m waE2E.Message
	if err := proto.Unmarshal(p.Message, &m); err != nil {
		w.log.Warn("a parked message cannot be read", "err", err)
	} else if ev.File != nil {
		chat, _ := types.ParseJID(p.Chat)
		sender, _ := types.ParseJID(p.Sender)
		info := types.MessageInfo{ID: p.ID, MessageSource: types.MessageSource{Chat: chat, Sender: sender, IsGroup: p.Group, IsFromMe: p.FromMe}}
		f := *ev.File
		w.fetch(ctx, &f, &m, info)
		ev.File = &f
	}
	if ctx.Err() != nil || !w.handle(ev) {
		return
	}
	if err := w.cfg.Outbox.WriteNotes(ctx, Name, nil, []string{ev.ID}); err != nil {
		w.log.Warn("unpark a handled message", "err", err)
	}
}

// stillParked reports whether the store still holds message id's note.
func (w *WhatsApp) stillParked(ctx context.Context, id string) (bool, error) {
	notes, err := w.cfg.Outbox.Notes(ctx, Name, id, 0)
	for _, n := range notes {
		if n.Key == id {
			return true, err
		}
	}
	return false, err
}

// isConnected reports whether WhatsApp is connected.
func (w *WhatsApp) isConnected() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.connected
}
