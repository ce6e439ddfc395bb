// Package sim is Huddle's local simulator: a channel whose "platform" is an
// HTTP API and a small web page, on which anyone can chat as several
// members of a group or in private, press options, and read what the bot
// sent. It needs no account and no network, and it is on by default.
package sim

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Name is the simulator's channel name.
const Name = "sim"

// The simulator keeps everything in memory, and any page on the machine
// can post to it, so what it keeps is bounded; past a bound the oldest
// goes first:
const (
	// MaxTranscript bounds the messages kept, in all chats.
	MaxTranscript = 5000
	// MaxTranscriptBytes bounds their text and documents together.
	MaxTranscriptBytes = 32 << 20
	// MaxChats bounds the chats known; the one quiet longest is forgotten
	// (its messages stay while the transcript keeps them).
	MaxChats = 1000
	// MaxSentKeys bounds the outbox keys remembered to show a resent
	// message once; a resend older than that shows again.
	MaxSentKeys = 20000
	// ExportLife is how long a member's own data (a /mydata file, any
	// document of a message that is not kept) can be downloaded.
	ExportLife = 24 * time.Hour
	// MaxReadChats bounds the chats one read of the transcript names.
	MaxReadChats = 20
)

// Message is one message in the simulator's transcript, from a member or
// from the bot.
type Message struct {
	// Seq orders the transcript; clients ask for messages after a Seq.
	Seq       int64        `json:"seq"`
	ID        string       `json:"id"`
	Chat      string       `json:"chat"`
	ChatType  bot.ChatType `json:"chat_type"`
	ChatTitle string       `json:"chat_title,omitempty"`
	// From is the sender's id; empty for the bot.
	From     string       `json:"from,omitempty"`
	FromName string       `json:"from_name,omitempty"`
	Bot      bool         `json:"bot"`
	Text     string       `json:"text"`
	Options  []bot.Option `json:"options,omitempty"`
	ReplyTo  string       `json:"reply_to,omitempty"`
	// File is the document the bot sent with this message, if any; Text
	// is then its caption.
	File *File `json:"file,omitempty"`
	// Toast marks the answer to a press, shown to To (the member who
	// pressed) alone.
	Toast bool   `json:"toast,omitempty"`
	To    string `json:"to,omitempty"`
	// React is an emoji the bot put on message ReplyTo (a verdict on a
	// typed answer).
	React string `json:"react,omitempty"`
	// Removes marks the bot's taking down of a member's message (its
	// id): that message's text and file are gone, and Removed is set on
	// it.
	Removes string    `json:"removes,omitempty"`
	Removed bool      `json:"removed,omitempty"`
	Time    time.Time `json:"time"`
}

// File describes a document in the transcript; its bytes are served at
// URL (GET /api/files/{message id}).
type File struct {
	Name     string `json:"name"`
	MIMEType string `json:"mime_type"`
	Size     int    `json:"size"`
	URL      string `json:"url"`
}

// Sim is the simulator channel. It implements bot.Channel.
type Sim struct {
	clock bot.Clock

	mu        sync.Mutex
	msgs      []Message
	seq       int64
	bytes     int               // text and document bytes in msgs
	sent      map[string]string // outbox key -> message id, so a resend is not shown twice
	sentFIFO  []string          // the keys of sent, oldest first
	presses   map[string]string // press id -> who pressed, for the answer
	pressFIFO []string
	files     map[string]bot.File  // message id -> document, for messages in the transcript
	expires   map[string]time.Time // message id -> when its document (a member's export) may no longer be downloaded
	chats     map[string]chatInfo
	remote    bool // answers beyond loopback
	handler   bot.Handler
	changed   chan struct{} // closed and replaced on every new message
}

type chatInfo struct {
	Type  bot.ChatType
	Title string
	last  int64 // the seq of its latest message
	// member is a private chat's member, the only one its files are
	// served to.
	member string
}

var _ bot.Channel = (*Sim)(nil)

// Option sets how a simulator is made.
type Option func(*Sim)

// Remote makes the simulator answer requests from beyond this machine (the
// web server's token still required). Without it, it answers on loopback
// only, whatever address the web server listens on: anyone who reaches it
// can chat as any member.
func Remote() Option { return func(s *Sim) { s.remote = true } }

