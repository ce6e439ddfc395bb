package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Host runs the pure Engine inside the router's transactions: it loads a
// run's state from the bot.Tx, hands the engine the input, and writes the
// new state, answers, timers and messages back in the same transaction.
// It implements bot.Engine.
type Host struct {
	loc     *time.Location
	caseSvc bot.Cases
	ended   func(tx bot.EngineTx, run bot.Run) error
	// teachers is HostConfig.Teachers.
	teachers func(tx bot.CaseTx, ids []int64) (map[int64]bool, error)
	// typed is HostConfig.Typed.
	typed func(channel string) bool

	// lib is the lessons run; SetLibrary replaces it while runs go on.
	lib    atomic.Pointer[Library]
	engine *Engine
	// activeFor is how recently a member must have been seen in a group to
	// be waited for in group mode.
	activeFor time.Duration
	log       *slog.Logger

	// states keeps the last state written for each active run, with the
	// exact bytes of its document, to skip reading and decoding it and
	// its members' parts on the next input. An input takes the state out
	// while the engine changes it; a state whose transaction rolled back
	// does not match the stored bytes (each save changes State.Rev), and
	// is read afresh.
	mu     sync.Mutex
	states map[int64]cachedState
}

type cachedState struct {
	raw []byte
	st  *State
}

// maxCachedStates bounds the state cache.
const maxCachedStates = 10000

var _ bot.Engine = (*Host)(nil)

