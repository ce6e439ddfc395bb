package sms

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/deid"
)

// The keywords carriers require a sender to honour (Twilio's default
// opt-out, opt-in and help words: https://help.twilio.com/articles/223134027),
// in any case, alone in the text.
var (
	stopWords  = words("STOP STOPALL UNSUBSCRIBE CANCEL END QUIT OPTOUT REVOKE")
	startWords = words("START UNSTOP YES")
	helpWords  = words("HELP INFO")
)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// digitRe is an answer by number: "2", " 2. ", "2)".
var digitRe = regexp.MustCompile(`^\s*(\d{1,2})\s*[.)]?\s*$`)

// The notes' keys. Those looked up one by one end in "/", so that a
// lookup by prefix finds that key alone (in/SM1/ is not in/SM10/).
const (
	keyQueue   = "q/"    // q/SEQ/PART/NUMBER: a text to send
	keyOptions = "opt/"  // opt/NUMBER/: the options last sent to a member
	keyInbound = "in/"   // in/ID/: who sent the text of that gateway id
	keyDigest  = "d/"    // d/NUMBER/ID: a member's text to relay to NUMBER
	keyStopped = "stop/" // stop/NUMBER: the member opted out
	keyQueued  = "m/"    // m/HASH: the id of the message of that key, queued
)

// options is the note of the options last sent to a member: their answer
// by number is a press of one of them, or, for a multi-select (Typed), a
// text of numbers that the lesson reads as the whole answer.
type options struct {
	Chat  string   `json:"chat"`
	Msg   string   `json:"msg"`
	Data  []string `json:"data"`
	Typed bool     `json:"typed,omitempty"`
}

// numbers reports whether text is option numbers alone: "2", "1 3",
// "1, 3.", "2)".
func numbers(text string) bool {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '+' })
	for _, f := range fields {
		if !digitRe.MatchString(f) {
			return false
		}
	}
	return len(fields) > 0
}

// relayed is a member's text waiting for the next digest.
type relayed struct {
	Cohort string `json:"cohort"`
	Name   string `json:"name"`
	Text   string `json:"text"`
}