// New returns a simulator.
func New(clock bot.Clock, opts ...Option) *Sim {
	if clock == nil {
		clock = bot.SystemClock{}
	}
	// Sequence numbers, and so message ids, start at the current time in
	// microseconds: they stay unique across restarts (the router would
	// drop a reused id as a repeat) and only grow, so an open page that
	// asks for messages after the last it saw keeps working.
	s := &Sim{clock: clock, seq: time.Now().UnixMicro(), sent: map[string]string{}, presses: map[string]string{}, files: map[string]bot.File{},
		expires: map[string]time.Time{}, chats: map[string]chatInfo{}, changed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Name returns "sim".
func (s *Sim) Name() string { return Name }

// Run makes the simulator deliver members' messages to h until ctx ends.
func (s *Sim) Run(ctx context.Context, h bot.Handler) error {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
	<-ctx.Done()
	s.mu.Lock()
	s.handler = nil
	s.mu.Unlock()
	return nil
}

// Send shows a bot message in its chat. A message whose key was delivered
// already is not shown again.
func (s *Sim) Send(_ context.Context, m bot.Outbound) (string, error) {
	shape := m.Shape()
	if shape == bot.ShapeTopic {
		return "", &bot.PermanentError{Err: bot.ErrNoTopics}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.sent[m.Key]; ok && m.Key != "" {
		return id, nil
	}
	if shape == bot.ShapePressAnswer {
		presser, ok := s.presses[m.PressID]
		if !ok || m.Text == "" {
			return "", nil // an old press, or nothing to say: the button stops
		}
		info := s.chats[m.ChatID]
		msg := s.appendLocked(Message{Chat: m.ChatID, ChatType: info.Type, ChatTitle: info.Title, Bot: true, FromName: "Huddle",
			Text: m.Text, Toast: true, To: presser})
		s.rememberSentLocked(m.Key, msg.ID)
		return msg.ID, nil
	}
	if shape == bot.ShapeTakeDown {
		// The simulator's bot administers every group: it may.
		msg := s.removeLocked(m.ChatID, m.Delete)
		if m.Removed != "" {
			info := s.chats[m.ChatID]
			msg = s.appendLocked(Message{Chat: m.ChatID, ChatType: info.Type, ChatTitle: info.Title, Bot: true, FromName: "Huddle", Text: m.Removed})
		}
		s.rememberSentLocked(m.Key, msg.ID)
		return msg.ID, nil
	}
	info, ok := s.chats[m.ChatID]
	if !ok {
		// A chat from before a restart: the simulator keeps no history.
		info = chatInfo{Type: bot.Group}
		s.addChatLocked(m.ChatID, info)
	}
	if m.Erased {
		s.eraseChatLocked(m.ChatID)
	}
	if shape == bot.ShapeReaction {
		m.Text = "" // the simulator has reactions: the words are not needed
	}
	out := Message{Chat: m.ChatID, ChatType: info.Type, ChatTitle: info.Title, Bot: true,
		FromName: "Huddle", Text: m.Text, Options: m.Options, ReplyTo: m.ReplyTo, React: m.React}
	if shape == bot.ShapeDocument {
		out.File = &File{Name: m.File.Name, MIMEType: m.File.MIMEType, Size: len(m.File.Data)}
	}
	msg := s.appendLocked(out)
	if shape == bot.ShapeDocument {
		s.files[msg.ID] = *m.File
		if m.Transient {
			// A member's own data: downloadable for a day.
			s.expires[msg.ID] = s.clock.Now().Add(ExportLife)
		}
		s.bytes += len(m.File.Data)
		s.trimLocked()
	}
	s.rememberSentLocked(m.Key, msg.ID)
	return msg.ID, nil
}

// eraseChatLocked forgets every message of chat and its files: its member
// was erased.
func (s *Sim) eraseChatLocked(chat string) {
	kept := s.msgs[:0]
	for _, m := range s.msgs {
		if m.Chat != chat {
			kept = append(kept, m)
			continue
		}
		s.bytes -= size(m, s.files)
		s.dropFileLocked(m.ID)
	}
	clear(s.msgs[len(kept):])
	s.msgs = kept
}

// dropFileLocked forgets message id's document.
func (s *Sim) dropFileLocked(id string) {
	delete(s.files, id)
	delete(s.expires, id)
}

// removeLocked takes member's message id down from chat: its text and
// file go, and a record of the removal joins the transcript, so open
// pages show it.
func (s *Sim) removeLocked(chat, id string) Message {
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if m := &s.msgs[i]; m.ID == id && m.Chat == chat && !m.Bot {
			s.bytes -= size(*m, s.files)
			s.dropFileLocked(m.ID)
			m.Text, m.File, m.Removed = "", nil, true
			break
		}
	}
	info := s.chats[chat]
	return s.appendLocked(Message{Chat: chat, ChatType: info.Type, ChatTitle: info.Title, Bot: true, FromName: "Huddle", Removes: id})
}

// rememberSentLocked keeps the message id sent for key, so a resend is
// shown once; the oldest keys go past MaxSentKeys.
func (s *Sim) rememberSentLocked(key, id string) {
	if key == "" {
		return
	}
	s.sent[key] = id
	s.sentFIFO = append(s.sentFIFO, key)
	if len(s.sentFIFO) > MaxSentKeys {
		delete(s.sent, s.sentFIFO[0])
		s.sentFIFO = s.sentFIFO[1:] // append moves it to a fresh array in time
	}
}

// addChatLocked records a chat, forgetting the one quiet longest when
// MaxChats are known.
func (s *Sim) addChatLocked(id string, info chatInfo) {
	if len(s.chats) >= MaxChats {
		oldest, seq := "", int64(-1)
		for k, c := range s.chats {
			if seq < 0 || c.last < seq {
				oldest, seq = k, c.last
			}
		}
		delete(s.chats, oldest)
	}
	s.chats[id] = info
}

// size is what a message weighs against MaxTranscriptBytes.
func size(m Message, files map[string]bot.File) int {
	return len(m.Text) + len(files[m.ID].Data)
}

// appendLocked adds a message to the transcript and wakes waiting readers.
func (s *Sim) appendLocked(m Message) Message {
	s.seq++
	m.Seq = s.seq
	m.ID = "m" + strconv.FormatInt(s.seq, 10)
	m.Time = s.clock.Now()
	if m.File != nil {
		m.File.URL = "/api/files/" + m.ID
	}
	s.msgs = append(s.msgs, m)
	s.bytes += len(m.Text)
	if c, ok := s.chats[m.Chat]; ok {
		c.last = m.Seq
		s.chats[m.Chat] = c
	}
	s.trimLocked()
	close(s.changed)
	s.changed = make(chan struct{})
	return m
}

// trimLocked drops the oldest messages (and their documents) while the
// transcript is over MaxTranscript messages or MaxTranscriptBytes.
func (s *Sim) trimLocked() {
	cut := 0
	for cut < len(s.msgs)-1 && (len(s.msgs)-cut > MaxTranscript || s.bytes > MaxTranscriptBytes) {
		s.bytes -= size(s.msgs[cut], s.files)
		s.dropFileLocked(s.msgs[cut].ID)
		cut++
	}
	if cut > 0 {
		// Reslice, not copy: append moves the live messages to a fresh
		// array when this one is full; cleared, the dropped ones hold
		// nothing meanwhile.
		clear(s.msgs[:cut])
		s.msgs = s.msgs[cut:]
	}
}

// Stats says how much the simulator holds: messages, their bytes, chats
// and remembered outbox keys.
type Stats struct {
	Messages int `json:"messages"`
	Bytes    int `json:"bytes"`
	Chats    int `json:"chats"`
	SentKeys int `json:"sent_keys"`
}

// Stats returns what the simulator holds now.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Messages: len(s.msgs), Bytes: s.bytes, Chats: len(s.chats), SentKeys: len(s.sent)}
}

// in the transcript.
func (s *Sim) File(id string) (bot.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	return f, ok
}

// fileFor returns message id's document for the web page's member as:
// one in a private chat only to that chat's member, and a member's
// export only until it expires.
func (s *Sim) fileFor(id, as string) (bot.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return f, false
	}
	if until, ok := s.expires[id]; ok && !s.clock.Now().Before(until) {
		s.dropFileLocked(id)
		return bot.File{}, false
	}
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if m := s.msgs[i]; m.ID == id {
			info := s.chats[m.Chat]
			if m.ChatType == bot.Direct && (info.member == "" || info.member != as) {
				return bot.File{}, false
			}
			return f, true
		}
	}
	return bot.File{}, false
}

// Messages returns the messages of chat (all chats when empty) after seq.
// With wait set it waits up to wait for one to arrive.
func (s *Sim) Messages(ctx context.Context, chat string, after int64, wait time.Duration) []Message {
	return s.messages(ctx, func(c string) bool { return chat == "" || c == chat }, after, wait)
}

// messages returns the messages of the chats in after seq, waiting up to
// wait for one to arrive.
func (s *Sim) messages(ctx context.Context, in func(chat string) bool, after int64, wait time.Duration) []Message {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		var out []Message
		for _, m := range s.msgs {
			if m.Seq > after && in(m.Chat) {
				out = append(out, m)
			}
		}
		changed := s.changed
		s.mu.Unlock()
		if len(out) > 0 || wait <= 0 {
			return out
		}
		select {
		case <-changed:
		case <-deadline.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
