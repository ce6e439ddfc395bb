package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/report"
)

// LearningEvents calls fn for every learning event at or after since and
// before until, oldest first, reading them a row at a time.
func (rd *Reader) LearningEvents(ctx context.Context, since, until time.Time, fn func(report.LearningEvent) error) error {
	rows, err := rd.db.QueryContext(ctx, `
		SELECT 'answered', a.member_id, r.chat_id, a.answered_at, a.run_id, r.lesson_id, a.step_id, a.seq, a.value, a.correct,
			a.points, a.max_points, 0, 0, '', 0, '', '', 0
		FROM answers a JOIN runs r ON r.id = a.run_id
		WHERE a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> ''
		UNION ALL
		SELECT 'completed', a.member_id, r.chat_id, r.finished_at, r.id, r.lesson_id, '', 0, '', 0,
			SUM(a.points), SUM(a.max_points), 0, 0, '', 0, '', '', 0
		FROM runs r JOIN answers a ON a.run_id = r.id
		WHERE r.status = 'done' AND r.finished_at >= ?1 AND r.finished_at < ?2 AND a.max_points > 0
		GROUP BY r.id, a.member_id
		UNION ALL
		SELECT CASE p.kind WHEN 'answer' THEN 'responded' ELSE 'commented' END, p.member_id, c.chat_id, p.at,
			0, '', '', 0, '', 0, 0, 0, p.case_id, p.id, '', 0, '', '', 0
		FROM case_posts p JOIN cases c ON c.id = p.case_id
		WHERE p.at >= ?1 AND p.at < ?2 AND p.member_id IS NOT NULL
		UNION ALL
		SELECT 'course', o.member_id, h.chat_id, o.at, 0, '', '', 0, '', o.passed,
			o.passed_lessons, (SELECT COUNT(*) FROM cohort_lessons l WHERE l.cohort_id = h.id), 0, 0, h.course_id, h.id, '', '', 0
		FROM course_results o JOIN cohorts h ON h.id = o.cohort_id
		WHERE o.at >= ?1 AND o.at < ?2 AND o.took > 0
		UNION ALL
		SELECT 'certified', c.member_id, COALESCE(h.chat_id, 0), c.issued_at, 0, c.lesson_id, '', 0, '', 1, 0, 0, 0, 0,
			c.course_id, COALESCE(c.cohort_id, 0), c.code, c.title, c.hours
		FROM certificates c LEFT JOIN cohorts h ON h.id = c.cohort_id
		WHERE c.issued_at >= ?1 AND c.issued_at < ?2
		ORDER BY 4, 1, 2, 5, 8, 13, 14, 16, 17`, ms(since), ms(until))
	if err != nil {
		return fmt.Errorf("learning events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e       report.LearningEvent
			at      int64
			correct sql.NullBool
		)
		if err := rows.Scan(&e.Kind, &e.MemberID, &e.ChatID, &at, &e.RunID, &e.LessonID, &e.StepKey, &e.Seq, &e.Response,
			&correct, &e.Points, &e.MaxPoints, &e.CaseID, &e.PostID, &e.CourseID, &e.CohortID, &e.Code, &e.Title, &e.Hours); err != nil {
			return fmt.Errorf("learning events: %w", err)
		}
		e.At, e.Correct = fromMS(at), correct.Bool
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
