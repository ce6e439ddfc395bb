package bot

import (
	"context"
	"errors"
	"log/slog"
	"path"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huddlebot/huddle/picture"
)

// MaxText is the longest message text the router handles, in runes; longer
// texts are cut. No platform Huddle speaks allows longer messages.
const MaxText = 4096

// Clock tells the time; tests pass a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits d, or until ctx ends, and then returns ctx's error.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RouterConfig holds what a Router needs.
type RouterConfig struct {
	Store  Updater
	Engine Engine
	// Clock defaults to SystemClock.
	Clock Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Committed is called after every transaction that may have queued
	// outbound messages; wire it to Sender.Wake.
	Committed func()
	// Staff are told when a channel goes down, and may use staff commands.
	Staff []StaffRef
	// Location is the time zone in which start times are shown; UTC when
	// nil.
	Location *time.Location
	// Consent is the privacy notice members accept before anything about
	// them is recorded; nil when consent is gathered outside Huddle.
	Consent *ConsentNotice
	// Pseudonyms shows members to others by their pseudonym (see
	// Member.Pseudonym) rather than their platform name: the Session's
	// Member.Name is then the pseudonym.
	Pseudonyms bool
	// Features plug in their commands, option handlers, messages, edits,
	// assigners and mentors, in order: a later feature's command of the
	// same name as an earlier one (or a built-in) replaces it.
	Features []Feature
}

// Router takes every inbound event, in order per chat, and turns it into
// state changes and outbound messages committed together.
type Router struct {
	// cleaning bounds the photos made clean at once (cleanFile): each
	// takes some 180 MB for a moment.
	cleaning  chan struct{}
	store     Updater
	engine    Engine
	clock     Clock
	log       *slog.Logger
	committed func()
	staff     []StaffRef
	loc       *time.Location
	consent   *ConsentNotice
	pseudo    bool
	commands  commandSet
	features  []Feature
	assigners []Assigner

	cancel context.CancelFunc
	queues *dispatcher
}

