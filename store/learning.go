package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Learning event kinds.
const (
	// EventAnswered is a quiz answer with its score.
	EventAnswered = "answered"
	// EventCompleted is a member's part in a finished lesson run, with the
	// member's score over it.
	EventCompleted = "completed"
	// EventCommented is a reply in a case's thread.
	EventCommented = "commented"
	// EventResponded is a mentor's answer to a case.
	EventResponded = "responded"
)

// LearningEvent is one thing a member did that learning records report.
type LearningEvent struct {
	Kind     string
	MemberID int64
	ChatID   int64
	At       time.Time
	// Lessons: the run, lesson and step (answers), the answer given and
	// its score; for EventCompleted, the member's totals over the run.
	RunID     int64
	LessonID  string
	StepKey   string
	Seq       int
	Response  string
	Correct   bool
	Points    float64
	MaxPoints float64
	// Cases: the case and the post.
	CaseID int64
	PostID int64
}

// LearningEvents calls fn for every learning event at or after since and
// before until, oldest first, reading them a row at a time.
func (rd *Reader) LearningEvents(ctx context.Context, since, until time.Time, fn func(LearningEvent) error) error {
	rows, err := rd.db.QueryContext(ctx, `
		SELECT 'answered', a.member_id, r.chat_id, a.answered_at, a.run_id, r.lesson_id, a.step_id, a.seq, a.value, a.correct,
			a.points, a.max_points, 0, 0
		FROM answers a JOIN runs r ON r.id = a.run_id
		WHERE a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> ''
		UNION ALL
		SELECT 'completed', a.member_id, r.chat_id, r.finished_at, r.id, r.lesson_id, '', 0, '', 0,
			SUM(a.points), SUM(a.max_points), 0, 0
		FROM runs r JOIN answers a ON a.run_id = r.id
		WHERE r.status = 'done' AND r.finished_at >= ?1 AND r.finished_at < ?2 AND a.max_points > 0
		GROUP BY r.id, a.member_id
		UNION ALL
		SELECT CASE p.kind WHEN 'answer' THEN 'responded' ELSE 'commented' END, p.member_id, c.chat_id, p.at,
			0, '', '', 0, '', 0, 0, 0, p.case_id, p.id
		FROM case_posts p JOIN cases c ON c.id = p.case_id
		WHERE p.at >= ?1 AND p.at < ?2 AND p.member_id IS NOT NULL
		ORDER BY 4, 1, 2, 5, 8`, ms(since), ms(until))
	if err != nil {
		return fmt.Errorf("learning events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e       LearningEvent
			at      int64
			correct sql.NullBool
		)
		if err := rows.Scan(&e.Kind, &e.MemberID, &e.ChatID, &at, &e.RunID, &e.LessonID, &e.StepKey, &e.Seq, &e.Response,
			&correct, &e.Points, &e.MaxPoints, &e.CaseID, &e.PostID); err != nil {
			return fmt.Errorf("learning events: %w", err)
		}
		e.At, e.Correct = fromMS(at), correct.Bool
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
