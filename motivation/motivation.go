// Package motivation keeps groups learning together, pseudonymously: a
// weekly summary in each group (who took part, answers, cases, and the
// streaks of weeks in a row, shown by pseudonym), badges for streaks and
// for case replies a mentor marked helpful, each announced privately to
// its member and in the group's next summary. A member who sends
// /streaks off is left out of the summaries' streaks and badges.
package motivation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
)

// Config sets the motivation service up.
type Config struct {
	// At is when the weekly summaries go out: minutes after midnight on
	// Monday in Location; 09:00 by default (after the quiet hours).
	At int
	// Quiet are the program's quiet hours, when nothing is posted; none
	// when nil.
	Quiet *bot.Hours
	// Location is the program's time zone; UTC when nil.
	Location *time.Location
	// Clock defaults to the system clock; Logger to slog.Default().
	Clock  bot.Clock
	Logger *slog.Logger
	// Texts are its texts (Messages, or a program's laid over them);
	// the built-in ones when nil.
	Texts *catalog.Catalog
}

// Service runs summaries and badges.
type Service struct {
	texts *catalog.Catalog
	cfg   Config

	mu      sync.Mutex
	badged  time.Time // the last week whose streak badges were given
	helpful map[int64]int
}

// New returns the motivation service.
func New(cfg Config) *Service {
	if cfg.At == 0 {
		cfg.At = 9 * 60
	}
	if cfg.Quiet == nil {
		cfg.Quiet = &bot.Hours{}
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
	if cfg.Texts == nil {
		cfg.Texts = builtinTexts()
	}
	return &Service{cfg: cfg, texts: cfg.Texts}
}

// Streak badges, by weeks in a row in any group; helpful badges, by case
// replies a mentor marked helpful.
var (
	streakLevels  = []int{4, 8, 12, 26, 52}
	helpfulLevels = []int{1, 5, 10, 25}
)

// badgeName says what a badge is for, in lang: "4 weeks in a row".
func (sv *Service) badgeName(lang, badge string) string {
	kind, n, _ := strings.Cut(badge, "-")
	count, _ := strconv.Atoi(n)
	switch {
	case kind == "streak":
		return sv.tr(lang, "badge_streak", count)
	case kind == "helpful":
		return sv.texts.Count(lang, "badge_helpful", count, count)
	}
	return badge
}

// commands are /streaks and /badges.
func (sv *Service) commands() []bot.Command {
	text := sv.texts.Phrase
	return []bot.Command{
		{Name: "streaks", Gate: bot.GateCarry, Usage: text("usage_streaks"), Help: text("help_streaks"), Run: asCommand(sv.streaks)},
		{Name: "badges", Where: bot.InPrivate, Gate: bot.GateCarry, Help: text("help_badges"), Run: asCommand(sv.badges)},
	}
}

// streaks handles /streaks on and /streaks off.
func (sv *Service) streaks(tx Tx, s bot.Session, args []string) error {
	p, err := tx.ReviewPrefs(s.Member.ID)
	if err != nil {
		return err
	}
	switch {
	case len(args) > 0 && strings.EqualFold(args[0], "off"):
		p.NoStreaks = true
	case len(args) > 0 && strings.EqualFold(args[0], "on"):
		p.NoStreaks = false
	default:
		key := "streaks_are_on"
		if p.NoStreaks {
			key = "streaks_are_off"
		}
		return bot.Reply(tx, s, "streaks", sv.tr(s.Lang, key))
	}
	if err := tx.SetReviewPrefs(p); err != nil {
		return err
	}
	key := "streaks_on"
	if p.NoStreaks {
		key = "streaks_off"
	}
	return bot.Reply(tx, s, "streaks", sv.tr(s.Lang, key))
}

// badges handles /badges: the member's badges.
func (sv *Service) badges(tx Tx, s bot.Session, _ []string) error {
	list, err := tx.MemberBadges(s.Member.ID)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return bot.Reply(tx, s, "badges", sv.tr(s.Lang, "badges_none"))
	}
	var b strings.Builder
	b.WriteString(sv.tr(s.Lang, "badges_list"))
	for _, x := range list {
		fmt.Fprintf(&b, "\n🏅 %s (%s)", sv.badgeName(s.Lang, x.Badge), x.Earned.In(sv.cfg.Location).Format("2 Jan 2006"))
	}
	return bot.Reply(tx, s, "badges", b.String())
}

// award gives member id a badge now, and tells them privately.
func (sv *Service) award(tx Tx, id int64, badge string, now time.Time) error {
	won, err := tx.AwardBadge(bot.Badge{MemberID: id, Badge: badge, Earned: now})
	if err != nil || !won {
		return err
	}
	dm, err := tx.DirectChatOf(id)
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Text: sv.tr(dm.Lang, "badge_new", sv.badgeName(dm.Lang, badge)),
		Key: fmt.Sprintf("badge:%d:%s", id, badge)}, now)
}

