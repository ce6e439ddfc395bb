package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Store is what case discussions' clock work reads and writes outside an
// event: the cases whose checks are due, and transactions.
type Store interface {
	bot.Updater
	// DueCases lists up to limit cases whose NextCheck has come.
	DueCases(ctx context.Context, now time.Time, limit int) ([]bot.Case, error)
}

// Feature plugs case discussions into the App: their commands and
// options; replies in a case's thread and mentors' answers by reply;
// edits of a case or a reply, checked as the original was; each case's
// escalation, reminders and reassignment when due; and the mentors' daily
// digest, looked for every digestEvery.
func (sv *Service) Feature(st Store, digestEvery time.Duration) bot.Feature {
	return bot.Feature{
		Name:     "cases",
		Commands: sv.commands(),
		Options:  sv.options(),
		Messages: []bot.TextHandler{asText(sv.message)},
		Engage:   bot.EngageCaseReply,
		Edits:    []bot.TextHandler{asText(sv.edited)},
		Mentors:  sv.anyMentor,
		Jobs: []bot.Job{{Name: "mentors' digests", Every: digestEvery,
			Run: func(ctx context.Context, _ bot.ChatQueue) error { return sv.Digest(ctx, st) }}},
		Checks: []bot.Check{{
			Name: "case checks",
			Due: func(ctx context.Context, now time.Time, limit int) ([]bot.Due, error) {
				cs, err := st.DueCases(ctx, now, limit)
				due := make([]bot.Due, len(cs))
				for i, c := range cs {
					due[i] = bot.Due{ID: c.ID, Turn: fmt.Sprintf("case-chat:%d", c.ChatID)}
				}
				return due, err
			},
			Do: func(tx bot.Tx, id int64, now time.Time) error {
				c, err := tx.CaseByID(id)
				if err != nil || c.NextCheck.IsZero() || c.NextCheck.After(now) {
					return err // handled already
				}
				return sv.check(tx, c, now)
			},
		}},
	}
}
