// Package review is spaced review: every choice question a member got
// wrong in a lesson becomes a card, scheduled by FSRS (go-fsrs), that
// comes back to them privately when it is due, if they review (/review
// on): at most a few a day, within their hours, in their language. Each
// answer to a card moves it: further off when right, back to tomorrow
// when wrong. The group learns together; each member reviews alone what
// they personally missed.
//
// The same service nudges, privately and once, a member not seen in any
// chat for a while (Config.Inactive), unless they sent /nudges off.
package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
	"github.com/huddlebot/huddle/flows"
	fsrs "github.com/open-spaced-repetition/go-fsrs/v3"
)

// Config sets the review service up.
type Config struct {
	// Lessons returns the lessons in use; they change when the folder
	// does.
	Lessons func() *flows.Library
	// PerDay is the most cards sent to a member in a day; 3 by default.
	PerDay int
	// From and To are the review hours members get unless they choose
	// their own, in minutes after midnight in Location: 18:00 to 20:00 by
	// default, out of working hours and before night.
	From, To int
	// Inactive, when set, nudges a member not seen in any chat for that
	// long, once, privately, within their hours (members may turn nudges
	// off with /nudges off).
	Inactive time.Duration
	// Location is the program's time zone; UTC when nil.
	Location *time.Location
	// Clock defaults to the system clock; Logger to slog.Default().
	Clock  bot.Clock
	Logger *slog.Logger
	// Texts are its texts (Messages, or a program's laid over them);
	// the built-in ones when nil.
	Texts *catalog.Catalog
	// Typed, when set, says which channels' members type their answers
	// to options rather than press them (bot.Typed), by channel name.
	Typed func(channel string) bool
}

// Service runs spaced review.
type Service struct {
	texts *catalog.Catalog
	cfg   Config
	fsrs  *fsrs.FSRS

	mu        sync.Mutex
	scanned   bot.WrongAnswer // wrong answers up to this one are cards
	nudgeLook time.Time       // when members away were last looked for
}

// optionPrefix starts the data of a review question's options.
const optionPrefix = "rv:"