// Tick gives the badges earned since the last look and, on Monday from
// At, last week's streak badges and each active group's summary: the
// Scheduler runs it every minute.
func (sv *Service) Tick(ctx context.Context, q bot.MotivationQueue) error {
	now := sv.cfg.Clock.Now()
	if sv.cfg.Quiet.Has(now, sv.cfg.Location) {
		return nil
	}
	if err := sv.helpfulBadges(ctx, q, now); err != nil {
		return err
	}
	local := now.In(sv.cfg.Location)
	if local.Weekday() != time.Monday || local.Hour()*60+local.Minute() < sv.cfg.At {
		return nil
	}
	week := lastWeek(now)
	if err := sv.streakBadges(ctx, q, week, now); err != nil {
		return err
	}
	for {
		due, err := q.SummaryDue(ctx, week, 100)
		if err != nil || len(due) == 0 {
			return err
		}
		for _, chat := range due {
			if err := q.Update(ctx, func(tx bot.Tx) error { return sv.summary(tx, chat, week, now) }); err != nil {
				return fmt.Errorf("summary of chat %d: %w", chat.ID, err)
			}
		}
	}
}

// lastWeek is the UTC Monday starting the week before now's, as the
// activity rollups count weeks.
func lastWeek(now time.Time) time.Time {
	u := now.UTC()
	day := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -back-7)
}

// helpfulBadges gives the badges of replies marked helpful since the
// last look.
func (sv *Service) helpfulBadges(ctx context.Context, q bot.MotivationQueue, now time.Time) error {
	counts, err := q.HelpfulCounts(ctx)
	if err != nil {
		return err
	}
	sv.mu.Lock()
	seen := sv.helpful
	sv.mu.Unlock()
	for id, n := range counts {
		if seen != nil && seen[id] == n {
			continue
		}
		err := q.Update(ctx, func(tx bot.Tx) error {
			for _, level := range helpfulLevels {
				if n >= level {
					if err := sv.award(tx, id, fmt.Sprintf("helpful-%d", level), now); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sv.mu.Lock()
	sv.helpful = counts
	sv.mu.Unlock()
	return nil
}

// streakBadges gives, once a week, the streak badges of the members
// active last week.
func (sv *Service) streakBadges(ctx context.Context, q bot.MotivationQueue, week, now time.Time) error {
	sv.mu.Lock()
	done := sv.badged.Equal(week)
	sv.mu.Unlock()
	if done {
		return nil
	}
	ids, err := q.ActiveIn(ctx, week)
	if err != nil {
		return err
	}
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		err := q.Update(ctx, func(tx bot.Tx) error {
			for _, id := range batch {
				n, err := tx.ProgramStreak(id, week)
				if err != nil {
					return err
				}
				for _, level := range streakLevels {
					if n >= level {
						if err := sv.award(tx, id, fmt.Sprintf("streak-%d", level), now); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sv.mu.Lock()
	sv.badged = week
	sv.mu.Unlock()
	return nil
}

// maxStreaks is how many streaks a summary names.
const maxStreaks = 5

// summary posts chat's summary of week, once.
func (sv *Service) summary(tx Tx, chat bot.Chat, week, now time.Time) error {
	if first, err := tx.MarkSummary(chat.ID, week); err != nil || !first {
		return err
	}
	g, err := tx.GroupWeek(chat.ID, week)
	if err != nil {
		return err
	}
	streaks, err := tx.GroupStreaks(chat.ID, week)
	if err != nil {
		return err
	}
	badges, err := tx.GroupBadges(chat.ID, week)
	if err != nil {
		return err
	}
	lang := chat.Lang
	var b strings.Builder
	if g.Active == 1 {
		b.WriteString(sv.tr(lang, "summary_head_one"))
	} else {
		b.WriteString(sv.tr(lang, "summary_head", g.Active))
	}
	if g.Answers > 0 {
		b.WriteString(" " + sv.tr(lang, "summary_answers", g.Answers, (100*g.Correct+g.Answers/2)/g.Answers))
	}
	if g.Cases > 0 {
		b.WriteString(" " + sv.tr(lang, "summary_cases", g.Cases))
	}
	if len(streaks) > 0 {
		parts := make([]string, 0, maxStreaks)
		for _, s := range streaks[:min(len(streaks), maxStreaks)] {
			parts = append(parts, fmt.Sprintf("%s %d", s.Pseudonym, s.Weeks))
		}
		b.WriteString("\n" + sv.tr(lang, "summary_streaks", strings.Join(parts, ", ")))
	}
	if len(badges) > 0 {
		parts := make([]string, 0, len(badges))
		for _, x := range badges {
			parts = append(parts, fmt.Sprintf("%s (%s)", x.Pseudonym, sv.badgeName(lang, x.Badge)))
		}
		b.WriteString("\n" + sv.tr(lang, "summary_badges", strings.Join(parts, ", ")))
	}
	if len(streaks) > 0 || len(badges) > 0 {
		b.WriteString("\n" + sv.tr(lang, "summary_opt_out"))
	}
	return tx.Enqueue(bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Text: b.String(),
		Key: fmt.Sprintf("summary:%d:%d", chat.ID, week.UnixMilli())}, now)
}
