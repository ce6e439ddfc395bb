package router

import (
	"context"
	"errors"
	"log/slog"
	"path"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
	"github.com/huddlebot/huddle/picture"
)

// Config holds what a Router needs.
type Config struct {
	Store  bot.Updater
	Engine bot.Engine
	// Clock defaults to SystemClock.
	Clock bot.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Committed is called after every transaction that may have queued
	// outbound messages; wire it to Sender.Wake.
	Committed func()
	// Staff are told when a channel goes down, and may use staff commands.
	Staff []bot.StaffRef
	// Location is the time zone in which start times are shown; UTC when
	// nil.
	Location *time.Location
	// Pseudonyms shows members to others by their pseudonym (see
	// Member.Pseudonym) rather than their platform name: the Session's
	// Member.Name is then the pseudonym.
	Pseudonyms bool
	// Features plug in their commands, option handlers, messages, edits
	// and mentors, in order: a later feature's command of the same name as
	// an earlier one (or a built-in) replaces it, but for a Fallback
	// feature's. The first with a Gatekeeper (the privacy notice) has it
	// stand in front of them all.
	Features []bot.Feature
	// Texts are the router's own (its Messages, or a program's laid over
	// them); the built-in ones when nil.
	Texts *catalog.Catalog
	// Direct, when set, is the id of a member's private chat on a channel
	// that may write first to them (bot.WritingFirst), "" on others: a
	// member seen in a group there gets their private chat at once.
	Direct func(channel, member string) string
}

// Router takes every inbound event, in order per chat, and turns it into
// state changes and outbound messages committed together.
type Router struct {
	// cleaning bounds the photos made clean at once (cleanFile): each
	// takes some 180 MB for a moment.
	cleaning  chan struct{}
	store     bot.Updater
	engine    bot.Engine
	clock     bot.Clock
	log       *slog.Logger
	committed func()
	staff     []bot.StaffRef
	loc       *time.Location
	gate      bot.Gatekeeper
	pseudo    bool
	commands  commandSet
	texts     *catalog.Catalog
	features  []bot.Feature
	direct    func(channel, member string) string

	cancel context.CancelFunc
	queues *dispatcher
}

