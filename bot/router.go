package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
	Store  Store
	Engine Engine
	// Clock defaults to SystemClock.
	Clock Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Committed is called after every transaction that may have queued
	// outbound messages; wire it to Sender.Wake.
	Committed func()
	// TimerPoll is how often due timers are looked for; 500ms by default.
	TimerPoll time.Duration
	// Staff are told when a channel goes down, and may use staff commands.
	Staff []StaffRef
	// Location is the time zone in which start times are shown; UTC when
	// nil.
	Location *time.Location
	// Cases runs case discussions; none when nil.
	Cases Cases
	// Consent is the privacy notice members accept before anything about
	// them is recorded; nil when consent is gathered outside Huddle.
	Consent *ConsentNotice
	// Pseudonyms shows members to others by their pseudonym (see
	// Member.Pseudonym) rather than their platform name: the Session's
	// Member.Name is then the pseudonym.
	Pseudonyms bool
}

// Router takes every inbound event, in order per chat, and turns it into
// state changes and outbound messages committed together.
type Router struct {
	store     Store
	engine    Engine
	clock     Clock
	log       *slog.Logger
	committed func()
	timerPoll time.Duration
	staff     []StaffRef
	loc       *time.Location
	cases     Cases
	consent   *ConsentNotice
	pseudo    bool

	cancel context.CancelFunc
	queues *dispatcher
}

// NewRouter returns a Router; call Run to start its timers and Close (or
// cancel Run's context) to stop it.
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
	if cfg.TimerPoll <= 0 {
		cfg.TimerPoll = 500 * time.Millisecond
	}
	base, cancel := context.WithCancel(context.Background())
	return &Router{
		store:     cfg.Store,
		engine:    cfg.Engine,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		committed: cfg.Committed,
		timerPoll: cfg.TimerPoll,
		staff:     cfg.Staff,
		loc:       cfg.Location,
		cases:     cfg.Cases,
		consent:   cfg.Consent,
		pseudo:    cfg.Pseudonyms,
		cancel:    cancel,
		queues:    newDispatcher(base),
	}
}

// Run fires due timers until ctx ends, then stops the router's chat queues
// and waits for them.
func (r *Router) Run(ctx context.Context) error {
	defer r.Close()
	var mu sync.Mutex
	inflight := make(map[int64]bool)
	tick := time.NewTicker(r.timerPoll)
	defer tick.Stop()
	for {
		due, err := r.store.DueTimers(ctx, r.clock.Now(), 200)
		if err != nil && ctx.Err() == nil {
			r.log.Error("list due timers", "err", err)
		}
		for _, t := range due {
			mu.Lock()
			busy := inflight[t.ID]
			inflight[t.ID] = true
			mu.Unlock()
			if busy {
				continue
			}
			done := r.queues.submit(ctx, ChatKey(t.Channel, t.ChatPlatformID), func(ctx context.Context) error {
				return r.fire(ctx, t)
			})
			go func(id int64) {
				<-done
				mu.Lock()
				delete(inflight, id)
				mu.Unlock()
			}(t.ID)
		}
		r.startAssignments(ctx)
		r.checkCases(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// startAssignments starts the assigned lessons that are due, each in its
// chat's queue.
func (r *Router) startAssignments(ctx context.Context) {
	due, err := r.store.DueAssignments(ctx, r.clock.Now(), 100)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("list due assignments", "err", err)
		}
		return
	}
	for _, a := range due {
		done := r.queues.submit(ctx, ChatKey(a.Channel, a.ChatPlatformID), func(ctx context.Context) error {
			return r.startAssigned(ctx, a)
		})
		<-done // one at a time: the next poll must not list it again
	}
}

// checkCases acts on the cases whose timers are due, each in its chat's
// queue.
func (r *Router) checkCases(ctx context.Context) {
	if r.cases == nil {
		return
	}
	due, err := r.store.DueCases(ctx, r.clock.Now(), 100)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("list due cases", "err", err)
		}
		return
	}
	for _, c := range due {
		chat := c.ChatID
		done := r.queues.submit(ctx, fmt.Sprintf("case-chat:%d", chat), func(ctx context.Context) error {
			now := r.clock.Now()
			err := r.store.Update(ctx, func(tx Tx) error {
				cur, err := tx.CaseByID(c.ID)
				if err != nil || cur.NextCheck.IsZero() || cur.NextCheck.After(now) {
					return err // handled already
				}
				return r.cases.Check(tx, cur, now)
			})
			if err == nil {
				r.committed()
			} else if ctx.Err() == nil {
				r.log.Error("check case", "case", c.ID, "err", err)
			}
			return err
		})
		<-done
	}
}