// New returns the review service.
func New(cfg Config) *Service {
	if cfg.PerDay <= 0 {
		cfg.PerDay = 3
	}
	if cfg.From == 0 && cfg.To == 0 {
		cfg.From, cfg.To = 18*60, 20*60
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p := fsrs.DefaultParam()
	// Reviews come a day apart at the least: no same-day learning steps.
	p.EnableShortTerm = false
	if cfg.Texts == nil {
		cfg.Texts = builtinTexts()
	}
	return &Service{cfg: cfg, texts: cfg.Texts, fsrs: fsrs.NewFSRS(p)}
}

// commands are /review and /nudges.
func (sv *Service) commands() []bot.Command {
	text := sv.texts.Phrase
	cmds := []bot.Command{{Name: "review", Where: bot.InPrivate, Gate: bot.GateCarry,
		Usage: text("usage_review"), Help: text("help_review"), Run: asCommand(sv.command)}}
	cmds = append(cmds, bot.Command{Name: "timezone", Where: bot.InPrivate, Gate: bot.GateCarry,
		Usage: text("usage_timezone"), Help: text("help_timezone"), Run: asCommand(sv.timezone)})
	if sv.cfg.Inactive > 0 {
		cmds = append(cmds, bot.Command{Name: "nudges", Where: bot.InPrivate, Gate: bot.GateCarry,
			Usage: text("usage_review"), Help: text("help_nudges"), Run: asCommand(sv.nudges)})
	}
	return cmds
}

// timezone handles /timezone (the zone the member's hours are read in),
// /timezone ZONE (an IANA name, such as Africa/Nairobi) and /timezone
// default (the program's).
func (sv *Service) timezone(tx Tx, s bot.Session, args []string) error {
	p, err := tx.ReviewPrefs(s.Member.ID)
	if err != nil {
		return err
	}
	switch {
	case len(args) == 0:
	case strings.EqualFold(args[0], "default"):
		p.TimeZone = ""
	default:
		loc, err := time.LoadLocation(args[0])
		if err != nil || args[0] == "" || strings.EqualFold(args[0], "local") {
			return bot.Reply(tx, s, "timezone", sv.tr(s.Lang, "timezone_unknown", bot.Clip(args[0], 40)))
		}
		p.TimeZone = loc.String()
	}
	if len(args) > 0 {
		if err := tx.SetReviewPrefs(p); err != nil {
			return err
		}
	}
	loc := sv.loc(p)
	return bot.Reply(tx, s, "timezone", sv.tr(s.Lang, "timezone_is", loc.String(), s.Now.In(loc).Format("15:04")))
}

// nudges handles /nudges on and /nudges off.
func (sv *Service) nudges(tx Tx, s bot.Session, args []string) error {
	p, err := tx.ReviewPrefs(s.Member.ID)
	if err != nil {
		return err
	}
	switch {
	case len(args) > 0 && strings.EqualFold(args[0], "off"):
		p.NoNudges = true
	case len(args) > 0 && strings.EqualFold(args[0], "on"):
		p.NoNudges = false
	default:
		key := "nudges_are_on"
		if p.NoNudges {
			key = "nudges_are_off"
		}
		return bot.Reply(tx, s, "nudges", sv.tr(s.Lang, key, days(sv.cfg.Inactive)))
	}
	if err := tx.SetReviewPrefs(p); err != nil {
		return err
	}
	if p.NoNudges {
		return bot.Reply(tx, s, "nudges", sv.tr(s.Lang, "nudges_off"))
	}
	return bot.Reply(tx, s, "nudges", sv.tr(s.Lang, "nudges_on", days(sv.cfg.Inactive)))
}

// days is d in whole days, at least one.
func days(d time.Duration) int { return max(int(d/(24*time.Hour)), 1) }

// options take the answers to review questions, pressed or voted.
func (sv *Service) options() []bot.OptionHandler {
	return []bot.OptionHandler{{Prefix: optionPrefix, Run: asOption(sv.answer)}}
}

// command handles /review, /review on [FROM-TO] and /review off.
func (sv *Service) command(tx Tx, s bot.Session, args []string) error {
	p, err := tx.ReviewPrefs(s.Member.ID)
	if err != nil {
		return err
	}
	if p.From == 0 && p.To == 0 {
		p.From, p.To = sv.cfg.From, sv.cfg.To
	}
	switch {
	case len(args) == 0:
		return bot.Reply(tx, s, "review", sv.tr(s.Lang, "review_usage", sv.cfg.PerDay, clock(p.From), clock(p.To)))
	case strings.EqualFold(args[0], "off"):
		p.On = false
		if err := tx.SetReviewPrefs(p); err != nil {
			return err
		}
		return bot.Reply(tx, s, "review", sv.tr(s.Lang, "review_off"))
	case strings.EqualFold(args[0], "on"):
		if len(args) > 1 {
			from, to, ok := parseHours(args[1])
			if !ok {
				return bot.Reply(tx, s, "review", sv.tr(s.Lang, "review_bad_hours"))
			}
			p.From, p.To = from, to
		}
		p.On = true
		if err := tx.SetReviewPrefs(p); err != nil {
			return err
		}
		return bot.Reply(tx, s, "review", sv.tr(s.Lang, "review_on", sv.cfg.PerDay, clock(p.From), clock(p.To)))
	}
	return bot.Reply(tx, s, "review", sv.tr(s.Lang, "review_usage", sv.cfg.PerDay, clock(p.From), clock(p.To)))
}

// parseHours reads "7-9" or "18:30-20" as minutes after midnight.
func parseHours(s string) (from, to int, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	from, ok1 := minuteOf(a)
	to, ok2 := minuteOf(b)
	return from, to, ok1 && ok2 && from < to
}

func minuteOf(s string) (int, bool) {
	h, m, _ := strings.Cut(strings.TrimSpace(s), ":")
	hh, err := strconv.Atoi(h)
	if err != nil || hh < 0 || hh > 24 {
		return 0, false
	}
	mm := 0
	if m != "" {
		if mm, err = strconv.Atoi(m); err != nil || mm < 0 || mm > 59 {
			return 0, false
		}
	}
	if hh == 24 && mm > 0 {
		return 0, false
	}
	return hh*60 + mm, true
}

// clock writes minutes after midnight as 18:00.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// question returns a card's question in lang, and the lesson's title.
func (sv *Service) question(c bot.ReviewCard, lang string) (flows.Question, string, bool) {
	l, ok := sv.cfg.Lessons().Get(c.LessonID)
	if !ok {
		return flows.Question{}, "", false
	}
	q, ok := l.Question(c.StepKey, lang)
	return q, l.Title.In(l.Lang(lang), l.Fallback()), ok
}

// card decodes a card's FSRS state; a new card when it has none.
func card(c bot.ReviewCard) (fsrs.Card, error) {
	if len(c.State) == 0 {
		return fsrs.NewCard(), nil
	}
	var fc fsrs.Card
	if err := json.Unmarshal(c.State, &fc); err != nil {
		return fc, fmt.Errorf("review card of member %d for %s %s: %w", c.MemberID, c.LessonID, c.StepKey, err)
	}
	return fc, nil
}

// rate moves c by a review (or a wrong answer in a lesson) at now.
func (sv *Service) rate(c bot.ReviewCard, right bool, now time.Time) (bot.ReviewCard, error) {
	fc, err := card(c)
	if err != nil {
		return c, err
	}
	rating := fsrs.Again
	if right {
		rating = fsrs.Good
	}
	fc = sv.fsrs.Next(fc, now, rating).Card
	state, err := json.Marshal(fc)
	if err != nil {
		return c, err
	}
	c.State, c.Due, c.Updated = state, fc.Due, now
	return c, nil
}

// answer grades a member's answer to their pending review question.
func (sv *Service) answer(tx Tx, s bot.Session) error {
	c, err := tx.PendingReview(s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply(tx, s, "review-stale", sv.tr(s.Lang, "review_stale"))
	}
	if err != nil {
		return err
	}
	q, _, ok := sv.question(c, s.Lang)
	pick, err := strconv.Atoi(strings.TrimPrefix(s.Event.Option, optionPrefix))
	if !ok || err != nil || pick < 0 || pick >= len(q.Options) || q.Multi {
		return bot.Reply(tx, s, "review-stale", sv.tr(s.Lang, "review_stale"))
	}
	return sv.grade(tx, s, c, q, q.Right(pick))
}

// typed grades a typed answer, sent privately, to the member's pending
// review question (one answered in numbers or words, or a choice by
// number, letter or text); a message that is no answer of its kind gets a
// hint.
func (sv *Service) typed(tx Tx, s bot.Session) (bool, error) {
	if s.Chat.Type != bot.Direct {
		return false, nil // review questions are asked privately
	}
	c, err := tx.PendingReview(s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	q, _, ok := sv.question(c, s.Lang)
	if !ok {
		return false, nil
	}
	right, ok := q.Check(s.Event.Text)
	if !ok {
		return true, bot.Reply(tx, s, "review-hint", sv.tr(s.Lang, sv.prompt(q, s.Chat.Channel)))
	}
	return true, sv.grade(tx, s, c, q, right)
}

// prompt is the key of the text saying how to answer q on channel.
func (sv *Service) prompt(q flows.Question, channel string) string {
	switch {
	case q.Kind == flows.QuestionNumber:
		return "review_number"
	case q.Kind == flows.QuestionText:
		return "review_words"
	case q.Multi:
		return "review_pick_all"
	case sv.cfg.Typed != nil && sv.cfg.Typed(channel):
		return "review_pick_one_typed" // nothing to press (SMS)
	}
	return "review_pick_one"
}

// grade moves card c by the member's answer to it, right or not, and
// tells them.
func (sv *Service) grade(tx Tx, s bot.Session, c bot.ReviewCard, q flows.Question, right bool) error {
	c, err := sv.rate(c, right, s.Now)
	if err != nil {
		return err
	}
	c.Sent = time.Time{}
	if err := tx.SaveReviewCard(c); err != nil {
		return err
	}
	if err := tx.LogReview(c, right, s.Now); err != nil {
		return err
	}
	p, err := tx.ReviewPrefs(s.Member.ID)
	if err != nil {
		return err
	}
	when := c.Due.In(sv.loc(p)).Format("2 Jan")
	text := sv.tr(s.Lang, "review_right", when)
	if !right {
		text = sv.tr(s.Lang, "review_wrong", q.Answer, when)
		if q.Explain != "" {
			text += "\n" + q.Explain
		}
	}
	return bot.Reply(tx, s, "review", text)
}
