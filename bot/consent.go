package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ConsentStatus is where a person stands with the privacy notice.
type ConsentStatus string

// Consent statuses.
const (
	// ConsentAsked: shown the notice, not answered yet.
	ConsentAsked ConsentStatus = "asked"
	// ConsentAccepted: accepted the notice's Version.
	ConsentAccepted ConsentStatus = "accepted"
	// ConsentDeclined: declined it; Huddle records nothing about them.
	ConsentDeclined ConsentStatus = "declined"
)

// Consent is a person's answer to the privacy notice. Stores keep it apart
// from members, under a keyed hash of the platform id, so that someone who
// declines leaves nothing else behind.
type Consent struct {
	Status ConsentStatus
	// Version is the notice's version that was shown or answered.
	Version    int
	AskedAt    time.Time
	AnsweredAt time.Time
	// LastEvent fingerprints the last event handled for them before they
	// accepted (EventPrint), so a redelivered one is not answered twice.
	LastEvent string
}

// Accepted reports whether c accepts version of the notice (or a later one).
func (c Consent) Accepted(version int) bool {
	return c.Status == ConsentAccepted && c.Version >= version
}

// ConsentNotice is the privacy notice members accept before Huddle
// records anything about them.
type ConsentNotice struct {
	// Version numbers the notice; raising it asks everyone again.
	Version int
	// Text holds the program's notice by language code; the built-in
	// notice stands in for a language without one.
	Text map[string]string
}

// text returns the notice in lang: the program's own, in lang or else in
// English, or the built-in one.
func (n *ConsentNotice) text(lang string) string {
	if t := n.Text[baseLang(lang)]; t != "" {
		return t
	}
	if !texts.Has(lang) {
		if t := n.Text["en"]; t != "" {
			return t
		}
	}
	return tr(lang, "consent_notice")
}

// askEvery is how often someone who has not answered the notice is shown
// it again when they write.
const askEvery = 24 * time.Hour

// Options of the consent notice: the version follows, so a press on an
// older notice is not taken for the current one.
const (
	consentYes = "cs+:"
	consentNo  = "cs-:"
)

// EventPrint is a short fingerprint of an event id: enough to recognise a
// redelivery, and without the sender's platform id.
func EventPrint(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:12])
}

// verdict is what the consent gate makes of an event.
type verdict int

const (
	// drop: the sender has not accepted; the gate answered them if need be.
	drop verdict = iota
	// pass: handle the event as usual.
	pass
	// accepted: the event accepted the notice; welcome the new member.
	accepted
)