// NewRouter returns a Router; Close (or the end of Run's context) stops
// it.
func NewRouter(cfg RouterConfig) *Router {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Committed == nil {
		cfg.Committed = func() {}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	base, cancel := context.WithCancel(context.Background())
	r := &Router{
		cleaning:  make(chan struct{}, runtime.NumCPU()),
		store:     cfg.Store,
		engine:    cfg.Engine,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		committed: cfg.Committed,
		staff:     cfg.Staff,
		loc:       cfg.Location,
		features:  cfg.Features,
		consent:   cfg.Consent,
		pseudo:    cfg.Pseudonyms,
		cancel:    cancel,
		queues:    newDispatcher(base),
	}
	learning, rights, help, opts := r.builtins()
	r.commands.add(learning...)
	r.commands.addOptions(opts...)
	for _, f := range cfg.Features {
		r.commands.add(f.Commands...)
		r.commands.addOptions(f.Options...)
		if f.Assigner != nil {
			r.assigners = append(r.assigners, f.Assigner)
		}
	}
	// The members' rights and /help come after the features' in /help;
	// a feature's own of the same name stands instead.
	r.commands.addDefaults(rights...)
	r.commands.addDefaults(help)
	return r
}

// Run waits until ctx ends, then stops the router's chat queues and waits
// for the work under way in them. (A chat's queue starts with its first
// event; the clock-driven work is the Scheduler's.)
func (r *Router) Run(ctx context.Context) error {
	<-ctx.Done()
	r.Close()
	return nil
}

// InTurn queues fn in the turn of the chat key, behind the chat's events
// and work queued before it: the Scheduler's way in. It implements
// ChatQueue.
func (r *Router) InTurn(ctx context.Context, key string, fn func(ctx context.Context) error) <-chan error {
	return r.queues.submit(ctx, key, fn)
}

// Wake tells the sender that messages may go now (a channel reconnected):
// what RouterConfig.Committed does. It implements Waker.
func (r *Router) Wake() { r.committed() }

// Close stops the chat queues and waits for the work under way to finish.
func (r *Router) Close() {
	r.cancel()
	r.queues.wait()
}

// HandleEvent handles ev in its chat's queue and returns once it is durably
// handled. A duplicate of an event already handled changes nothing.
func (r *Router) HandleEvent(ctx context.Context, ev Event) error {
	select {
	case err := <-r.Submit(ctx, ev):
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit queues ev behind the events of its chat submitted before it and
// returns a channel that receives the result. Adapters that receive a batch
// of updates submit them all in order, then wait for every result.
func (r *Router) Submit(ctx context.Context, ev Event) <-chan error {
	ev = sanitize(ev)
	return r.queues.submit(ctx, ChatKey(ev.Channel, ev.ChatID), func(ctx context.Context) error {
		return r.handle(ctx, ev)
	})
}

// sanitize makes an event's text safe to handle: valid UTF-8, trimmed, and
// at most MaxText runes.
func sanitize(ev Event) Event {
	ev.Text = strings.TrimSpace(strings.ToValidUTF8(ev.Text, "\uFFFD"))
	if utf8.RuneCountInString(ev.Text) > MaxText {
		ev.Text = string([]rune(ev.Text)[:MaxText])
	}
	if ev.ChatType != Group {
		ev.ChatType = Direct
	}
	if ev.Kind == "" {
		ev.Kind = Message
	}
	return ev
}

func (r *Router) handle(ctx context.Context, ev Event) error {
	ev, err := r.cleanFile(ctx, ev)
	if err != nil {
		return err
	}
	now := r.clock.Now()
	if ev.Time.IsZero() {
		ev.Time = now
	}
	// gated says the sender passed the consent gate (or there is none):
	// until then nothing that names them may be stored.
	var gated bool
	err = r.store.Update(ctx, func(tx Tx) error {
		gated = false
		if err := r.handleIn(tx, ev, now, &gated); err != nil {
			return err
		}
		// Every press is answered, so its button stops spinning: with the
		// handler's own answer when it gave one (same key), else nothing.
		if ev.PressID != "" {
			return r.answerPress(tx, ev, now, "", !gated)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil && ev.Kind == Left {
		// Nobody to apologise to: the question waits for them until it
		// times out, as before the platform said.
		r.log.Error("member left: not recorded", "channel", ev.Channel, "err", err)
		return nil
	}
	if err != nil && ctx.Err() == nil {
		// Record the event as seen and apologise, so a message that trips a
		// bug is not redelivered and retried forever.
		// The event's id holds the sender's platform id (a phone number on
		// WhatsApp): the log names the message only. For someone who has
		// not passed the consent gate nothing keeps it: no seen-event row,
		// the apology keyed by the id's fingerprint (a redelivery before it
		// is sent gets no second one) and gone from the outbox once sent.
		r.log.Error("handle event", "channel", ev.Channel, "message", ev.MessageID, "kind", ev.Kind, "err", err)
		key := "ev:" + ev.ID + ":err"
		if !gated {
			key = "consent:" + EventPrint(ev.ID) + ":err"
		}
		err = r.store.Update(ctx, func(tx Tx) error {
			if gated {
				if _, err := tx.SeeEvent(ev.ID, now); err != nil {
					return err
				}
			}
			if ev.PressID != "" {
				if err := r.answerPress(tx, ev, now, tr(ev.SenderLang, "sorry"), !gated); err != nil {
					return err
				}
			}
			return tx.Enqueue(Outbound{
				Channel: ev.Channel, ChatID: ev.ChatID, ReplyTo: ev.MessageID,
				Text: tr(ev.SenderLang, "sorry"), Transient: !gated, Key: key,
			}, now)
		})
	}
	if err == nil {
		r.committed()
	}
	return err
}

// answerPress answers the press ev with text, for the presser alone (a
// toast; "" stops the button's spinner and says nothing). A press gets one
// answer: the first queued stands.
// transient keeps nothing of it once sent: the presser has not accepted
// the privacy notice.
func (r *Router) answerPress(tx OutboxWriter, ev Event, now time.Time, text string, transient bool) error {
	return tx.Enqueue(Outbound{Channel: ev.Channel, ChatID: ev.ChatID, PressID: ev.PressID, Text: text, Transient: transient,
		Key: PressKey(ev.PressID)}, now)
}

// handleIn handles ev within tx; gated is set once the sender passed the
// consent gate.
func (r *Router) handleIn(tx Tx, ev Event, now time.Time, gated *bool) error {
	if ev.Kind == Left {
		// No gate: nothing is said to them, and nothing stored of
		// someone never seen.
		*gated = true
		return r.left(tx, ev, now)
	}
	v := pass
	if r.consent != nil && ev.SenderID != "" && ev.Kind != ChatMigrated && ev.Kind != ChannelDown {
		var err error
		if v, err = r.gate(tx, ev, now); err != nil || v == drop {
			return err
		}
	}
	*gated = true
	first, err := tx.SeeEvent(ev.ID, now)
	if err != nil || !first {
		return err
	}
	switch ev.Kind {
	case ChatMigrated:
		return tx.MigrateChat(ev.Channel, ev.ChatID, ev.MigrateTo)
	case ChannelDown, ChannelNotice:
		return r.alertStaff(tx, ev, now)
	}
	chat, member, err := tx.Arrive(ev, now)
	if err != nil {
		return err
	}
	if r.pseudo && member.Pseudonym != "" {
		member.Name = member.Pseudonym
	}
	// A member who has not chosen a language gets the platform's hint.
	if member.Lang == "" {
		if hint, ok := ParseLang(ev.SenderLang); ok {
			member.Lang = hint
		}
	}
	s := Session{Event: ev, Chat: chat, Member: member, Lang: member.Lang, Now: now}
	if s.Lang == "" {
		s.Lang = chat.Lang
	}
	if s.Lang == "" && chat.Type == Direct {
		// Privately, a member who chose no language is written to in
		// their group's.
		if s.Lang, err = tx.MemberLang(member.ID); err != nil {
			return err
		}
	}
	if v == accepted {
		if err := r.welcome(tx, s); err != nil {
			return err
		}
		if cmd := r.carried(ev); cmd != "" {
			// The command that brought the notice, now carried out.
			s.Event.Kind, s.Event.Text = Message, cmd
			return r.dispatch(tx, s)
		}
		return nil
	}
	return r.dispatch(tx, s)
}

// left records that a member left a group (or was removed) and tells the
// chat's run, so that a question stops waiting for them; one the bot
// never saw there counts in the group's size alone. Said twice (a service
// message and a member update), it acts once.
func (r *Router) left(tx Tx, ev Event, now time.Time) error {
	chat, member, _, err := tx.LeaveChat(ev, now)
	if errors.Is(err, ErrNotFound) || err == nil && chat.Type != Group {
		return nil
	}
	if err != nil {
		return err
	}
	return r.engine.Left(tx, chat, member, now)
}

// dispatch decides what an event is: an option press, a command, or a
// message for the active run.
func (r *Router) dispatch(tx Tx, s Session) error {
	ev := s.Event
	engage := func(kind string) error {
		return tx.LogEngagement(Engagement{MemberID: s.Member.ID, ChatID: s.Chat.ID, Kind: kind, At: s.Now})
	}
	switch {
	case ev.Kind == Edited:
		// Every feature sees an edit (a case's text is checked as the
		// original was), even one caught up late: it is about privacy,
		// not a command.
		for _, f := range r.features {
			for _, h := range f.Edits {
				if _, err := h(tx, s); err != nil {
					return err
				}
			}
		}
		return engage(EngageEdit)
	case ev.Late:
		// Caught up after an offline period: counted, not acted on.
		return engage(EngageMessage)
	case ev.Kind == Reaction:
		return engage(EngageReaction)
	case ev.Kind == Deleted:
		return engage(EngageDelete)
	case ev.Kind == Vote || ev.Kind == OptionChosen:
		if err := engage(EngageOption); err != nil {
			return err
		}
		// A press and a vote for one option take one path: the option's
		// handler, whatever sent it (a button, a poll); so every message
		// with options works as a poll. A quiz's poll takes the vote as a
		// vote: a changed vote, several picks.
		if data, ok := pressed(ev); ok {
			press := s
			press.Event.Kind, press.Event.Option = OptionChosen, data
			if took, err := r.option(tx, press); err != nil || took {
				return err
			}
		}
		took, err := r.engine.Offer(tx, s)
		if err != nil || took || (ev.Kind == Vote && len(ev.Choices) == 0) {
			return err
		}
		if ev.PressID != "" {
			return r.answerPress(tx, ev, s.Now, tr(s.Lang, "option_stale"), false) // to the presser alone
		}
		return Reply(tx, s, "stale", tr(s.Lang, "option_stale"))
	case strings.HasPrefix(ev.Text, "/"):
		if err := engage(EngageCommand); err != nil {
			return err
		}
		name, args := parseCommand(ev.Text)
		return r.command(tx, s, name, args)
	default:
		took, err := r.engine.Offer(tx, s)
		if err != nil {
			return err
		}
		kind := EngageAnswer
		if !took {
			if took, kind, err = r.offer(tx, s); err != nil {
				return err
			}
		}
		if err := engage(kind); err != nil {
			return err
		}
		if !took && s.Chat.Type == Direct {
			return Reply(tx, s, "hint", tr(s.Lang, "hint"))
		}
		return nil
	}
}

// offer gives a message no lesson took to the features' message
// handlers, in order, until one takes it; it returns the engagement to
// log.
func (r *Router) offer(tx Tx, s Session) (bool, string, error) {
	for _, f := range r.features {
		for _, h := range f.Messages {
			took, err := h(tx, s)
			if err != nil {
				return false, "", err
			}
			if !took {
				continue
			}
			if f.Engage != "" {
				return true, f.Engage, nil
			}
			return true, EngageAnswer, nil
		}
	}
	return false, EngageMessage, nil
}

// pressed returns the option an event chooses: a press's, or a vote's
// when it picks exactly one.
func pressed(ev Event) (string, bool) {
	switch {
	case ev.Kind == OptionChosen:
		return ev.Option, true
	case ev.Kind == Vote && len(ev.Choices) == 1:
		return ev.Choices[0], true
	}
	return "", false
}

// option hands a press (s.Event.Option) to the handler of its prefix;
// false when there is none (a quiz's option, or a stale one).
func (r *Router) option(tx Tx, s Session) (bool, error) {
	h, ok := r.commands.option(s.Event.Option)
	if !ok {
		return false, nil
	}
	return true, h.Run(tx, s)
}

// parseCommand splits "/Lesson@HuddleBot  hand-hygiene" into "lesson" and
// ["hand-hygiene"].
func parseCommand(text string) (string, []string) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return "", nil
	}
	name := strings.TrimPrefix(fields[0], "/")
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name = name[:i]
	}
	return strings.ToLower(name), fields[1:]
}

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

// command runs the command name, refusing it where it does not work or to
// who may not use it; an unknown one is answered with the help.
func (r *Router) command(tx Tx, s Session, name string, args []string) error {
	c := r.commands.get(name)
	if c == nil {
		list, err := r.helpFor(tx, s)
		if err != nil {
			return err
		}
		return Reply(tx, s, "unknown", tr(s.Lang, "unknown", Clip("/"+name, 32))+"\n"+list)
	}
	refuse := ""
	switch {
	case c.Where == InGroup && s.Chat.Type != Group:
		refuse = "group_only"
	case c.Where == InPrivate && s.Chat.Type != Direct:
		refuse = "private_only"
	case c.Who == Staff && !r.isStaff(s.Member):
		refuse = "staff_only"
	case c.Who == Admins && !r.isStaff(s.Member) && !s.Event.SenderAdmin:
		refuse = "admin_only"
	}
	if refuse != "" {
		// Logged for the program by member number, not name or phone.
		r.log.Info("command refused", "command", c.Name, "why", refuse, "member", s.Member.ID, "channel", s.Chat.Channel)
		return Reply(tx, s, c.Name, tr(s.Lang, refuse, c.Name))
	}
	return c.Run(tx, s, args)
}

// Clip cuts s to at most n runes, the last an ellipsis when it is cut: a
// text quoted back, or kept within a platform's limit.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// cleanFile makes a photo an event carries safe before anything sees it,
// outside any transaction (a phone's 12 megapixels take most of a second
// and 180 MB, so a few at a time): turned upright, re-encoded as a JPEG
// without its metadata (EXIF with the GPS position and the camera's
// serial number), scaled and compressed (picture.Clean). One that cannot
// be read comes without its data.
func (r *Router) cleanFile(ctx context.Context, ev Event) (Event, error) {
	f := ev.File
	if f == nil || !strings.HasPrefix(f.MIMEType, "image/") || len(f.Data) == 0 {
		return ev, nil
	}
	select {
	case r.cleaning <- struct{}{}:
		defer func() { <-r.cleaning }()
	case <-ctx.Done():
		return ev, ctx.Err()
	}
	clean := File{Name: strings.TrimSuffix(f.Name, path.Ext(f.Name)) + ".jpg", MIMEType: "image/jpeg"}
	p, err := picture.Clean(ctx, f.Data, picture.PhotoLongSide, picture.PhotoBudget)
	var tooLarge *picture.TooLargeError
	switch {
	case err == nil:
		clean.Data = p.Data
	case ctx.Err() != nil:
		return ev, ctx.Err()
	case errors.As(err, &tooLarge):
		clean.Refused = &Refusal{Megapixels: (tooLarge.Pixels + 500_000) / 1_000_000, MaxMegapixels: tooLarge.Limit / 1_000_000}
		r.log.Info("a member's picture has too many pixels", "channel", ev.Channel, "message", ev.MessageID, "err", err)
	default:
		r.log.Info("a member's picture could not be read", "channel", ev.Channel, "message", ev.MessageID, "err", err)
	}
	ev.File = &clean
	return ev, nil
}