// New returns a Router; Close (or the end of Run's context) stops
// it.
func New(cfg Config) *Router {
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
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
	if cfg.Texts == nil {
		cfg.Texts = builtinTexts()
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
		pseudo:    cfg.Pseudonyms,
		cancel:    cancel,
		queues:    newDispatcher(base),
		texts:     cfg.Texts,
		direct:    cfg.Direct,
		commands:  commandSet{texts: cfg.Texts},
	}
	start, help := r.builtins()
	r.commands.add(start)
	var fallback []bot.Feature
	for _, f := range cfg.Features {
		if r.gate == nil {
			r.gate = f.Gatekeeper
		}
		if f.Fallback {
			fallback = append(fallback, f)
			continue
		}
		r.commands.add(f.Commands...)
		r.commands.addOptions(f.Options...)
	}
	// The fallbacks (the members' rights) and /help come after the
	// features' in /help; a feature's own of the same name stands
	// instead.
	for _, f := range fallback {
		r.commands.addDefaults(f.Commands...)
		r.commands.addOptionDefaults(f.Options...)
	}
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
// what Config.Committed does. It implements Waker.
func (r *Router) Wake() { r.committed() }

// Close stops the chat queues and waits for the work under way to finish.
func (r *Router) Close() {
	r.cancel()
	r.queues.wait()
}

// HandleEvent handles ev in its chat's queue and returns once it is durably
// handled. A duplicate of an event already handled changes nothing.
func (r *Router) HandleEvent(ctx context.Context, ev bot.Event) error {
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
func (r *Router) Submit(ctx context.Context, ev bot.Event) <-chan error {
	ev = sanitize(ev)
	if err := ev.Check(); err != nil {
		// An adapter's mistake: dropped, not guessed at (its text and
		// names are not logged).
		r.log.Error("an event no channel should make: dropped", "channel", ev.Channel, "err", err)
		done := make(chan error, 1)
		done <- nil
		return done
	}
	return r.queues.submit(ctx, bot.ChatKey(ev.Channel, ev.ChatID), func(ctx context.Context) error {
		return r.handle(ctx, ev)
	})
}

// sanitize makes an event's text safe to handle: valid UTF-8, trimmed, and
// at most bot.MaxText runes.
func sanitize(ev bot.Event) bot.Event {
	ev.Text = strings.TrimSpace(strings.ToValidUTF8(ev.Text, "\uFFFD"))
	if utf8.RuneCountInString(ev.Text) > bot.MaxText {
		ev.Text = string([]rune(ev.Text)[:bot.MaxText])
	}
	if ev.ChatType != bot.Group {
		ev.ChatType = bot.Direct
	}
	if ev.Kind == "" {
		ev.Kind = bot.Message
	}
	return ev
}

func (r *Router) handle(ctx context.Context, ev bot.Event) error {
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
	err = r.store.Update(ctx, func(tx bot.Tx) error {
		gated = false
		if err := r.handleIn(tx, ev, now, &gated); err != nil {
			return err
		}
		// Every press is answered, so its button stops spinning: with the
		// handler's own answer when it gave one (same key), else nothing.
		if ev.PressID != "" {
			return bot.AnswerPress(tx, ev, now, "", !gated)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil && ev.Kind == bot.Left {
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
			key = "consent:" + bot.EventPrint(ev.ID) + ":err"
		}
		err = r.store.Update(ctx, func(tx bot.Tx) error {
			if gated {
				if _, err := tx.SeeEvent(ev.ID, now); err != nil {
					return err
				}
			}
			if ev.PressID != "" {
				if err := bot.AnswerPress(tx, ev, now, r.tr(ev.SenderLang, "sorry"), !gated); err != nil {
					return err
				}
			}
			return tx.Enqueue(bot.Outbound{
				Channel: ev.Channel, ChatID: ev.ChatID, ReplyTo: ev.MessageID,
				Text: r.tr(ev.SenderLang, "sorry"), Transient: !gated, Key: key,
			}, now)
		})
	}
	if err == nil {
		r.committed()
	}
	return err
}

// handleIn handles ev within tx; gated is set once the sender passed the
// consent gate.
func (r *Router) handleIn(tx bot.Tx, ev bot.Event, now time.Time, gated *bool) error {
	if ev.Kind == bot.Left {
		// No gate: nothing is said to them, and nothing stored of
		// someone never seen.
		*gated = true
		return r.left(tx, ev, now)
	}
	v := bot.Verdict{Pass: true}
	if r.gate != nil && ev.SenderID != "" && ev.Kind != bot.ChatMigrated && ev.Kind != bot.ChannelDown {
		var err error
		teacher := func() (bool, error) { return r.teaches(tx, ev) }
		v, err = r.gate.Admit(tx, bot.Entry{Event: ev, Now: now, Command: r.commands.get, Teacher: teacher})
		if err != nil || !v.Pass {
			return err
		}
	}
	*gated = true
	first, err := tx.SeeEvent(ev.ID, now)
	if err != nil || !first {
		return err
	}
	switch ev.Kind {
	case bot.ChatMigrated:
		return tx.MigrateChat(ev.Channel, ev.ChatID, ev.MigrateTo)
	case bot.BotRemoved, bot.BotAdded:
		return tx.SetChatRemoved(ev.Channel, ev.ChatID, ev.Kind == bot.BotRemoved, now)
	case bot.ChannelDown, bot.ChannelNotice:
		return r.alertStaff(tx, ev, now)
	}
	chat, member, err := tx.Arrive(ev, now)
	if err != nil {
		return err
	}
	if err := openDirect(tx, r.direct, chat, member, now); err != nil {
		return err
	}
	if r.pseudo && member.Pseudonym != "" {
		member.Name = member.Pseudonym
	}
	// A member who has not chosen a language gets the platform's hint.
	if member.Lang == "" {
		if hint, ok := bot.ParseLang(ev.SenderLang); ok {
			member.Lang = hint
		}
	}
	s := bot.Session{Event: ev, Chat: chat, Member: member, Lang: member.Lang, Now: now}
	if s.Lang == "" {
		s.Lang = chat.Lang
	}
	if s.Lang == "" && chat.Type == bot.Direct {
		// Privately, a member who chose no language is written to in
		// their group's.
		if s.Lang, err = tx.MemberLang(member.ID); err != nil {
			return err
		}
	}
	if v.Greet != nil {
		if err := r.welcome(tx, s, v.Greet(s.Lang)); err != nil {
			return err
		}
		if v.Then == "" {
			return nil
		}
		// The command that brought the notice, now carried out.
		s.Event.Kind, s.Event.Text = bot.Message, v.Then
	}
	return r.dispatch(tx, s)
}

// left records that a member left a group (or was removed) and tells the
// chat's run, so that a question stops waiting for them; one the bot
// never saw there counts in the group's size alone. Said twice (a service
// message and a member update), it acts once.
func (r *Router) left(tx bot.Tx, ev bot.Event, now time.Time) error {
	chat, member, _, err := tx.LeaveChat(ev, now)
	if errors.Is(err, bot.ErrNotFound) || err == nil && chat.Type != bot.Group {
		return nil
	}
	if err != nil {
		return err
	}
	return r.engine.Left(tx, chat, member, now)
}

// cleanFile makes a photo an event carries safe before anything sees it,
// outside any transaction (a phone's 12 megapixels take most of a second
// and 180 MB, so a few at a time): turned upright, re-encoded as a JPEG
// without its metadata (EXIF with the GPS position and the camera's
// serial number), scaled and compressed (picture.Clean). One that cannot
// be read comes without its data.
func (r *Router) cleanFile(ctx context.Context, ev bot.Event) (bot.Event, error) {
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
	clean := bot.File{Name: strings.TrimSuffix(f.Name, path.Ext(f.Name)) + ".jpg", MIMEType: "image/jpeg"}
	p, err := picture.Clean(ctx, f.Data, picture.PhotoLongSide, picture.PhotoBudget)
	var tooLarge *picture.TooLargeError
	switch {
	case err == nil:
		clean.Data = p.Data
	case ctx.Err() != nil:
		return ev, ctx.Err()
	case errors.As(err, &tooLarge):
		clean.Refused = &bot.Refusal{Megapixels: (tooLarge.Pixels + 500_000) / 1_000_000, MaxMegapixels: tooLarge.Limit / 1_000_000}
		r.log.Info("a member's picture has too many pixels", "channel", ev.Channel, "message", ev.MessageID, "err", err)
	default:
		r.log.Info("a member's picture could not be read", "channel", ev.Channel, "message", ev.MessageID, "err", err)
	}
	ev.File = &clean
	return ev, nil
}

// welcome greets a member the gatekeeper has just admitted, with its
// greeting: privately with the commands' hint, in a group in a line, to
// the member alone when they pressed (a group of two hundred accepting
// is not two hundred messages).
func (r *Router) welcome(tx bot.Tx, s bot.Session, greeting string) error {
	switch {
	case s.Chat.Type == bot.Direct:
		return bot.Reply(tx, s, "welcome", greeting+"\n\n"+r.tr(s.Lang, "welcome", s.Member.Name)+"\n\n"+r.tr(s.Lang, "hint"))
	case s.Event.PressID != "":
		return bot.AnswerPress(tx, s.Event, s.Now, greeting, false)
	}
	return bot.Reply(tx, s, "welcome", greeting)
}
