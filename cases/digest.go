package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// digestAt is when, in minutes after midnight in the program's time zone,
// the day's digest goes to each mentor: from 08:00, before the day's work,
// until digestUntil (a digest missed then is not sent at noon).
const (
	digestAt    = 8 * 60
	digestUntil = 10 * 60
)

// Digest sends each mentor who has cases assigned, once a day between
// 08:00 and 10:00 in the program's time zone, privately, their cases and
// those waiting in their queues: when a case has waited overnight (one
// given to them this morning they were told of already).
func (sv *Service) Digest(ctx context.Context, st bot.Updater) error {
	now := sv.cfg.Clock.Now()
	local := now.In(sv.cfg.Location)
	today := time.Date(local.Year(), local.Month(), local.Day(), digestAt/60, digestAt%60, 0, 0, sv.cfg.Location)
	if now.Before(today) || !now.Before(today.Add((digestUntil-digestAt)*time.Minute)) {
		return nil
	}
	return st.Update(ctx, func(tx bot.Tx) error {
		mentors, err := tx.AssignedMentors()
		if err != nil {
			return err
		}
		for _, m := range mentors {
			last, err := tx.DigestSent(m.ID)
			if err != nil {
				return err
			}
			if !last.Before(today) {
				continue // sent today
			}
			dm, err := tx.DirectChatOf(m.ID)
			if errors.Is(err, bot.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			queues, err := sv.queuesOf(tx, m, "")
			if err != nil {
				return err
			}
			list, err := tx.MentorCases(m.ID, queues)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(list, func(c bot.Case) bool { return c.Status == bot.CaseAssigned && c.Assigned.Before(today) }) {
				continue // nothing of theirs waited overnight
			}
			text := sv.tr(dm.Lang, "digest_head") + sv.queueLines(tx, dm.Lang, list, now)
			if err := send(tx, dm, fmt.Sprintf("digest:%d:%s", m.ID, today.Format(time.DateOnly)), text, now); err != nil {
				return err
			}
			if err := tx.SetDigestSent(m.ID, now); err != nil {
				return err
			}
		}
		return nil
	})
}
