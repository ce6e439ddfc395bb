package privacy

import (
	"errors"
	"fmt"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
	"strconv"
	"strings"
	"time"
)

// text returns the notice in lang: the program's own, in lang or else in
// English, or the built-in one.
func (g *rights) noticeText(lang string) string {
	n := g.consent
	if t := n.Text[catalog.BaseLang(lang)]; t != "" {
		return t
	}
	if !g.texts.Has(lang) {
		if t := n.Text["en"]; t != "" {
			return t
		}
	}
	return g.tr(lang, "consent_notice")
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

// gate decides whether ev's sender may be handled as a member: it passes
// those who accepted the current notice (and the few commands that
// exercise a right without consent, from people already known). For
// everyone else it answers from the consent record alone, asking at most
// once a day, and records nothing but that.
func (g *rights) Admit(tx bot.Tx, in bot.Entry) (bot.Verdict, error) {
	ev, now := in.Event, in.Now
	ids := bot.Member{PlatformID: ev.SenderID, Alias: ev.SenderAlias}.PlatformIDs()
	c, err := tx.Consent(ev.Channel, ids...)
	if err != nil {
		return bot.Verdict{}, err
	}
	version := g.consent.Version
	if c.Accepted(version) {
		return bot.Verdict{Pass: true}, nil
	}
	if in.Teacher != nil {
		// The programme's staff and mentors are known to it: they are not
		// asked, so that their commands (an /assign in a group, a
		// mentor's /queue) work from their first word.
		if ok, err := in.Teacher(); err != nil || ok {
			return bot.Verdict{Pass: ok}, err
		}
	}
	print := bot.EventPrint(ev.ID)
	if c.LastEvent == print {
		return bot.Verdict{}, nil // a redelivery: answered already
	}
	lang := ev.SenderLang
	if lang == "" && ev.ChatType == bot.Group {
		if chat, err := tx.ChatByPlatform(ev.Channel, ev.ChatID); err == nil {
			lang = chat.Lang
		} else if !errors.Is(err, bot.ErrNotFound) {
			return bot.Verdict{}, err
		}
	}
	c.LastEvent = print
	save := func() error {
		if c.Status == "" {
			return nil // never asked: nothing to keep
		}
		return tx.SetConsent(ev.Channel, ids, c)
	}

	choice := g.consentChoice(ev, c, version)
	switch {
	case choice == bot.ConsentAccepted:
		c.Status, c.Version, c.AnsweredAt = bot.ConsentAccepted, version, now
		if err := save(); err != nil {
			return bot.Verdict{}, err
		}
		g.log.Info("privacy notice accepted", "channel", ev.Channel, "version", version)
		greet := func(lang string) string { return g.tr(lang, "consent_thanks") }
		if ev.ChatType == bot.Group {
			greet = func(lang string) string { return g.tr(lang, "consent_thanks_group") }
		}
		return bot.Verdict{Pass: true, Greet: greet, Then: carried(ev, in.Command)}, nil
	case choice == bot.ConsentDeclined:
		c.Status, c.Version, c.AnsweredAt = bot.ConsentDeclined, version, now
		if err := save(); err != nil {
			return bot.Verdict{}, err
		}
		if ev.ChatType == bot.Direct {
			// The notice named them in their private chat: gone with the "no".
			if err := tx.DropConsentNotices(ev.Channel, ev.ChatID); err != nil {
				return bot.Verdict{}, err
			}
		}
		text := g.tr(lang, "consent_declined")
		if _, err := tx.MemberByRef(bot.StaffRef{Channel: ev.Channel, ID: ev.SenderID}); err == nil {
			text += "\n" + g.tr(lang, "consent_declined_known")
		} else if !errors.Is(err, bot.ErrNotFound) {
			return bot.Verdict{}, err
		}
		g.log.Info("privacy notice declined", "channel", ev.Channel, "version", version)
		return bot.Verdict{}, consentReply(tx, ev, now, "consent_no", text)
	}

	// What the event asks for, and how that meets the notice (the
	// command's Gate): a command, or the answer to one's question.
	var name string
	data, isPress := ev.Chosen()
	switch {
	case ev.Kind == bot.Message && strings.HasPrefix(ev.Text, "/"):
		name, _ = bot.ParseCommand(ev.Text)
	case isPress && (data == forgetYes || data == forgetNo):
		name = "forget" // the answer to /forget's question
	case isPress && isConsentOption(data):
		name = "privacy" // an older notice's option: show the current one
	}
	gate := bot.GateAsk
	if c := in.Command(name); c != nil {
		name, gate = c.Name, c.Gate
	}
	switch gate {
	case bot.GateRight:
		// Rights need no consent; those Huddle does not know are told it
		// holds nothing but their answer to the notice, which /forget
		// erases.
		if _, err := tx.MemberByRef(bot.StaffRef{Channel: ev.Channel, ID: ev.SenderID}); err == nil {
			return bot.Verdict{Pass: true}, nil
		} else if !errors.Is(err, bot.ErrNotFound) {
			return bot.Verdict{}, err
		}
		if name == "forget" {
			if err := tx.DeleteConsent(ev.Channel, ids...); err != nil {
				return bot.Verdict{}, err
			}
			if ev.ChatType == bot.Direct {
				if err := tx.DropConsentNotices(ev.Channel, ev.ChatID); err != nil {
					return bot.Verdict{}, err
				}
			}
			return bot.Verdict{}, consentReply(tx, ev, now, "consent_forget", g.tr(lang, "consent_forgotten"))
		}
		if err := save(); err != nil {
			return bot.Verdict{}, err
		}
		return bot.Verdict{}, consentReply(tx, ev, now, "consent_mydata", g.tr(lang, "consent_mydata", g.tr(lang, "consent_status_"+string(c.Status))))
	case bot.GateOpen:
		if err := save(); err != nil {
			return bot.Verdict{}, err
		}
		// It runs with what it sends turned into answers that keep
		// nothing of the member (see gatedTx).
		c := in.Command(name)
		_, args := bot.ParseCommand(ev.Text)
		s := bot.Session{Event: ev, Chat: bot.Chat{Channel: ev.Channel, PlatformID: ev.ChatID, Type: ev.ChatType}, Lang: lang, Now: now}
		return bot.Verdict{}, c.Run(gatedTx{Tx: tx, ev: ev}, s, args)
	}
	// In a group, one notice for everyone, at most once a day, accepted
	// by whoever presses it: not one per member, which in a group of two
	// hundred buries the lesson. Nothing about the writer is kept.
	if ev.ChatType == bot.Group {
		if c.Status == bot.ConsentDeclined && c.Version >= version {
			return bot.Verdict{}, save() // they said no: the group is not asked for them
		}
		if ev.Kind != bot.Message || ev.Late {
			return bot.Verdict{}, nil
		}
		return bot.Verdict{}, g.groupNotice(tx, ev, now, lang)
	}
	// Ask when they ask for it, and otherwise at most once a day. After
	// a "no" to this version they are not asked again unasked: in private
	// they are reminded, at most once a day, how to change their mind.
	asked := gate == bot.GateShow
	if !asked && (ev.Kind != bot.Message && ev.Kind != bot.OptionChosen || ev.Late) {
		return bot.Verdict{}, nil
	}
	due := c.AskedAt.IsZero() || now.Sub(c.AskedAt) >= askEvery || c.Version < version
	if !asked && !due {
		return bot.Verdict{}, save()
	}
	if !asked && c.Status == bot.ConsentDeclined && c.Version >= version {
		if ev.ChatType != bot.Direct {
			return bot.Verdict{}, save()
		}
		c.AskedAt = now
		if err := save(); err != nil {
			return bot.Verdict{}, err
		}
		return bot.Verdict{}, consentReply(tx, ev, now, "consent_no", g.tr(lang, "consent_declined"))
	}
	if c.Status != bot.ConsentDeclined || c.Version < version {
		c.Status = bot.ConsentAsked
	}
	c.Version, c.AskedAt = version, now
	if err := save(); err != nil {
		return bot.Verdict{}, err
	}
	opts := g.noticeOptions(lang)
	if cmd := carriable(ev, in.Command); cmd != "" && ev.ChatType == bot.Direct {
		// Accepting then carries out the command that brought the notice.
		opts[0].Data += ":" + cmd
	}
	return bot.Verdict{}, consentReply(tx, ev, now, "consent", g.noticeText(lang), opts...)
}

// groupNotice posts the privacy notice in ev's group, pinned where the
// bot may pin: once a day and version at most, whoever writes.
func (g *rights) groupNotice(tx bot.OutboxWriter, ev bot.Event, now time.Time, lang string) error {
	day := now.UTC().Format(time.DateOnly)
	return tx.Enqueue(bot.Outbound{
		Channel: ev.Channel, ChatID: ev.ChatID, Thread: ev.Thread, Text: g.noticeText(lang),
		Options: g.noticeOptions(lang), Pin: true,
		Key: fmt.Sprintf("consent:group:%s:%s:v%d:%s", ev.Channel, ev.ChatID, g.consent.Version, day),
	}, now)
}

// carriable returns the command ev holds when the notice's "I accept" may
// carry it out once accepted: one whose Gate is GateCarry, with at most
// one argument that names a lesson or a language, so no text a member
// wrote is kept in the notice's button (the platform holds its data). ""
// otherwise.
func carriable(ev bot.Event, command func(string) *bot.Command) string {
	if ev.Kind != bot.Message || len(ev.Text) > 40 || !strings.HasPrefix(ev.Text, "/") {
		return ""
	}
	name, args := bot.ParseCommand(ev.Text)
	c := command(name)
	if c == nil || c.Gate != bot.GateCarry || len(args) > 1 || len(args) == 1 && !idLike(args[0]) {
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
func carried(ev bot.Event, command func(string) *bot.Command) string {
	data := ev.Option
	if ev.Kind == bot.Vote && len(ev.Choices) == 1 {
		data = ev.Choices[0]
	}
	rest, ok := strings.CutPrefix(data, consentYes)
	if !ok {
		return ""
	}
	_, cmd, _ := strings.Cut(rest, ":")
	if carriable(bot.Event{Kind: bot.Message, Text: cmd}, command) != cmd {
		return "" // not one this version would have put there
	}
	return cmd
}

// options are the notice's two options, for its current version.
func (g *rights) noticeOptions(lang string) []bot.Option {
	n := g.consent
	v := strconv.Itoa(n.Version)
	return []bot.Option{
		{Label: g.tr(lang, "consent_yes"), Data: consentYes + v},
		{Label: g.tr(lang, "consent_no"), Data: consentNo + v},
	}
}

// consentChoice reads an answer to the notice from ev: a press of one of
// its options, or, where options come as numbered lines, "1" or "2" (or an
// option's label) from someone who was shown it.
func (g *rights) consentChoice(ev bot.Event, c bot.Consent, version int) bot.ConsentStatus {
	data := ev.Option
	if ev.Kind == bot.Vote && len(ev.Choices) == 1 {
		data = ev.Choices[0]
	}
	if ev.Kind == bot.OptionChosen || ev.Kind == bot.Vote {
		for prefix, st := range map[string]bot.ConsentStatus{consentYes: bot.ConsentAccepted, consentNo: bot.ConsentDeclined} {
			if v, ok := strings.CutPrefix(data, prefix); ok {
				if v, _, _ = strings.Cut(v, ":"); v == strconv.Itoa(version) {
					return st
				}
			}
		}
		return ""
	}
	if ev.Kind != bot.Message || c.Status != bot.ConsentAsked || c.Version != version {
		return ""
	}
	text := strings.ToLower(strings.Trim(ev.Text, " .!"))
	for _, lang := range g.texts.Languages() {
		switch text {
		case "1", strings.ToLower(g.tr(lang, "consent_yes")):
			return bot.ConsentAccepted
		case "2", strings.ToLower(g.tr(lang, "consent_no")):
			return bot.ConsentDeclined
		}
	}
	return ""
}

// consentReply answers someone who has not accepted the notice. It is
// keyed by the event's fingerprint, not its id (which holds their platform
// id), and dropped from the outbox once sent when it goes to their private
// chat; the notice itself stays until answered, so a WhatsApp poll vote on
// it can be read.
func consentReply(tx bot.OutboxWriter, ev bot.Event, now time.Time, tag, text string, opts ...bot.Option) error {
	if ev.PressID != "" && len(opts) == 0 {
		// The answer to a press on the notice: to the presser alone.
		return bot.AnswerPress(tx, ev, now, text, true)
	}
	m := bot.Outbound{
		Channel: ev.Channel, ChatID: ev.ChatID, Text: text, Options: opts, Thread: ev.Thread,
		Transient: ev.ChatType == bot.Direct && len(opts) == 0,
		Answer:    true, // nothing records the chat yet: this answers what they sent
		Key:       "consent:" + bot.EventPrint(ev.ID) + ":" + tag,
	}
	if ev.ChatType == bot.Group {
		m.ReplyTo = ev.MessageID
	}
	return tx.Enqueue(m, now)
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
	bot.Tx
	ev bot.Event
}

// Enqueue queues m as an answer to the gated event.
func (g gatedTx) Enqueue(m bot.Outbound, now time.Time) error {
	tag := m.Key[strings.LastIndexByte(m.Key, ':')+1:]
	m.Key = "consent:" + bot.EventPrint(g.ev.ID) + ":" + tag
	m.Transient = g.ev.ChatType == bot.Direct && len(m.Options) == 0
	m.Answer = true
	return g.Tx.Enqueue(m, now)
}

// consentAgain acts on a press of the notice's options by a member who
// accepted it: "no" withdraws their consent, so nothing more is recorded
// about them; what is held stays until /forget.
func (g *rights) consentAgain(tx Tx, s bot.Session, data string) error {
	if !strings.HasPrefix(data, consentNo) || g.consent == nil {
		return nil
	}
	// Asked now, so that the reminder for those who said no waits a day.
	c := bot.Consent{Status: bot.ConsentDeclined, Version: g.consent.Version, AnsweredAt: s.Now, AskedAt: s.Now, LastEvent: bot.EventPrint(s.Event.ID)}
	if err := tx.SetConsent(s.Member.Channel, s.Member.PlatformIDs(), c); err != nil {
		return err
	}
	g.log.Info("privacy consent withdrawn", "member", s.Member.ID, "version", c.Version)
	return bot.Reply(tx, s, "consent", g.tr(s.Lang, "consent_declined")+"\n"+g.tr(s.Lang, "consent_declined_known"))
}
