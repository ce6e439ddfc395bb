package sms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/smstext"
)

// queued is a text waiting in the notebook for the sender.
type queued struct {
	To   string `json:"to"`
	Text string `json:"text"`
	// Msg is the bot's message it is (a part of), as Send named it.
	Msg string `json:"msg,omitempty"`
	// Any says it goes even to a member who opted out: the one answer to
	// their STOP or HELP.
	Any bool `json:"any,omitempty"`
	// Part says it is one of a long text's numbered parts: it goes alone.
	Part bool `json:"part,omitempty"`
}

// Send queues m for the members it is for: in a cohort, everyone, or the
// member whose text it answers (a reply, an answer to an option); in a
// private chat, that member. It returns the message's id at once; the
// texts go at the gateway's pace (see Run).
func (s *SMS) Send(ctx context.Context, m bot.Outbound) (string, error) {
	if m.Topic != "" {
		return "", &bot.PermanentError{Err: bot.ErrNoTopics}
	}
	// A message queued once already (the outbox asks again when it could
	// not record the first answer, after a crash) is not queued twice:
	// to a cohort of 200, that would be 200 texts more.
	sum := sha256.Sum256([]byte(m.Key))
	marker := keyQueued + hex.EncodeToString(sum[:12])
	if m.Key != "" {
		notes, err := s.cfg.Notebook.Notes(ctx, Name, marker, 1)
		if err != nil {
			return "", fmt.Errorf("sms: %s queued already? %w", m.Key, err)
		}
		if len(notes) == 1 && notes[0].Key == marker {
			return string(notes[0].Data), nil
		}
	}
	id := "m" + strconv.FormatInt(s.nextSeq(), 10)
	to, err := s.recipients(ctx, m)
	if err != nil {
		return "", fmt.Errorf("sms: who %s is for: %w", m.Key, err)
	}
	now := s.cfg.Clock.Now()
	var put []bot.Note
	if m.Delete != "" {
		// A member's text taken down: relayed to no one. An SMS already
		// relayed cannot be taken back; what is said instead goes on.
		drop, err := s.relaysOf(ctx, m.Delete)
		if err != nil {
			return "", fmt.Errorf("sms: take down %s: %w", m.Delete, err)
		}
		if err := s.cfg.Notebook.WriteNotes(ctx, Name, nil, drop); err != nil {
			return "", fmt.Errorf("sms: take down %s: %w", m.Delete, err)
		}
		if m.Removed != "" {
			m.Text = m.Removed
		}
	}
	link, err := s.link(ctx, m.File)
	if err != nil {
		return "", fmt.Errorf("sms: keep %s's file for its link: %w", m.Key, err)
	}
	text := s.body(m, link)
	if text == "" {
		return id, nil // a reaction without words, a silent answer to a press
	}
	data := make([]string, len(m.Options))
	labels := make([]string, len(m.Options))
	for i, o := range m.Options {
		data[i], labels[i] = o.Data, o.Label
	}
	if m.Multi {
		// A multi-select's numbers come in one reply ("1 3"), which
		// the lesson reads as the whole answer; a lone number is the
		// same, one option chosen, not a press that chooses it and
		// waits for more (inbound reads the note's Typed). The note
		// still replaces the last options, so that a number does not
		// press an earlier question's.
		data = nil
	}
	parts := Split(smstext.Plain(smstext.Numbered(text, labels)), s.cfg.MaxSegments)
	seq := fmt.Sprintf("%020d", s.nextSeq())
	for _, number := range to {
		for i, p := range parts {
			put = append(put, s.note(keyQueue+seq+"/"+strconv.Itoa(i)+"/"+number, number, queued{To: number, Text: p, Msg: id, Part: len(parts) > 1}, now))
		}
		if len(m.Options) > 0 {
			put = append(put, s.note(keyOptions+number+"/", number, options{Chat: m.ChatID, Msg: id, Data: data, Typed: m.Multi}, now))
		}
	}
	if m.Key != "" {
		put = append(put, bot.Note{Key: marker, Data: []byte(id), At: now})
	}
	if err := s.cfg.Notebook.WriteNotes(ctx, Name, put, nil); err != nil {
		return "", fmt.Errorf("sms: queue %s: %w", m.Key, err)
	}
	s.poke()
	return id, nil
}