// gate decides whether ev's sender may be handled as a member: it passes
// those who accepted the current notice (and the few commands that
// exercise a right without consent, from people already known). For
// everyone else it answers from the consent record alone, asking at most
// once a day, and records nothing but that.
func (r *Router) gate(tx Tx, ev Event, now time.Time) (verdict, error) {
	ids := Member{PlatformID: ev.SenderID, Alias: ev.SenderAlias}.PlatformIDs()
	c, err := tx.Consent(ev.Channel, ids...)
	if err != nil {
		return drop, err
	}
	version := r.consent.Version
	if c.Accepted(version) {
		return pass, nil
	}
	print := EventPrint(ev.ID)
	if c.LastEvent == print {
		return drop, nil // a redelivery: answered already
	}
	lang := ev.SenderLang
	if lang == "" && ev.ChatType == Group {
		if chat, err := tx.ChatByPlatform(ev.Channel, ev.ChatID); err == nil {
			lang = chat.Lang
		} else if !errors.Is(err, ErrNotFound) {
			return drop, err
		}
	}
	c.LastEvent = print
	save := func() error {
		if c.Status == "" {
			return nil // never asked: nothing to keep
		}
		return tx.SetConsent(ev.Channel, ids, c)
	}

	choice := consentChoice(ev, c, version)
	switch {
	case choice == ConsentAccepted:
		c.Status, c.Version, c.AnsweredAt = ConsentAccepted, version, now
		if err := save(); err != nil {
			return drop, err
		}
		r.log.Info("privacy notice accepted", "channel", ev.Channel, "version", version)
		return accepted, nil
	case choice == ConsentDeclined:
		c.Status, c.Version, c.AnsweredAt = ConsentDeclined, version, now
		if err := save(); err != nil {
			return drop, err
		}
		if ev.ChatType == Direct {
			// The notice named them in their private chat: gone with the "no".
			if err := tx.DropConsentNotices(ev.Channel, ev.ChatID); err != nil {
				return drop, err
			}
		}
		text := tr(lang, "consent_declined")
		if _, err := tx.MemberByRef(StaffRef{Channel: ev.Channel, ID: ev.SenderID}); err == nil {
			text += "\n" + tr(lang, "consent_declined_known")
		} else if !errors.Is(err, ErrNotFound) {
			return drop, err
		}
		r.log.Info("privacy notice declined", "channel", ev.Channel, "version", version)
		return drop, r.consentReply(tx, ev, now, "consent_no", text)
	}

	// What the event asks for, and how that meets the notice (the
	// command's Gate): a command, or the answer to one's question.
	var name string
	data, isPress := pressed(ev)
	switch {
	case ev.Kind == Message && strings.HasPrefix(ev.Text, "/"):
		name, _ = parseCommand(ev.Text)
	case isPress && (data == forgetYes || data == forgetNo):
		name = "forget" // the answer to /forget's question
	case isPress && isConsentOption(data):
		name = "privacy" // an older notice's option: show the current one
	}
	gate := GateAsk
	if c := r.commands.get(name); c != nil {
		name, gate = c.Name, c.Gate
	}
	switch gate {
	case GateRight:
		// Rights need no consent; those Huddle does not know are told it
		// holds nothing but their answer to the notice, which /forget
		// erases.
		if _, err := tx.MemberByRef(StaffRef{Channel: ev.Channel, ID: ev.SenderID}); err == nil {
			return pass, nil
		} else if !errors.Is(err, ErrNotFound) {
			return drop, err
		}
		if name == "forget" {
			if err := tx.DeleteConsent(ev.Channel, ids...); err != nil {
				return drop, err
			}
			if ev.ChatType == Direct {
				if err := tx.DropConsentNotices(ev.Channel, ev.ChatID); err != nil {
					return drop, err
				}
			}
			return drop, r.consentReply(tx, ev, now, "consent_forget", tr(lang, "consent_forgotten"))
		}
		if err := save(); err != nil {
			return drop, err
		}
		return drop, r.consentReply(tx, ev, now, "consent_mydata", tr(lang, "consent_mydata", tr(lang, "consent_status_"+string(c.Status))))
	case GateOpen:
		if err := save(); err != nil {
			return drop, err
		}
		// It runs with what it sends turned into answers that keep
		// nothing of the member (see gatedTx).
		c := r.commands.get(name)
		_, args := parseCommand(ev.Text)
		s := Session{Event: ev, Chat: Chat{Channel: ev.Channel, PlatformID: ev.ChatID, Type: ev.ChatType}, Lang: lang, Now: now}
		return drop, c.Run(gatedTx{Tx: tx, ev: ev}, s, args)
	}
	// In a group, one notice for everyone, at most once a day, accepted
	// by whoever presses it: not one per member, which in a group of two
	// hundred buries the lesson. Nothing about the writer is kept.
	if ev.ChatType == Group {
		if c.Status == ConsentDeclined && c.Version >= version {
			return drop, save() // they said no: the group is not asked for them
		}
		if ev.Kind != Message || ev.Late {
			return drop, nil
		}
		return drop, r.groupNotice(tx, ev, now, lang)
	}
	// Ask when they ask for it, and otherwise at most once a day. After
	// a "no" to this version they are not asked again unasked: in private
	// they are reminded, at most once a day, how to change their mind.
	asked := gate == GateShow
	if !asked && (ev.Kind != Message && ev.Kind != OptionChosen || ev.Late) {
		return drop, nil
	}
	due := c.AskedAt.IsZero() || now.Sub(c.AskedAt) >= askEvery || c.Version < version
	if !asked && !due {
		return drop, save()
	}
	if !asked && c.Status == ConsentDeclined && c.Version >= version {
		if ev.ChatType != Direct {
			return drop, save()
		}
		c.AskedAt = now
		if err := save(); err != nil {
			return drop, err
		}
		return drop, r.consentReply(tx, ev, now, "consent_no", tr(lang, "consent_declined"))
	}
	if c.Status != ConsentDeclined || c.Version < version {
		c.Status = ConsentAsked
	}
	c.Version, c.AskedAt = version, now
	if err := save(); err != nil {
		return drop, err
	}
	opts := r.consent.options(lang)
	if cmd := r.carriable(ev); cmd != "" && ev.ChatType == Direct {
		// Accepting then carries out the command that brought the notice.
		opts[0].Data += ":" + cmd
	}
	return drop, r.consentReply(tx, ev, now, "consent", r.consent.text(lang), opts...)
}

