package store

import (
	"context"
	"fmt"

	"github.com/huddlebot/huddle/report"
)

// LessonRecall returns, for each question of a lesson reviewed in the
// period, how its reviews went week by week (weeks start on Monday, UTC),
// oldest first; in one group (its members' reviews) when chatID is not 0.
func (rd *Reader) LessonRecall(ctx context.Context, r report.Range, lessonID string, chatID int64) (map[string][]report.Recall, error) {
	rows, err := rd.db.QueryContext(ctx, `SELECT step_key, `+mondayOf("at")+` AS wk, COUNT(*), SUM("right") FROM review_log l
		WHERE lesson_id = ?1 AND at >= ?2 AND at < ?3
		AND (?4 = 0 OR member_id IN (SELECT member_id FROM chat_members WHERE chat_id = ?4))
		GROUP BY step_key, wk ORDER BY step_key, wk`, lessonID, ms(r.From), ms(r.To), chatID)
	if err != nil {
		return nil, fmt.Errorf("recall of lesson %s: %w", lessonID, err)
	}
	defer rows.Close()
	out := map[string][]report.Recall{}
	for rows.Next() {
		var key string
		var wk int64
		var rc report.Recall
		if err := rows.Scan(&key, &wk, &rc.Reviews, &rc.Right); err != nil {
			return nil, fmt.Errorf("recall of lesson %s: %w", lessonID, err)
		}
		rc.Week = fromMS(wk).UTC()
		out[key] = append(out[key], rc)
	}
	return out, rows.Err()
}
