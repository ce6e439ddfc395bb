package bot

import (
	"time"
	"unicode/utf8"
)

// Reply queues a message to the event's chat, replying to it in groups
// and in its thread: what a command says back. tag makes the message's
// idempotency key unique among the replies to one event, so that an event
// handled again (after a crash) queues nothing twice.
func Reply(tx OutboxWriter, s Session, tag, text string, opts ...Option) error {
	return tx.Enqueue(ReplyMessage(s, tag, text, opts...), s.Now)
}

// ReplyMessage is the message Reply queues, for a caller to adjust first.
func ReplyMessage(s Session, tag, text string, opts ...Option) Outbound {
	m := Outbound{
		Channel: s.Chat.Channel,
		ChatID:  s.Chat.PlatformID,
		Text:    text,
		Options: opts,
		Thread:  s.Event.Thread,
		Key:     "ev:" + s.Event.ID + ":" + tag,
	}
	if s.Chat.Type == Group {
		m.ReplyTo = s.Event.MessageID
	}
	return m
}

// Clip cuts s to at most n runes, the last an ellipsis when it is cut: a
// text quoted back, or kept within a platform's limit.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// AnswerPress answers the press ev with text, for the presser alone (a
// toast; "" stops the button's spinner and says nothing). A press gets
// one answer: the first queued stands. transient keeps nothing of it once
// sent (the presser has not accepted the privacy notice).
func AnswerPress(tx OutboxWriter, ev Event, now time.Time, text string, transient bool) error {
	return tx.Enqueue(Outbound{Channel: ev.Channel, ChatID: ev.ChatID, PressID: ev.PressID, Text: text, Transient: transient,
		Key: PressKey(ev.PressID)}, now)
}
