package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Post is a member's message to the simulator.
type Post struct {
	Chat      string       `json:"chat"`
	ChatType  bot.ChatType `json:"chat_type,omitempty"`
	ChatTitle string       `json:"chat_title,omitempty"`
	Sender    string       `json:"sender"`
	Name      string       `json:"name,omitempty"`
	Text      string       `json:"text"`
	ReplyTo   string       `json:"reply_to,omitempty"`
	// Mentions are the sender ids of the members the message mentions.
	Mentions []string `json:"mentions,omitempty"`
	// File is a photo or voice note the member sends, Text its caption.
	File *bot.File `json:"file,omitempty"`
}

// Press is a member's press of an option under a bot message: the option
// with Data under message MessageID, or, for scripts, the option labelled
// Label (with or without its number, "2. " or "2") under the newest bot
// message of the chat that has one.
type Press struct {
	Chat      string `json:"chat"`
	Sender    string `json:"sender"`
	Name      string `json:"name,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Data      string `json:"data,omitempty"`
	Label     string `json:"label,omitempty"`
}

// labelWait is how long a press by label waits for its option to come.
const labelWait = 5 * time.Second

// byLabel finds the newest option labelled label in chat: its message id
// and data.
func (s *Sim) byLabel(chat, label string) (id, data string, ok bool) {
	want := strings.ToLower(strings.TrimSpace(label))
	for i := len(s.msgs) - 1; i >= 0; i-- {
		m := s.msgs[i]
		if m.Chat != chat || !m.Bot {
			continue
		}
		for _, o := range m.Options {
			l := strings.ToLower(o.Label)
			num, rest, _ := strings.Cut(l, ". ")
			if l == want || rest == want || num == want {
				return m.ID, o.Data, true
			}
		}
	}
	return "", "", false
}

// inputError is a request the simulator refuses as malformed.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// ErrNotRunning says the simulator has no handler: the bot is not running.
var ErrNotRunning = errors.New("the bot is not running")

// Post posts a member's message and returns once the bot has handled it.
func (s *Sim) Post(ctx context.Context, p Post) (Message, error) {
	if p.Chat == "" || p.Sender == "" {
		return Message{}, &inputError{"chat and sender are required"}
	}
	if p.ChatType == "" {
		p.ChatType = bot.Group
	}
	if p.ChatType != bot.Group && p.ChatType != bot.Direct {
		return Message{}, &inputError{fmt.Sprintf("chat_type must be group or direct, not %q", p.ChatType)}
	}
	s.mu.Lock()
	h := s.handler
	info, known := s.chats[p.Chat]
	if !known {
		info = chatInfo{Type: p.ChatType, Title: p.ChatTitle}
		s.addChatLocked(p.Chat, info)
	}
	if info.Type == bot.Direct && info.member == "" {
		info.member = p.Sender
		s.chats[p.Chat] = info
	}
	var replyToSender string
	if p.ReplyTo != "" {
		for i := len(s.msgs) - 1; i >= 0; i-- {
			if s.msgs[i].ID == p.ReplyTo {
				replyToSender = s.msgs[i].From // empty for the bot's own
				break
			}
		}
	}
	in := Message{Chat: p.Chat, ChatType: info.Type, ChatTitle: info.Title, From: p.Sender,
		FromName: p.Name, Text: p.Text, ReplyTo: p.ReplyTo}
	var refused *bot.Refusal
	if p.File != nil {
		if len(p.File.Data) > bot.MaxInboundFile {
			// As a platform's adapter does: the bot gets the file
			// without its bytes, and tells the member why.
			refused = bot.TooManyBytes(len(p.File.Data))
			p.File = &bot.File{Name: p.File.Name, MIMEType: p.File.MIMEType}
		}
		if p.File.MIMEType == "" {
			p.File.MIMEType = http.DetectContentType(p.File.Data)
		}
		in.File = &File{Name: p.File.Name, MIMEType: p.File.MIMEType, Size: len(p.File.Data)}
	}
	msg := s.appendLocked(in)
	if p.File != nil {
		s.files[msg.ID] = *p.File
		s.bytes += len(p.File.Data)
		s.trimLocked()
	}
	s.mu.Unlock()
	if h == nil {
		return msg, ErrNotRunning
	}
	ev := bot.Event{
		ID: bot.EventID(Name, p.Chat, p.Sender, msg.ID), Kind: bot.Message, Channel: Name,
		ChatID: p.Chat, ChatType: info.Type, ChatTitle: info.Title,
		SenderID: p.Sender, SenderName: p.Name, MessageID: msg.ID, Text: p.Text, ReplyTo: p.ReplyTo, ReplyToSender: replyToSender,
		Mentions: p.Mentions, Time: msg.Time,
	}
	if p.File != nil {
		f := *p.File
		f.Refused = refused
		ev.File = &f
	}
	return msg, h.HandleEvent(ctx, ev)
}

// Press presses an option and returns once the bot has handled it.
func (s *Sim) Press(ctx context.Context, p Press) error {
	if p.Chat == "" || p.Sender == "" || (p.Data == "" && p.Label == "") {
		return &inputError{"chat, sender and data (or label) are required"}
	}
	if p.Data == "" {
		// The option may be on its way: wait a little for it, so a script
		// can press what the bot is about to send.
		var ok bool
		for deadline := time.Now().Add(labelWait); ; {
			s.mu.Lock()
			p.MessageID, p.Data, ok = s.byLabel(p.Chat, p.Label)
			changed := s.changed
			s.mu.Unlock()
			if ok {
				break
			}
			left := time.Until(deadline)
			if left <= 0 {
				return &inputError{fmt.Sprintf("no option %q in chat %q", p.Label, p.Chat)}
			}
			select {
			case <-changed:
			case <-time.After(left):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	s.mu.Lock()
	h := s.handler
	info, known := s.chats[p.Chat]
	s.seq++ // a press gets its own id, as a platform's callback does
	pressID := "p" + strconv.FormatInt(s.seq, 10)
	s.presses[pressID] = p.Sender
	s.pressFIFO = append(s.pressFIFO, pressID)
	if len(s.pressFIFO) > MaxSentKeys {
		delete(s.presses, s.pressFIFO[0])
		s.pressFIFO = s.pressFIFO[1:]
	}
	s.mu.Unlock()
	if !known {
		return &inputError{fmt.Sprintf("no chat %q in the simulator", p.Chat)}
	}
	if h == nil {
		return ErrNotRunning
	}
	ev := bot.Event{
		ID: bot.EventID(Name, p.Chat, p.Sender, pressID), Kind: bot.OptionChosen, Channel: Name,
		ChatID: p.Chat, ChatType: info.Type, ChatTitle: info.Title,
		SenderID: p.Sender, SenderName: p.Name, MessageID: p.MessageID, Option: p.Data, PressID: pressID, Time: s.clock.Now(),
	}
	return h.HandleEvent(ctx, ev)
}

// File returns the document sent with message id, while the message is