// groupNotice posts the privacy notice in ev's group, pinned where the
// bot may pin: once a day and version at most, whoever writes.
func (r *Router) groupNotice(tx OutboxWriter, ev Event, now time.Time, lang string) error {
	day := now.UTC().Format(time.DateOnly)
	return tx.Enqueue(Outbound{
		Channel: ev.Channel, ChatID: ev.ChatID, Thread: ev.Thread, Text: r.consent.text(lang),
		Options: r.consent.options(lang), Pin: true,
		Key: fmt.Sprintf("consent:group:%s:%s:v%d:%s", ev.Channel, ev.ChatID, r.consent.Version, day),
	}, now)
}

// carriable returns the command ev holds when the notice's "I accept" may
// carry it out once accepted: one whose Gate is GateCarry, with at most
// one argument that names a lesson or a language, so no text a member
// wrote is kept in the notice's button (the platform holds its data). ""
// otherwise.
func (r *Router) carriable(ev Event) string {
	if ev.Kind != Message || len(ev.Text) > 40 || !strings.HasPrefix(ev.Text, "/") {
		return ""
	}
	name, args := parseCommand(ev.Text)
	c := r.commands.get(name)
	if c == nil || c.Gate != GateCarry || len(args) > 1 || len(args) == 1 && !idLike(args[0]) {
		return ""
	}
	if len(args) == 0 {
		return "/" + c.Name
	}
	return "/" + c.Name + " " + strings.ToLower(args[0])
}

// idLike reports whether s looks like a lesson id or language code.
func idLike(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s != ""
}

// carried returns the command an accepting press carries ("" for none).
func (r *Router) carried(ev Event) string {
	data := ev.Option
	if ev.Kind == Vote && len(ev.Choices) == 1 {
		data = ev.Choices[0]
	}
	rest, ok := strings.CutPrefix(data, consentYes)
	if !ok {
		return ""
	}
	_, cmd, _ := strings.Cut(rest, ":")
	if r.carriable(Event{Kind: Message, Text: cmd}) != cmd {
		return "" // not one this version would have put there
	}
	return cmd
}

// options are the notice's two options, for its current version.
func (n *ConsentNotice) options(lang string) []Option {
	v := strconv.Itoa(n.Version)
	return []Option{
		{Label: tr(lang, "consent_yes"), Data: consentYes + v},
		{Label: tr(lang, "consent_no"), Data: consentNo + v},
	}
}

// consentChoice reads an answer to the notice from ev: a press of one of
// its options, or, where options come as numbered lines, "1" or "2" (or an
// option's label) from someone who was shown it.
func consentChoice(ev Event, c Consent, version int) ConsentStatus {
	data := ev.Option
	if ev.Kind == Vote && len(ev.Choices) == 1 {
		data = ev.Choices[0]
	}
	if ev.Kind == OptionChosen || ev.Kind == Vote {
		for prefix, st := range map[string]ConsentStatus{consentYes: ConsentAccepted, consentNo: ConsentDeclined} {
			if v, ok := strings.CutPrefix(data, prefix); ok {
				if v, _, _ = strings.Cut(v, ":"); v == strconv.Itoa(version) {
					return st
				}
			}
		}
		return ""
	}
	if ev.Kind != Message || c.Status != ConsentAsked || c.Version != version {
		return ""
	}
	text := strings.ToLower(strings.Trim(ev.Text, " .!"))
	for _, lang := range texts.Languages() {
		switch text {
		case "1", strings.ToLower(tr(lang, "consent_yes")):
			return ConsentAccepted
		case "2", strings.ToLower(tr(lang, "consent_no")):
			return ConsentDeclined
		}
	}
	return ""
}

