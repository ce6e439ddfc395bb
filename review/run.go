package review

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
)

// batch is how many wrong answers, due cards or members one read brings.
const batch = 500

// nudgeEvery is how often members away are looked for: a nudge needs no
// minute's precision, and the look reads every membership.
const nudgeEvery = 15 * time.Minute

// Tick makes cards of the wrong answers since the last look, sends the
// cards due now, and nudges the members away too long: the Scheduler runs
// it every minute. A process starting anew reads the wrong answers from
// the first (each is applied once, so nothing changes twice).
func (sv *Service) Tick(ctx context.Context, q bot.ReviewQueue) error {
	sv.mu.Lock()
	after := sv.scanned
	sv.mu.Unlock()
	after, err := inBatches(ctx, q, after, func(after bot.WrongAnswer) ([]bot.WrongAnswer, error) {
		return q.WrongAnswers(ctx, after, batch)
	}, sv.missed)
	sv.mu.Lock()
	sv.scanned = after
	sv.mu.Unlock()
	if err != nil {
		return err
	}
	now := sv.cfg.Clock.Now()
	// Cards left unsent (their member's hours, the day's limit) are passed
	// over by the cursor, and do not hold up the rest.
	_, err = inBatches(ctx, q, bot.ReviewCard{}, func(after bot.ReviewCard) ([]bot.ReviewCard, error) {
		return q.DueReviews(ctx, now, after, batch)
	}, func(tx Tx, c bot.ReviewCard) error { return sv.send(tx, c, now) })
	if err != nil || sv.cfg.Inactive <= 0 {
		return err
	}
	sv.mu.Lock()
	skip := now.Sub(sv.nudgeLook) < nudgeEvery && !sv.nudgeLook.IsZero()
	if !skip {
		sv.nudgeLook = now
	}
	sv.mu.Unlock()
	if skip {
		return nil
	}
	_, err = inBatches(ctx, q, int64(0), func(after int64) ([]int64, error) {
		return q.Inactive(ctx, now.Add(-sv.cfg.Inactive), after, batch)
	}, func(tx Tx, id int64) error { return sv.nudge(tx, id, now) })
	return err
}

// inBatches reads items after a cursor, a batch at a time, and handles
// each batch in one transaction, until a batch comes back short. It
// returns the cursor: the last item handled.
func inBatches[T any](ctx context.Context, q bot.Updater, after T, read func(after T) ([]T, error), handle func(Tx, T) error) (T, error) {
	for {
		items, err := read(after)
		if err != nil || len(items) == 0 {
			return after, err
		}
		err = q.Update(ctx, func(tx bot.Tx) error {
			for _, it := range items {
				if err := handle(tx, it); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return after, err
		}
		after = items[len(items)-1]
		if len(items) < batch {
			return after, nil
		}
	}
}

// inHours reports whether now is within a member's hours: theirs when
// they chose, the program's otherwise.
func (sv *Service) inHours(p bot.ReviewPrefs, now time.Time) bool {
	from, to := p.From, p.To
	if from == 0 && to == 0 {
		from, to = sv.cfg.From, sv.cfg.To
	}
	local := now.In(sv.loc(p))
	m := local.Hour()*60 + local.Minute()
	return from <= m && m < to
}

// loc is the time zone a member's hours are read in: theirs, else the
// program's.
func (sv *Service) loc(p bot.ReviewPrefs) *time.Location {
	if p.TimeZone != "" {
		if loc, err := time.LoadLocation(p.TimeZone); err == nil {
			return loc
		}
	}
	return sv.cfg.Location
}

// nudge sends member id one nudge now, if it is within their hours.
func (sv *Service) nudge(tx Tx, id int64, now time.Time) error {
	p, err := tx.ReviewPrefs(id)
	if err != nil || p.NoNudges || !sv.inHours(p, now) {
		return err
	}
	dm, err := tx.DirectChatOf(id)
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	key := fmt.Sprintf("nudge:%d:%d", id, now.UnixMilli())
	if err := tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Text: sv.tr(dm.Lang, "nudge"), Key: key}, now); err != nil {
		return err
	}
	p.Nudged = now
	return tx.SetReviewPrefs(p)
}

// missed applies one wrong answer to its card: a new card, or one moved
// back. An answer is applied once (a card changed at or after it is left
// alone), so a read may repeat.
func (sv *Service) missed(tx Tx, w bot.WrongAnswer) error {
	c := bot.ReviewCard{MemberID: w.MemberID, LessonID: w.LessonID, StepKey: w.StepKey}
	if _, _, ok := sv.question(c, ""); !ok {
		return nil // the lesson or the question is gone
	}
	old, err := tx.ReviewCard(w.MemberID, w.LessonID, w.StepKey)
	switch {
	case err == nil:
		if !old.Updated.Before(w.At) {
			return nil // applied already
		}
		c = old
	case !errors.Is(err, bot.ErrNotFound):
		return err
	}
	if c, err = sv.rate(c, false, w.At); err != nil {
		return err
	}
	return tx.SaveReviewCard(c)
}

// send sends card c now to the member's private chat, if they review, it
// is within their hours, no other card awaits their answer, and the day's
// limit allows.
func (sv *Service) send(tx Tx, c bot.ReviewCard, now time.Time) error {
	p, err := tx.ReviewPrefs(c.MemberID)
	if err != nil || !p.On || !sv.inHours(p, now) {
		return err
	}
	if _, err := tx.PendingReview(c.MemberID); err == nil {
		return nil // one question at a time
	} else if !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	loc := sv.loc(p)
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	if n, err := tx.ReviewsSentSince(c.MemberID, midnight); err != nil || n >= sv.cfg.PerDay {
		return err
	}
	dm, err := tx.DirectChatOf(c.MemberID)
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	lang := dm.Lang
	q, title, ok := sv.question(c, lang)
	if !ok {
		return nil // the lesson or question is gone
	}
	var b strings.Builder
	b.WriteString(sv.tr(lang, "review_head", title))
	b.WriteString("\n\n❓ ")
	b.WriteString(q.Text)
	key := fmt.Sprintf("review:%d:%s:%s:%d", c.MemberID, c.LessonID, c.StepKey, c.Due.UnixMilli())
	// A picture quiz's pictures come first, each labelled by its letter.
	for i, p := range q.Pictures {
		if p == nil {
			continue
		}
		if err := tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, File: p, Text: q.Labels[i][:1],
			Key: fmt.Sprintf("%s:opt%d", key, i+1)}, now); err != nil {
			return err
		}
	}
	var opts []bot.Option
	for i, o := range q.Options {
		label, line := flows.OptionLabel(i, o), fmt.Sprintf("%d. %s", i+1, o)
		if q.Pictures != nil {
			label, line = q.Labels[i], q.Labels[i]
		}
		b.WriteString("\n" + line)
		if !q.Multi {
			// One press answers; several options are typed ("1 3").
			opts = append(opts, bot.Option{Label: label, Data: fmt.Sprintf("%s%d", optionPrefix, i)})
		}
	}
	b.WriteString("\n\n")
	b.WriteString(sv.tr(lang, sv.prompt(q, dm.Channel)))
	if err := tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Text: b.String(), Options: opts, Key: key}, now); err != nil {
		return err
	}
	c.Sent, c.LastSent = now, now
	return tx.SaveReviewCard(c)
}
