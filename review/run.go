package review

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// batch is how many wrong answers or due cards one look handles.
const batch = 500

// Tick makes cards of the wrong answers since the last look, sends the
// cards due now, and nudges the members away too long: the Scheduler runs
// it every minute. A process starting anew reads the wrong answers from
// the first (each is applied once, so nothing changes twice).
func (sv *Service) Tick(ctx context.Context, q bot.ReviewQueue) error {
	if err := sv.scan(ctx, q); err != nil {
		return err
	}
	if err := sv.sendDue(ctx, q); err != nil {
		return err
	}
	return sv.nudgeInactive(ctx, q)
}

// nudgeInactive nudges, privately and once, each member not seen for
// Inactive, within their hours.
func (sv *Service) nudgeInactive(ctx context.Context, q bot.ReviewQueue) error {
	if sv.cfg.Inactive <= 0 {
		return nil
	}
	now := sv.cfg.Clock.Now()
	var after int64
	for {
		ids, err := q.Inactive(ctx, now.Add(-sv.cfg.Inactive), after, batch)
		if err != nil || len(ids) == 0 {
			return err
		}
		err = q.Update(ctx, func(tx bot.Tx) error {
			for _, id := range ids {
				if err := sv.nudge(tx, id, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || len(ids) < batch {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// nudge sends member id one nudge now, if it is within their hours.
func (sv *Service) nudge(tx bot.Tx, id int64, now time.Time) error {
	p, err := tx.ReviewPrefs(id)
	if err != nil || p.NoNudges {
		return err
	}
	from, to := p.From, p.To
	if from == 0 && to == 0 {
		from, to = sv.cfg.From, sv.cfg.To
	}
	local := now.In(sv.cfg.Location)
	if m := local.Hour()*60 + local.Minute(); m < from || m >= to {
		return nil // quiet: outside their hours
	}
	dm, err := tx.DirectChatOf(id)
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	key := fmt.Sprintf("nudge:%d:%d", id, now.UnixMilli())
	if err := tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Text: tr(dm.Lang, "nudge"), Key: key}, now); err != nil {
		return err
	}
	p.Nudged = now
	return tx.SetReviewPrefs(p)
}

// scan makes a card of each wrong answer to a choice question since the
// last scan, or moves the member's card back: an answer is applied once
// (a card changed at or after it is left alone), so a scan may repeat.
func (sv *Service) scan(ctx context.Context, q bot.ReviewQueue) error {
	for {
		sv.mu.Lock()
		after := sv.scanned
		sv.mu.Unlock()
		wrong, err := q.WrongAnswers(ctx, after, batch)
		if err != nil || len(wrong) == 0 {
			return err
		}
		err = q.Update(ctx, func(tx bot.Tx) error {
			for _, w := range wrong {
				if err := sv.missed(tx, w); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		sv.mu.Lock()
		sv.scanned = wrong[len(wrong)-1]
		sv.mu.Unlock()
		if len(wrong) < batch {
			return nil
		}
	}
}

// missed applies one wrong answer to its card.
func (sv *Service) missed(tx bot.Tx, w bot.WrongAnswer) error {
	c := bot.ReviewCard{MemberID: w.MemberID, LessonID: w.LessonID, StepKey: w.StepKey}
	if q, _, ok := sv.question(c, ""); !ok || q.Multi {
		// Not a question with one right option: not reviewed on its own
		// (a review is one press, or one vote).
		return nil
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

// sendDue sends each due card whose member reviews, within their hours,
// under the day's limit, with no other card awaiting their answer, to
// their private chat.
func (sv *Service) sendDue(ctx context.Context, q bot.ReviewQueue) error {
	now := sv.cfg.Clock.Now()
	var after bot.ReviewCard
	for {
		due, err := q.DueReviews(ctx, now, after, batch)
		if err != nil || len(due) == 0 {
			return err
		}
		err = q.Update(ctx, func(tx bot.Tx) error {
			for _, c := range due {
				if err := sv.send(tx, c, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || len(due) < batch {
			return err
		}
		after = due[len(due)-1] // those left unsent (hours, limit) are passed over
	}
}

// send sends card c now if the member's hours, limit and chat allow.
func (sv *Service) send(tx bot.Tx, c bot.ReviewCard, now time.Time) error {
	p, err := tx.ReviewPrefs(c.MemberID)
	if err != nil || !p.On {
		return err
	}
	local := now.In(sv.cfg.Location)
	minute := local.Hour()*60 + local.Minute()
	if minute < p.From || minute >= p.To {
		return nil // outside their hours: quiet
	}
	if _, err := tx.PendingReview(c.MemberID); err == nil {
		return nil // one question at a time
	} else if !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, sv.cfg.Location)
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
	b.WriteString(tr(lang, "review_head", title))
	b.WriteString("\n\n❓ ")
	b.WriteString(q.Text)
	opts := make([]bot.Option, len(q.Options))
	for i, o := range q.Options {
		label := fmt.Sprintf("%d. %s", i+1, o)
		fmt.Fprintf(&b, "\n%s", label)
		opts[i] = bot.Option{Label: label, Data: fmt.Sprintf("%s%d", optionPrefix, i)}
	}
	key := fmt.Sprintf("review:%d:%s:%s:%d", c.MemberID, c.LessonID, c.StepKey, c.Due.UnixMilli())
	if err := tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Text: b.String(), Options: opts, Key: key}, now); err != nil {
		return err
	}
	c.Sent, c.LastSent = now, now
	return tx.SaveReviewCard(c)
}