// missedStart is how late an assigned lesson may still start: after a
// longer outage the slot is skipped rather than the lesson posted at an odd
// hour.
const missedStart = time.Hour

// startAssigned starts one due assignment and moves it to its next time.
func (r *Router) startAssigned(ctx context.Context, a Assignment) error {
	now := r.clock.Now()
	err := r.store.Update(ctx, func(tx Tx) error {
		next, ok := r.engine.NextStart(a.LessonID, now)
		if !ok {
			// The lesson lost its schedule (or was removed): nothing more
			// to start.
			_, err := tx.Unassign(a.ChatID, a.LessonID)
			return err
		}
		if moved, err := tx.AdvanceAssignment(a.ID, a.Next, next); err != nil || !moved {
			return err
		}
		if now.Sub(a.Next) > missedStart {
			r.log.Warn("assigned lesson skipped: its start passed while huddle was down", "lesson", a.LessonID, "chat", a.ChatID, "was_due", a.Next)
			return nil
		}
		chat, err := tx.ChatByID(a.ChatID)
		if err != nil {
			return err
		}
		if _, err := tx.ActiveRun(chat.ID); err == nil {
			r.log.Info("assigned lesson skipped: another lesson is running", "lesson", a.LessonID, "chat", a.ChatID)
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		s := Session{Chat: chat, Member: Member{ID: a.AssignedBy}, Lang: chat.Lang, Now: now,
			Event: Event{ID: fmt.Sprintf("assign:%d:%d", a.ID, a.Next.UnixMilli()), Channel: chat.Channel, ChatID: chat.PlatformID, ChatType: chat.Type}}
		return r.engine.Start(tx, s, a.LessonID)
	})
	if err == nil {
		r.committed()
	} else if ctx.Err() == nil {
		r.log.Error("start assigned lesson", "lesson", a.LessonID, "chat", a.ChatID, "err", err)
	}
	return err
}

// Close stops the chat queues and waits for the work under way to finish.
func (r *Router) Close() {
	r.cancel()
	r.queues.wait()
}

// fire acts on one due timer. A timer whose handling fails is marked fired
// all the same and logged, so one bad timer cannot spin forever.
func (r *Router) fire(ctx context.Context, t Timer) error {
	now := r.clock.Now()
	err := r.store.Update(ctx, func(tx Tx) error {
		first, err := tx.FireTimer(t.ID, now)
		if err != nil || !first {
			return err
		}
		return r.engine.Fire(tx, t, now)
	})
	if err != nil && ctx.Err() == nil {
		r.log.Error("fire timer", "timer", t.ID, "run", t.RunID, "err", err)
		err = r.store.Update(ctx, func(tx Tx) error {
			_, err := tx.FireTimer(t.ID, now)
			return err
		})
	}
	r.committed()
	return err
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
	now := r.clock.Now()
	if ev.Time.IsZero() {
		ev.Time = now
	}
	// gated says the sender passed the consent gate (or there is none):
	// until then nothing that names them may be stored.
	var gated bool
	err := r.store.Update(ctx, func(tx Tx) error {
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
func (r *Router) answerPress(tx Tx, ev Event, now time.Time, text string, transient bool) error {
	return tx.Enqueue(Outbound{Channel: ev.Channel, ChatID: ev.ChatID, PressID: ev.PressID, Text: text, Transient: transient,
		Key: PressKey(ev.PressID)}, now)
}

// handleIn handles ev within tx; gated is set once the sender passed the
// consent gate.
func (r *Router) handleIn(tx Tx, ev Event, now time.Time, gated *bool) error {
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
		if cmd := carried(ev); cmd != "" {
			// The command that brought the notice, now carried out.
			s.Event.Kind, s.Event.Text = Message, cmd
			return r.dispatch(tx, s)
		}
		return nil
	}
	return r.dispatch(tx, s)
}

// dispatch decides what an event is: an option press, a command, or a
// message for the active run.
func (r *Router) dispatch(tx Tx, s Session) error {
	ev := s.Event
	engage := func(kind string) error {
		return tx.LogEngagement(Engagement{MemberID: s.Member.ID, ChatID: s.Chat.ID, Kind: kind, At: s.Now})
	}
	switch {
	case ev.Late:
		// Caught up after an offline period: counted, not acted on.
		return engage(EngageMessage)
	case ev.Kind == Reaction:
		return engage(EngageReaction)
	case ev.Kind == Edited:
		return engage(EngageEdit)
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
		return r.reply(tx, s, "stale", tr(s.Lang, "option_stale"))
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
		kind := EngageMessage
		if took {
			kind = EngageAnswer
		} else if r.cases != nil {
			if took, err = r.cases.Message(tx, s); err != nil {
				return err
			}
			if took {
				kind = EngageCaseReply
			}
		}
		if err := engage(kind); err != nil {
			return err
		}
		if !took && s.Chat.Type == Direct {
			return r.reply(tx, s, "hint", tr(s.Lang, "hint"))
		}
		return nil
	}
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

// option hands a press (s.Event.Option) to the handler of its kind of
// option; false when it is none of theirs (a quiz's, or stale).
func (r *Router) option(tx Tx, s Session) (bool, error) {
	data := s.Event.Option
	switch {
	case strings.HasPrefix(data, replacePrefix) || strings.HasPrefix(data, keepPrefix):
		return true, r.replaceAnswer(tx, s)
	case isConsentOption(data):
		return true, r.consentAgain(tx, s, data)
	case data == forgetYes || data == forgetNo:
		return true, r.forgetAnswer(tx, s)
	case r.cases != nil:
		return r.cases.Option(tx, s)
	}
	return false, nil
}

// alertStaff tells every staff member on another channel that ev's
// channel is down.
func (r *Router) alertStaff(tx Tx, ev Event, now time.Time) error {
	key := "channel_down"
	if ev.Kind == ChannelNotice {
		key = "channel_notice"
		r.log.Warn("channel notice", "channel", ev.Channel, "what", ev.Text)
	} else {
		r.log.Error("channel down", "channel", ev.Channel, "why", ev.Text)
	}
	for _, st := range r.staff {
		if st.Channel == ev.Channel && ev.Kind == ChannelDown {
			continue // it cannot reach them now
		}
		err := tx.Enqueue(Outbound{
			Channel: st.Channel, ChatID: st.DirectChat(),
			Text: tr("", key, ev.Channel, ev.Text),
			Key:  "ev:" + ev.ID + ":staff:" + st.String(),
		}, now)
		if err != nil {
			return err
		}
	}
	return nil
}

// isStaff reports whether m is one of the configured staff.
func (r *Router) isStaff(m Member) bool {
	for _, st := range r.staff {
		if st.Matches(m) {
			return true
		}
	}
	return false
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

// reply queues a message to the event's chat, replying to it in groups.
// tag makes the idempotency key unique per reply to one event.
func (r *Router) reply(tx Tx, s Session, tag, text string, opts ...Option) error {
	return tx.Enqueue(r.answer(s, tag, text, opts...), s.Now)
}

// answer is the reply to s's event that reply queues, to adjust first.
func (r *Router) answer(s Session, tag, text string, opts ...Option) Outbound {
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

func (r *Router) command(tx Tx, s Session, name string, args []string) error {
	switch name {
	case "start":
		return r.reply(tx, s, "start", tr(s.Lang, "welcome", s.Member.Name)+"\n\n"+tr(s.Lang, "help"))
	case "help":
		return r.reply(tx, s, "help", tr(s.Lang, "help"))
	case "lessons":
		return r.listLessons(tx, s)
	case "lesson":
		return r.startLesson(tx, s, args)
	case "progress":
		return r.progress(tx, s)
	case "lang":
		return r.setLang(tx, s, args)
	case "assign":
		return r.assign(tx, s, args)
	case "unassign":
		return r.unassign(tx, s, args)
	case "forget":
		return r.forget(tx, s)
	case "privacy":
		return r.privacy(tx, s)
	case "name":
		return r.setName(tx, s, args)
	case "mydata":
		return r.myData(tx, s)
	default:
		if r.cases != nil {
			if handled, err := r.cases.Command(tx, s, name, args); err != nil || handled {
				return err
			}
		}
		return r.reply(tx, s, "unknown", tr(s.Lang, "unknown", Clip("/"+name, 32))+"\n"+tr(s.Lang, "help"))
	}
}

func (r *Router) listLessons(tx Tx, s Session) error {
	list := r.engine.Lessons(s.Lang)
	if len(list) == 0 {
		return r.reply(tx, s, "lessons", tr(s.Lang, "lessons_none"))
	}
	var b strings.Builder
	b.WriteString(tr(s.Lang, "lessons"))
	for _, l := range list {
		fmt.Fprintf(&b, "\n• %s: %s", l.ID, l.Title)
	}
	return r.reply(tx, s, "lessons", b.String())
}

// Option data prefixes of the replace question.
const (
	replacePrefix = "r+:"
	keepPrefix    = "r-:"
)

func (r *Router) startLesson(tx Tx, s Session, args []string) error {
	if len(args) == 0 {
		example := "hand-hygiene"
		if list := r.engine.Lessons(s.Lang); len(list) > 0 {
			example = list[0].ID
		}
		return r.reply(tx, s, "lesson", tr(s.Lang, "lesson_usage", example))
	}
	id := strings.ToLower(args[0])
	info, ok := r.engine.Lesson(id, s.Lang)
	if !ok {
		return r.reply(tx, s, "lesson", tr(s.Lang, "lesson_unknown", Clip(args[0], 40)))
	}
	if info.Mode == "direct" && s.Chat.Type == Group {
		return r.reply(tx, s, "lesson", tr(s.Lang, "direct_only", info.Title, info.ID))
	}
	run, err := tx.ActiveRun(s.Chat.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return r.engine.Start(tx, s, id)
	case err != nil:
		return err
	}
	if len(args) > 1 && strings.EqualFold(args[1], "replace") {
		if err := r.engine.Stop(tx, run, s.Now); err != nil {
			return err
		}
		return r.engine.Start(tx, s, id)
	}
	runID := strconv.FormatInt(run.ID, 10)
	question, yes := tr(s.Lang, "replace_q", r.engine.Describe(run, s.Lang), info.Title), tr(s.Lang, "replace_yes")
	if run.LessonID == id {
		// The same lesson: say that it starts again, not "replace X with X".
		question, yes = tr(s.Lang, "restart_q", r.engine.Describe(run, s.Lang)), tr(s.Lang, "restart_yes")
	}
	return r.reply(tx, s, "lesson", question,
		Option{Label: yes, Data: replacePrefix + runID + ":" + id},
		Option{Label: tr(s.Lang, "replace_no"), Data: keepPrefix + runID},
	)
}

// replaceAnswer acts on a press of the replace question's options.
func (r *Router) replaceAnswer(tx Tx, s Session) error {
	replace := strings.HasPrefix(s.Event.Option, replacePrefix)
	rest := s.Event.Option[len(replacePrefix):]
	runPart, lessonID, _ := strings.Cut(rest, ":")
	runID, _ := strconv.ParseInt(runPart, 10, 64)
	run, err := tx.ActiveRun(s.Chat.ID)
	if errors.Is(err, ErrNotFound) || (err == nil && run.ID != runID) {
		return r.reply(tx, s, "replace", tr(s.Lang, "replace_stale"))
	}
	if err != nil {
		return err
	}
	if !replace {
		return r.reply(tx, s, "replace", tr(s.Lang, "replace_kept", r.engine.Describe(run, s.Lang)))
	}
	if _, ok := r.engine.Lesson(lessonID, s.Lang); !ok {
		return r.reply(tx, s, "replace", tr(s.Lang, "replace_stale"))
	}
	if err := r.engine.Stop(tx, run, s.Now); err != nil {
		return err
	}
	return r.engine.Start(tx, s, lessonID)
}

func (r *Router) progress(tx Tx, s Session) error {
	rows, err := tx.MemberProgress(s.Member.ID)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return r.reply(tx, s, "progress", tr(s.Lang, "progress_none"))
	}
	var b strings.Builder
	b.WriteString(tr(s.Lang, "progress", s.Member.Name))
	for i, p := range rows {
		if i == 10 {
			break
		}
		title, passMark := p.LessonID, 0.0
		if info, ok := r.engine.Lesson(p.LessonID, s.Lang); ok {
			title, passMark = info.Title, info.PassMark
		}
		b.WriteString("\n• ")
		b.WriteString(tr(s.Lang, "progress_line", title, tr(s.Lang, "status_"+string(p.Status)),
			p.Correct, p.Answered, formatPoints(p.Points, p.MaxPoints)))
		if p.Missed > 0 {
			b.WriteString(tr(s.Lang, "progress_missed", p.Missed))
		}
		if p.Status == RunDone && passMark > 0 && p.MaxPoints > 0 {
			if p.Points/p.MaxPoints >= passMark {
				b.WriteString(tr(s.Lang, "progress_passed"))
			} else {
				b.WriteString(tr(s.Lang, "progress_failed", int(passMark*100+0.5)))
			}
		}
	}
	return r.reply(tx, s, "progress", b.String())
}

// Clip cuts s to at most n runes, the last an ellipsis when it is cut: a
// text quoted back, or kept within a platform's limit.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// formatPoints renders "3/4 (75%)".
func formatPoints(points, max float64) string {
	num := strconv.FormatFloat(points, 'f', -1, 64) + "/" + strconv.FormatFloat(max, 'f', -1, 64)
	if max <= 0 {
		return num
	}
	return fmt.Sprintf("%s (%d%%)", num, int(points/max*100+0.5))
}

func (r *Router) setLang(tx Tx, s Session, args []string) error {
	if len(args) == 0 {
		return r.reply(tx, s, "lang", tr(s.Lang, "lang_usage"))
	}
	code, ok := ParseLang(args[0])
	if !ok {
		return r.reply(tx, s, "lang", tr(s.Lang, "lang_bad", Clip(args[0], 16)))
	}
	if err := tx.SetMemberLang(s.Member.ID, code); err != nil {
		return err
	}
	// In a group, the first member to choose a language sets the group's
	// language for lesson posts too.
	if s.Chat.Type == Group && s.Chat.Lang == "" {
		if err := tx.SetChatLang(s.Chat.ID, code); err != nil {
			return err
		}
	}
	s.Lang = code
	name := languageNames[code]
	if name == "" {
		name = code
	}
	return r.reply(tx, s, "lang", tr(code, "lang_set", name))
}

// mayAssign reports whether the sender may assign lessons in this group:
// program staff, or the group's own admins.
func (r *Router) mayAssign(tx Tx, s Session, tag string) (bool, error) {
	if s.Chat.Type != Group {
		return false, r.reply(tx, s, tag, tr(s.Lang, "assign_group"))
	}
	if !r.isStaff(s.Member) && !s.Event.SenderAdmin {
		return false, r.reply(tx, s, tag, tr(s.Lang, "assign_refused"))
	}
	return true, nil
}

// assign handles /assign LESSON: a scheduled lesson starts by itself on
// its schedule; one without a schedule starts now. /assign alone lists the
// group's assignments.
func (r *Router) assign(tx Tx, s Session, args []string) error {
	if ok, err := r.mayAssign(tx, s, "assign"); !ok {
		return err
	}
	if len(args) == 0 {
		list, err := tx.ChatAssignments(s.Chat.ID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return r.reply(tx, s, "assign", tr(s.Lang, "assign_none"))
		}
		var b strings.Builder
		b.WriteString(tr(s.Lang, "assign_list"))
		for _, a := range list {
			title := a.LessonID
			if info, ok := r.engine.Lesson(a.LessonID, s.Lang); ok {
				title = info.Title
			}
			fmt.Fprintf(&b, "\n• %s (%s): %s", title, a.LessonID, r.when(a.Next))
		}
		return r.reply(tx, s, "assign", b.String())
	}
	id := strings.ToLower(args[0])
	info, ok := r.engine.Lesson(id, s.Lang)
	if !ok {
		return r.reply(tx, s, "assign", tr(s.Lang, "lesson_unknown", Clip(args[0], 40)))
	}
	if info.Mode == "direct" {
		return r.reply(tx, s, "assign", tr(s.Lang, "direct_only", info.Title, info.ID))
	}
	next, scheduled := r.engine.NextStart(id, s.Now)
	if !scheduled {
		return r.startLesson(tx, s, args)
	}
	if err := tx.Assign(&Assignment{ChatID: s.Chat.ID, LessonID: id, AssignedBy: s.Member.ID, Next: next}); err != nil {
		return err
	}
	return r.reply(tx, s, "assign", tr(s.Lang, "assigned", info.Title, info.Schedule, r.loc.String(), r.when(next), info.ID))
}

// unassign handles /unassign LESSON.
func (r *Router) unassign(tx Tx, s Session, args []string) error {
	if ok, err := r.mayAssign(tx, s, "unassign"); !ok {
		return err
	}
	if len(args) == 0 {
		return r.reply(tx, s, "unassign", tr(s.Lang, "unassign_usage"))
	}
	id := strings.ToLower(args[0])
	removed, err := tx.Unassign(s.Chat.ID, id)
	if err != nil {
		return err
	}
	if !removed {
		return r.reply(tx, s, "unassign", tr(s.Lang, "unassign_none", Clip(args[0], 40)))
	}
	return r.reply(tx, s, "unassign", tr(s.Lang, "unassigned", id))
}

// when shows a start time in the router's time zone: "Mon 2 Mar 08:30".
func (r *Router) when(t time.Time) string {
	return t.In(r.loc).Format("Mon 2 Jan 15:04")
}

// Options of the /forget question.
const (
	forgetYes = "fg+"
	forgetNo  = "fg-"
)

// forget asks a member, privately, whether to erase everything Huddle
// holds about them.
func (r *Router) forget(tx Tx, s Session) error {
	if s.Chat.Type != Direct {
		return r.reply(tx, s, "forget", tr(s.Lang, "forget_private"))
	}
	return r.reply(tx, s, "forget", tr(s.Lang, "forget_ask"),
		Option{Label: tr(s.Lang, "forget_yes"), Data: forgetYes}, Option{Label: tr(s.Lang, "forget_no"), Data: forgetNo})
}

// forgetAnswer erases the member who confirmed, in their private chat,
// and says so in a message the outbox drops once sent.
func (r *Router) forgetAnswer(tx Tx, s Session) error {
	if s.Event.Option == forgetNo || s.Chat.Type != Direct {
		return r.reply(tx, s, "forget", tr(s.Lang, "forget_kept"))
	}
	if err := tx.ForgetMember(s.Member.ID, s.Now); err != nil {
		return err
	}
	r.log.Info("member forgotten at their request", "member", s.Member.ID)
	if s.Event.PressID != "" {
		// The press's answer goes too, once sent: nothing of them stays.
		if err := r.answerPress(tx, s.Event, s.Now, "", true); err != nil {
			return err
		}
	}
	return tx.Enqueue(Outbound{Channel: s.Chat.Channel, ChatID: s.Chat.PlatformID, Text: tr(s.Lang, "forget_done"),
		Transient: true, Answer: true, Key: "forgotten:" + strconv.FormatInt(s.Member.ID, 10) + ":" + strconv.FormatInt(s.Now.UnixMilli(), 10)}, s.Now)
}