// serveInbound takes the gateway's webhook: each text is kept (and
// handled) before the gateway hears it arrived, so one lost in a crash
// comes again.
func (s *SMS) serveInbound(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ins, err := s.cfg.Gateway.Receive(r)
	if err != nil {
		s.log.Warn("an SMS webhook request refused", "err", err)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	h := s.handler()
	if h == nil {
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	for _, in := range ins {
		receive := s.receive
		if in.Undelivered != "" {
			receive = s.undelivered
		}
		if err := receive(r.Context(), h, in); err != nil {
			s.log.Error("an SMS not taken; the gateway will send it again", "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
	}
	s.cfg.Gateway.Ack(w)
}

// receive handles one text: a keyword, an answer by number, or words for
// the member's cohort (or, from a number in none, for the private chat).
func (s *SMS) receive(ctx context.Context, h bot.Handler, in Inbound) error {
	from, err := Number(in.From)
	if err != nil || in.ID == "" {
		s.log.Warn("an SMS without a sender or an id dropped", "err", err)
		return nil
	}
	in.From = from
	if in.At.IsZero() {
		in.At = s.cfg.Clock.Now()
	}
	word := strings.ToUpper(strings.TrimSpace(in.Text))
	m, enrolled := s.phones[from]
	switch {
	case stopWords[word]:
		return s.stop(ctx, h, in, m, enrolled)
	case startWords[word] && s.isStopped(from):
		return s.start(ctx, in)
	case helpWords[word]:
		return s.direct(ctx, from, "help:"+in.ID, s.cfg.Help, true)
	case s.isStopped(from):
		s.log.Info("a text from a member who opted out, not taken (START brings them back)")
		return nil
	case !enrolled && !s.cfg.Open:
		s.log.Info("a text from a number in no cohort, dropped (channels.sms.open takes them)")
		return nil
	}
	ev := bot.Event{Kind: bot.Message, Channel: Name, ChatID: from, ChatType: bot.Direct,
		SenderID: from, SenderName: m.name, MessageID: in.ID, Text: in.Text, Time: in.At}
	if enrolled {
		ev.ChatID, ev.ChatType, ev.ChatTitle, ev.ChatSize = m.cohort.ID, bot.Group, m.cohort.Title, len(m.cohort.Members)
	}
	put := []bot.Note{s.note(keyInbound+in.ID+"/", from, map[string]string{"from": from}, in.At)}
	answer := false
	if numbers(in.Text) {
		o, ok, err := s.options(ctx, from)
		if err != nil {
			return err
		}
		n := 0
		if d := digitRe.FindStringSubmatch(in.Text); d != nil {
			n, _ = strconv.Atoi(d[1])
		}
		switch {
		case ok && o.Typed:
			// A multi-select's answer: text, in the question's chat,
			// for the lesson to read.
			ev.ChatID, answer = o.Chat, true
		case ok && n >= 1 && n <= len(o.Data):
			ev.Kind, ev.Option, ev.MessageID, ev.ChatID, ev.PressID = bot.OptionChosen, o.Data[n-1], o.Msg, o.Chat, in.ID
			answer = true
		}
		if answer && o.Chat != m.cohortID() {
			ev.ChatType, ev.ChatTitle, ev.ChatSize = bot.Direct, "", 0
		}
	}
	// What a member writes reaches the cohort in its digests; an answer
	// does not, which would tell the others.
	if ev.Kind == bot.Message && !answer && ev.ChatType == bot.Group && !strings.HasPrefix(strings.TrimSpace(in.Text), "/") {
		put = append(put, s.relay(m, in)...)
	}
	// channel:chat:sender:message, as erasure finds a member's events.
	ev.ID = bot.EventID(Name, ev.ChatID, from, in.ID)
	if err := s.cfg.Notebook.WriteNotes(ctx, Name, put, nil); err != nil {
		return err
	}
	return h.HandleEvent(ctx, ev)
}

// cohortID is the member's cohort's id, "" for a number in none.
func (m member) cohortID() string {
	if m.cohort == nil {
		return ""
	}
	return m.cohort.ID
}

// relay is a member's text as notes for the rest of the cohort's next
// digests: what could identify a patient (a phone or record number, a
// name after a title) is taken out first, as case discussions do, since
// an SMS once sent cannot be taken back.
func (s *SMS) relay(m member, in Inbound) []bot.Note {
	findings, _ := deid.Scan(in.Text)
	text := deid.Redact(in.Text, findings, deid.Removed)
	var out []bot.Note
	for _, p := range m.cohort.Members {
		if p.Number == in.From {
			continue
		}
		out = append(out, s.note(keyDigest+p.Number+"/"+in.ID, in.From, relayed{Cohort: m.cohort.ID, Name: m.name, Text: text}, in.At))
	}
	return out
}

// options reads the options last sent to number.
func (s *SMS) options(ctx context.Context, number string) (options, bool, error) {
	notes, err := s.cfg.Notebook.Notes(ctx, Name, keyOptions+number+"/", 1)
	if err != nil || len(notes) == 0 {
		return options{}, false, err
	}
	var o options
	err = json.Unmarshal(notes[0].Data, &o)
	return o, err == nil, err
}

// stop opts a member out: nothing more goes to them (what waits to go is
// dropped), they are told once how to come back, and their cohort's
// group hears they left.
func (s *SMS) stop(ctx context.Context, h bot.Handler, in Inbound, m member, enrolled bool) error {
	drop, err := s.queuedFor(ctx, in.From)
	if err != nil {
		return err
	}
	// About no member: an opt-out outlives the member's erasure (the
	// number alone, in the key), so that nothing goes to it again.
	stop := s.note(keyStopped+in.From, "", map[string]string{"id": in.ID}, in.At)
	if err := s.cfg.Notebook.WriteNotes(ctx, Name, []bot.Note{stop}, drop); err != nil {
		return err
	}
	s.mu.Lock()
	s.stopped[in.From] = true
	s.mu.Unlock()
	if err := s.direct(ctx, in.From, "stop:"+in.ID, "You will get no more texts from this number. Text START to come back.", true); err != nil {
		return err
	}
	if !enrolled {
		return nil
	}
	return h.HandleEvent(ctx, bot.Event{ID: bot.EventID(Name, m.cohort.ID, in.From, in.ID), Kind: bot.Left, Channel: Name, ChatID: m.cohort.ID,
		ChatType: bot.Group, ChatTitle: m.cohort.Title, SenderID: in.From, SenderName: m.name, Time: in.At})
}

// start opts a member back in.
func (s *SMS) start(ctx context.Context, in Inbound) error {
	if err := s.cfg.Notebook.WriteNotes(ctx, Name, nil, []string{keyStopped + in.From}); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.stopped, in.From)
	s.mu.Unlock()
	return s.direct(ctx, in.From, "start:"+in.ID, "Welcome back: your group's lessons come here again. Text STOP to stop.", false)
}

// queuedFor lists the keys of the texts waiting to go to number.
func (s *SMS) queuedFor(ctx context.Context, number string) ([]string, error) {
	notes, err := s.cfg.Notebook.Notes(ctx, Name, keyQueue, 0)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, n := range notes {
		if strings.HasSuffix(n.Key, "/"+number) {
			keys = append(keys, n.Key)
		}
	}
	digests, err := s.cfg.Notebook.Notes(ctx, Name, keyDigest+number+"/", 0)
	for _, n := range digests {
		keys = append(keys, n.Key)
	}
	return keys, err
}