// consentReply answers someone who has not accepted the notice. It is
// keyed by the event's fingerprint, not its id (which holds their platform
// id), and dropped from the outbox once sent when it goes to their private
// chat; the notice itself stays until answered, so a WhatsApp poll vote on
// it can be read.
func (r *Router) consentReply(tx OutboxWriter, ev Event, now time.Time, tag, text string, opts ...Option) error {
	if ev.PressID != "" && len(opts) == 0 {
		// The answer to a press on the notice: to the presser alone.
		return answerPress(tx, ev, now, text, true)
	}
	m := Outbound{
		Channel: ev.Channel, ChatID: ev.ChatID, Text: text, Options: opts, Thread: ev.Thread,
		Transient: ev.ChatType == Direct && len(opts) == 0,
		Answer:    true, // nothing records the chat yet: this answers what they sent
		Key:       "consent:" + EventPrint(ev.ID) + ":" + tag,
	}
	if ev.ChatType == Group {
		m.ReplyTo = ev.MessageID
	}
	return tx.Enqueue(m, now)
}

// welcome greets a member who has just accepted the notice: privately
// with the commands, in a group in a line.
func (r *Router) welcome(tx Tx, s Session) error {
	if s.Chat.Type == Direct {
		return Reply(tx, s, "welcome", tr(s.Lang, "consent_thanks")+"\n\n"+tr(s.Lang, "welcome", s.Member.Name)+"\n\n"+tr(s.Lang, "hint"))
	}
	if s.Event.PressID != "" {
		// In a group, to the member alone: a group of two hundred
		// accepting is not two hundred messages.
		return answerPress(tx, s.Event, s.Now, tr(s.Lang, "consent_thanks_group"), false)
	}
	return Reply(tx, s, "welcome", tr(s.Lang, "consent_thanks_group"))
}

// isConsentOption reports whether data is an option of the notice.
func isConsentOption(data string) bool {
	return strings.HasPrefix(data, consentYes) || strings.HasPrefix(data, consentNo)
}

// gatedTx is the transaction a GateOpen command runs in for a member who
// has not accepted the privacy notice: its messages are answers to what
// they sent, kept by no key that holds their id, and left in no record of
// a private chat once sent (as consentReply's are).
type gatedTx struct {
	Tx
	ev Event
}

// Enqueue queues m as an answer to the gated event.
func (g gatedTx) Enqueue(m Outbound, now time.Time) error {
	tag := m.Key[strings.LastIndexByte(m.Key, ':')+1:]
	m.Key = "consent:" + EventPrint(g.ev.ID) + ":" + tag
	m.Transient = g.ev.ChatType == Direct && len(m.Options) == 0
	m.Answer = true
	return g.Tx.Enqueue(m, now)
}

// consentAgain acts on a press of the notice's options by a member who
// accepted it: "no" withdraws their consent, so nothing more is recorded
// about them; what is held stays until /forget.
func (r *Router) consentAgain(tx Tx, s Session, data string) error {
	if !strings.HasPrefix(data, consentNo) || r.consent == nil {
		return nil
	}
	// Asked now, so that the reminder for those who said no waits a day.
	c := Consent{Status: ConsentDeclined, Version: r.consent.Version, AnsweredAt: s.Now, AskedAt: s.Now, LastEvent: EventPrint(s.Event.ID)}
	if err := tx.SetConsent(s.Member.Channel, s.Member.PlatformIDs(), c); err != nil {
		return err
	}
	r.log.Info("privacy consent withdrawn", "member", s.Member.ID, "version", c.Version)
	return Reply(tx, s, "consent", tr(s.Lang, "consent_declined")+"\n"+tr(s.Lang, "consent_declined_known"))
}