// recipients are the numbers m goes to.
func (s *SMS) recipients(ctx context.Context, m bot.Outbound) ([]string, error) {
	c := s.cohorts[m.ChatID]
	if c == nil {
		// A private chat: a number, with its "+" or without (as a staff
		// reference names it: bot.StaffRef.DirectChat).
		number, err := Number("+" + strings.TrimPrefix(m.ChatID, "+"))
		if err != nil {
			return nil, &bot.PermanentError{Err: fmt.Errorf("no cohort %q, nor a phone number", m.ChatID)}
		}
		if s.isStopped(number) {
			return nil, nil
		}
		return []string{number}, nil
	}
	// An answer to one member's text or press goes to them alone: the
	// cohort has no shared screen where the others would see it.
	for _, ref := range []string{m.PressID, m.ReplyTo, m.Delete} {
		if ref == "" {
			continue
		}
		notes, err := s.cfg.Notebook.Notes(ctx, Name, keyInbound+ref+"/", 1)
		if err != nil {
			return nil, err
		}
		if len(notes) == 1 {
			if s.isStopped(notes[0].Member) {
				return nil, nil
			}
			return []string{notes[0].Member}, nil
		}
	}
	var out []string
	for _, p := range c.Members {
		if !s.isStopped(p.Number) {
			out = append(out, p.Number)
		}
	}
	return out, nil
}

// relaysOf lists the digest notes of member text id.
func (s *SMS) relaysOf(ctx context.Context, id string) ([]string, error) {
	notes, err := s.cfg.Notebook.Notes(ctx, Name, keyDigest, 0)
	var keys []string
	for _, n := range notes {
		if strings.HasSuffix(n.Key, "/"+id) {
			keys = append(keys, n.Key)
		}
	}
	return keys, err
}

// body is m's words as an SMS carries them: a picture becomes its
// caption and its link (a lesson's, where the channel links them), or
// that SMS cannot carry it.
func (s *SMS) body(m bot.Outbound, link string) string {
	text := strings.TrimSpace(m.Text)
	if f := m.File; f != nil {
		kind := "a file"
		switch {
		case strings.HasPrefix(f.MIMEType, "image/"):
			kind = "a picture"
		case strings.HasPrefix(f.MIMEType, "audio/"):
			kind = "a voice note"
		case strings.HasPrefix(f.MIMEType, "video/"):
			kind = "a video"
		}
		note := fmt.Sprintf("[%s, which SMS cannot carry]", kind)
		if link != "" {
			note = fmt.Sprintf("[%s: %s]", kind, link)
		}
		if text == "" {
			return note
		}
		return text + "\n" + note
	}
	return text
}

// note is a notebook note of v's JSON.
func (s *SMS) note(key, number string, v any, at time.Time) bot.Note {
	data, _ := json.Marshal(v) // the channel's own types: they marshal
	return bot.Note{Key: key, Member: number, Data: data, At: at}
}

// direct queues a text the channel itself says to number (the answer to
// a keyword), once per key; any sends it even to a member who opted out.
func (s *SMS) direct(ctx context.Context, number, key, text string, any bool) error {
	n := s.note(keyQueue+"k-"+key+"/0/"+number, number, queued{To: number, Text: text, Any: any}, s.cfg.Clock.Now())
	if err := s.cfg.Notebook.WriteNotes(ctx, Name, []bot.Note{n}, nil); err != nil {
		return err
	}
	s.poke()
	return nil
}

// Split cuts text into SMS of at most max segments each, at sentence
// ends where it can (else at a line's or word's end, else anywhere), each
// part after the first numbered "(2/3)".
func Split(text string, max int) []string {
	if smstext.Measure(text).Segments <= max {
		return []string{text}
	}
	var parts []string
	rest := []rune(text)
	for len(rest) > 0 {
		// The longest head that fits with room for the part's number.
		n := fit(rest, max)
		if n < len(rest) {
			n = cut(rest[:n])
		}
		parts = append(parts, strings.TrimSpace(string(rest[:n])))
		rest = []rune(strings.TrimLeftFunc(string(rest[n:]), unicode.IsSpace))
	}
	if len(parts) > 1 {
		for i := range parts {
			parts[i] = fmt.Sprintf("(%d/%d) %s", i+1, len(parts), parts[i])
		}
	}
	return parts
}

// fit is how many runes of r fit in max segments, with room for "(99/99) ".
func fit(r []rune, max int) int {
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if smstext.Measure("(99/99) "+string(r[:mid])).Segments <= max {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return max1(lo)
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// cut is where to end a part of head: after its last sentence end, else
// its last line or word end, in its second half; else all of head.
func cut(head []rune) int {
	for _, ends := range []func(i int) bool{
		func(i int) bool {
			return strings.ContainsRune(".!?", head[i]) && (i+1 == len(head) || unicode.IsSpace(head[i+1]))
		},
		func(i int) bool { return head[i] == '\n' },
		func(i int) bool { return unicode.IsSpace(head[i]) },
	} {
		for i := len(head) - 1; i >= len(head)/2; i-- {
			if ends(i) {
				return i + 1
			}
		}
	}
	return len(head)
}