// HostConfig holds what a Host needs.
type HostConfig struct {
	// Library is the lessons to run; Engine runs them (a zero Engine by
	// default).
	Library *Library
	Engine  *Engine
	// Location is the time zone of lesson schedules; UTC when nil.
	Location *time.Location
	// Cases opens the case discussions of discuss steps and escalates
	// them; without it those steps only post their prompt.
	Cases bot.Cases
	// Teachers, when set, picks out of members (by id) those who teach
	// rather than learn: the programme's staff and the mentors. A group's
	// question does not wait for them, nor counts them in the group's
	// size.
	Teachers func(tx bot.CaseTx, ids []int64) (map[int64]bool, error)
	// Ended, when set, is told of a run the moment it finishes (its last
	// step done, not stopped), in the transaction that finishes it: a
	// lesson's certificate is issued then, not at a later look.
	Ended func(tx bot.EngineTx, run bot.Run) error
	// Typed, when set, says which channels' members type their answers
	// to options rather than press them (bot.Typed), by channel name.
	Typed func(channel string) bool
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// typesOptions reports whether chat's members type their answers to
// options (HostConfig.Typed).
func (h *Host) typesOptions(chat bot.Chat) bool { return h.typed != nil && h.typed(chat.Channel) }

// NewHost returns a Host running cfg.Library's lessons.
func NewHost(cfg HostConfig) *Host {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Engine == nil {
		cfg.Engine = &Engine{}
	}
	h := &Host{engine: cfg.Engine, loc: cfg.Location, caseSvc: cfg.Cases, ended: cfg.Ended, teachers: cfg.Teachers, typed: cfg.Typed, activeFor: 30 * 24 * time.Hour, log: cfg.Logger,
		states: map[int64]cachedState{}}
	h.lib.Store(cfg.Library)
	return h
}

// SetLibrary replaces the lessons, as when the lessons folder changed.
// Runs under way go on with the new version of their lesson.
func (h *Host) SetLibrary(lib *Library) { h.lib.Store(lib) }

// Library returns the lessons run now.
func (h *Host) Library() *Library { return h.lib.Load() }

// Lessons lists the loaded lessons with titles in lang.
func (h *Host) Lessons(lang string) []bot.LessonInfo {
	var out []bot.LessonInfo
	for _, l := range h.lib.Load().All() {
		out = append(out, info(l, lang))
	}
	return out
}

// Lesson describes one lesson.
func (h *Host) Lesson(id, lang string) (bot.LessonInfo, bool) {
	l, ok := h.lib.Load().Get(id)
	if !ok {
		return bot.LessonInfo{}, false
	}
	return info(l, lang), true
}

func info(l *Lesson, lang string) bot.LessonInfo {
	li := bot.LessonInfo{ID: l.ID, Title: l.Title.In(l.Lang(lang), l.Fallback()), Mode: l.Mode, Steps: len(l.Steps), PassMark: l.PassMark}
	if l.Schedule != nil {
		li.Schedule = l.Schedule.String()
	}
	return li
}

// NextStart is a scheduled lesson's first start after after, in the
// host's time zone.
func (h *Host) NextStart(id string, after time.Time) (time.Time, bool) {
	l, ok := h.lib.Load().Get(id)
	if !ok || l.Schedule == nil {
		return time.Time{}, false
	}
	loc := h.loc
	if loc == nil {
		loc = time.UTC
	}
	return l.Schedule.Next(after, loc), true
}

// Start begins a lesson in the session's chat.
func (h *Host) Start(tx bot.EngineTx, s bot.Session, id string) (int64, error) {
	l, ok := h.lib.Load().Get(id)
	if !ok {
		return 0, fmt.Errorf("start lesson %s: %w", id, bot.ErrNotFound)
	}
	run := bot.Run{LessonID: l.ID, ChatID: s.Chat.ID, StartedBy: s.Member.ID, Mode: l.Mode,
		Status: bot.RunActive, State: []byte("{}"), Started: s.Now, Updated: s.Now}
	if err := tx.CreateRun(&run); err != nil {
		return 0, fmt.Errorf("start lesson %s: %w", id, err)
	}
	// Posts to a group are in the group's language (else the lesson's
	// first); in a private chat, in the member's.
	lang := s.Chat.Lang
	if lang == "" && s.Chat.Type == bot.Direct {
		lang = s.Lang
	}
	var listErr error
	st, res := h.engine.Start(l, run.ID, lang, Input{Now: s.Now, Member: member(s), Typed: h.typesOptions(s.Chat), Members: h.members(tx, s.Chat, s.Now, &listErr), Size: h.size(tx, s.Chat, &listErr)})
	if listErr != nil {
		return 0, listErr
	}
	return run.ID, h.apply(tx, s.Chat, &run, st, res, s.Now)
}

// Offer gives a member's message or option press to the chat's active run.
func (h *Host) Offer(tx bot.EngineTx, s bot.Session) (bool, error) {
	run, err := tx.ActiveRun(s.Chat.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	l, ok := h.lib.Load().Get(run.LessonID)
	if !ok {
		return false, nil // the lesson was removed since the run began
	}
	st, err := h.load(tx, run)
	if err != nil {
		return false, err
	}
	in := Input{Kind: InputText, Member: member(s), Text: s.Event.Text, MessageID: s.Event.MessageID, PressID: s.Event.PressID, Typed: h.typesOptions(s.Chat), Now: s.Now}
	if f := s.Event.File; f != nil && strings.HasPrefix(f.MIMEType, "audio/") {
		in.Voice = f
	}
	switch s.Event.Kind {
	case bot.OptionChosen:
		in.Kind, in.Option = InputOption, s.Event.Option
	case bot.Vote:
		in.Kind, in.Choices = InputVote, s.Event.Choices
	}
	var listErr error
	in.Members = h.members(tx, s.Chat, s.Now, &listErr)
	in.Size = h.size(tx, s.Chat, &listErr)
	res := h.engine.Handle(l, st, run.ID, in)
	if listErr != nil {
		return false, listErr
	}
	if !res.Handled && len(res.Messages) == 0 {
		h.putBack(run, st) // unchanged: not an answer
		return false, nil
	}
	return res.Handled, h.apply(tx, s.Chat, &run, st, res, s.Now)
}

// Fire acts on a due timer; a stale one changes nothing.
func (h *Host) Fire(tx bot.EngineTx, t bot.Timer, now time.Time) error {
	run, err := tx.RunByID(t.RunID)
	if err != nil {
		return err
	}
	if run.Status != bot.RunActive || run.Seq != t.Seq {
		return nil
	}
	l, ok := h.lib.Load().Get(run.LessonID)
	if !ok {
		h.log.Warn("timer for a lesson no longer loaded", "run", run.ID, "lesson", run.LessonID)
		return nil
	}
	chat, err := tx.ChatByID(run.ChatID)
	if err != nil {
		return err
	}
	st, err := h.load(tx, run)
	if err != nil {
		return err
	}
	var listErr error
	in := Input{Kind: InputTimer, Seq: t.Seq, Now: now, Typed: h.typesOptions(chat), Members: h.members(tx, chat, now, &listErr), Size: h.size(tx, chat, &listErr)}
	res := h.engine.Handle(l, st, run.ID, in)
	if listErr != nil {
		return listErr
	}
	return h.apply(tx, chat, &run, st, res, now)
}

// Left tells the chat's active run that a member left the group (or was
// removed): an open question stops waiting for them, and closes at once
// when everyone else has answered.
func (h *Host) Left(tx bot.EngineTx, chat bot.Chat, memberID int64, now time.Time) error {
	run, err := tx.ActiveRun(chat.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	l, ok := h.lib.Load().Get(run.LessonID)
	if !ok {
		return nil
	}
	st, err := h.load(tx, run)
	if err != nil {
		return err
	}
	var listErr error
	in := Input{Kind: InputLeft, Member: Member{ID: memberID}, Now: now, Typed: h.typesOptions(chat), Members: h.members(tx, chat, now, &listErr), Size: h.size(tx, chat, &listErr)}
	res := h.engine.Handle(l, st, run.ID, in)
	if listErr != nil {
		return listErr
	}
	if !res.Handled && len(res.Messages) == 0 {
		h.putBack(run, st)
		return nil
	}
	return h.apply(tx, chat, &run, st, res, now)
}

// Stop ends a run early.
func (h *Host) Stop(tx bot.EngineTx, run bot.Run, now time.Time) error {
	chat, err := tx.ChatByID(run.ChatID)
	if err != nil {
		return err
	}
	st, err := h.load(tx, run)
	if err != nil {
		return err
	}
	l, ok := h.lib.Load().Get(run.LessonID)
	if !ok {
		// Stop it all the same, without a lesson to name.
		l = &Lesson{ID: run.LessonID, Title: Text{"": run.LessonID}}
	}
	res := h.engine.Stop(l, st, run.ID, now)
	return h.apply(tx, chat, &run, st, res, now)
}

// Describe says where a run stands.
func (h *Host) Describe(run bot.Run, lang string) string {
	l, ok := h.lib.Load().Get(run.LessonID)
	if !ok {
		return run.LessonID
	}
	return h.engine.Describe(l, &State{Step: run.Step}, lang)
}

func member(s bot.Session) Member {
	return Member{ID: s.Member.ID, Name: s.Member.Name, Lang: s.Member.Lang}
}

// members returns the Input.Members function for a chat: the members seen
// in it recently, but its teachers (staff and mentors), listed only if the
// engine asks. A failure to list them is
// kept in *err, for the caller to return after the engine ran.
func (h *Host) members(tx bot.CaseTx, chat bot.Chat, now time.Time, err *error) func() []int64 {
	return func() []int64 {
		ids, e := tx.ChatMemberIDs(chat.ID, now.Add(-h.activeFor))
		if e == nil && h.teachers != nil {
			var teach map[int64]bool
			if teach, e = h.teachers(tx, ids); e == nil {
				ids = slices.DeleteFunc(ids, func(id int64) bool { return teach[id] })
			}
		}
		if e != nil && *err == nil {
			*err = e
		}
		return ids
	}
}

// size returns the Size an input gives the engine: the group's size as
// its platform last said, less the teachers known to be in it (staff and
// mentors, whom a question does not wait for).
func (h *Host) size(tx bot.CaseTx, chat bot.Chat, err *error) func() int {
	return func() int {
		if chat.Type != bot.Group {
			return 0
		}
		n, e := tx.ChatSize(chat.ID)
		if e == nil && n > 0 && h.teachers != nil {
			var ids []int64
			if ids, e = tx.ChatMemberIDs(chat.ID, time.Time{}); e == nil {
				var teach map[int64]bool
				if teach, e = h.teachers(tx, ids); e == nil {
					n = max(n-len(teach), 0)
				}
			}
		}
		if e != nil && *err == nil {
			*err = e
		}
		return n
	}
}

// apply writes what the engine returned: state, answers, timers, messages.
func (h *Host) apply(tx bot.EngineTx, chat bot.Chat, run *bot.Run, st *State, res Result, now time.Time) error {
	for _, a := range res.Answers {
		a.RunID = run.ID
		if err := tx.SaveAnswer(a); err != nil {
			return err
		}
		if a.Voice == nil {
			continue
		}
		// A voice answer is kept for mentors and staff to hear.
		v := bot.Attachment{Kind: bot.AttachVoice, MIMEType: a.Voice.MIMEType, MemberID: a.MemberID, ChatID: chat.ID,
			RunID: run.ID, Step: a.Seq, Caption: strings.TrimSpace(strings.TrimPrefix(a.Value, voiceMark)), Status: bot.AttachShown,
			Created: now, Data: a.Voice.Data}
		if err := tx.SaveAttachment(&v); err != nil {
			return err
		}
	}
	for _, t := range res.Timers {
		if err := tx.AddTimer(bot.Timer{RunID: run.ID, Seq: t.Seq, Due: t.At, Channel: chat.Channel, ChatPlatformID: chat.PlatformID}); err != nil {
			return err
		}
	}
	for _, m := range res.Messages {
		out := bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Text: m.Text, Options: m.Options, Multi: m.Multi,
			ReplyTo: m.ReplyTo, React: m.React, PressID: m.PressID, File: m.File, Key: fmt.Sprintf("run:%d:%d:%s", run.ID, m.Seq, m.Tag)}
		if m.PressID != "" {
			out.Key = bot.PressKey(m.PressID) // one answer a press
		}
		if md := m.Media; md != nil && md.Kind == MediaImage && chat.LightMedia && len(md.Preview) > 0 {
			// Light on data: a small preview, the whole on request.
			out.File = md.PreviewFile()
			out.Options = append(out.Options, bot.Option{Label: h.engine.text(chat.Lang, "full_size"), Data: fullSizePrefix + md.Hash[:fullSizeKey]})
		}
		if err := tx.Enqueue(out, now); err != nil {
			return err
		}
	}
	if err := h.cases(tx, chat, run, res, now); err != nil {
		return err
	}
	// Only the members' parts that changed, then the run's document.
	if ids := st.Touched(); len(ids) > 0 {
		parts := make([]bot.RunMember, 0, len(ids))
		for _, id := range ids {
			raw, err := json.Marshal(st.Members[id])
			if err != nil {
				return fmt.Errorf("run %d member %d: %w", run.ID, id, err)
			}
			parts = append(parts, bot.RunMember{RunID: run.ID, MemberID: id, State: raw})
		}
		if err := tx.SaveRunMembers(parts); err != nil {
			return err
		}
	}
	st.Rev++
	state, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("run %d state: %w", run.ID, err)
	}
	run.State, run.Step, run.Seq, run.Updated = state, st.Step, st.Seq, now
	finishing := st.Status == statusDone && run.Status != bot.RunDone
	switch st.Status {
	case statusDone:
		run.Status, run.Finished = bot.RunDone, now
	case statusStopped:
		run.Status, run.Finished = bot.RunStopped, now
	}
	if err := tx.SaveRun(run); err != nil {
		return err
	}
	h.keep(run, st) // st is not used after this
	if finishing && h.ended != nil {
		return h.ended(tx, *run)
	}
	return nil
}

// cases opens the case discussions a result asks for, each tied to the
// message presenting it, and carries out its escalations.
func (h *Host) cases(tx bot.CaseTx, chat bot.Chat, run *bot.Run, res Result, now time.Time) error {
	if h.caseSvc == nil {
		return nil
	}
	for _, c := range res.Cases {
		// The lesson, not a member, opens it: every member's reply is a
		// peer's.
		_, err := h.caseSvc.Open(tx, chat, bot.Member{}, c.Text, bot.CaseOptions{RunID: run.ID, Queue: c.Queue,
			EscalateAfter: c.EscalateAfter, Key: fmt.Sprintf("run:%d:%d:%s", run.ID, c.Seq, c.Tag)}, now)
		if err != nil {
			return err
		}
	}
	for _, e := range res.Escalations {
		c, err := tx.LatestRunCase(run.ID)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if e.Queue != "" {
			c.Queue = e.Queue
			if err := tx.SaveCase(&c); err != nil {
				return err
			}
		}
		if e.Note != "" {
			// The lesson's note for the mentor, in the thread they get.
			if err := tx.AddCasePost(bot.CasePost{CaseID: c.ID, Kind: bot.PostReply, Text: e.Note, At: now}); err != nil {
				return err
			}
		}
		if err := h.caseSvc.Escalate(tx, c, now); err != nil {
			return err
		}
	}
	return nil
}
