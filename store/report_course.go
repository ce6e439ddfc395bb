package store

import (
	"context"
	"fmt"

	"github.com/huddlebot/huddle/report"
)

// maxCohorts bounds the cohorts a course page lists: the newest.
const maxCohorts = 50

// CourseCohorts lists a course's cohorts, newest first, each with its
// lessons and its group's members' scores in them.
func (rd *Reader) CourseCohorts(ctx context.Context, courseID string) ([]report.Cohort, error) {
	rows, err := rd.db.QueryContext(ctx, `SELECT h.id, h.chat_id, c.title, h.started_at, COALESCE(h.ended_at, 0), h.stopped
		FROM cohorts h JOIN chats c ON c.id = h.chat_id WHERE h.course_id = ? ORDER BY h.started_at DESC, h.id DESC LIMIT ?`,
		courseID, maxCohorts)
	if err != nil {
		return nil, fmt.Errorf("cohorts of course %s: %w", courseID, err)
	}
	var out []report.Cohort
	for rows.Next() {
		var h report.Cohort
		var started, ended int64
		if err := rows.Scan(&h.ID, &h.ChatID, &h.Group, &started, &ended, &h.Stopped); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cohorts of course %s: %w", courseID, err)
		}
		h.Started = fromMS(started)
		if ended != 0 {
			h.Ended = fromMS(ended)
		}
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := rd.cohortDetail(ctx, &out[i]); err != nil {
			return nil, fmt.Errorf("cohort %d of course %s: %w", out[i].ID, courseID, err)
		}
	}
	return out, nil
}

// cohortDetail fills a cohort's lessons and members.
func (rd *Reader) cohortDetail(ctx context.Context, h *report.Cohort) error {
	rows, err := rd.db.QueryContext(ctx, `SELECT l.lesson_id, l.opens_at, COALESCE(l.run_id, 0), COALESCE(r.status, '')
		FROM cohort_lessons l LEFT JOIN runs r ON r.id = l.run_id WHERE l.cohort_id = ? ORDER BY l.position`, h.ID)
	if err != nil {
		return err
	}
	position := map[int64]int{} // run id -> lesson position
	for rows.Next() {
		var l report.CohortLesson
		var opens int64
		if err := rows.Scan(&l.LessonID, &opens, &l.RunID, &l.Status); err != nil {
			rows.Close()
			return err
		}
		l.Opens = fromMS(opens)
		if l.RunID != 0 {
			position[l.RunID] = len(h.Lessons)
		}
		h.Lessons = append(h.Lessons, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The group's members, and anyone who answered in its runs or has an
	// outcome (a member who left the group since).
	rows, err = rd.db.QueryContext(ctx, `SELECT m.id, m.name, COALESCE(m.pseudonym, ''),
			COALESCE(o.took, -1), COALESCE(o.passed_lessons, 0), COALESCE(o.passed, 0),
			COALESCE((SELECT code FROM certificates WHERE member_id = m.id AND cohort_id = ?1), '')
		FROM members m LEFT JOIN course_results o ON o.cohort_id = ?1 AND o.member_id = m.id
		WHERE m.id IN (SELECT member_id FROM chat_members WHERE chat_id = ?2
			UNION SELECT member_id FROM course_results WHERE cohort_id = ?1
			UNION SELECT a.member_id FROM answers a JOIN cohort_lessons l ON l.run_id = a.run_id WHERE l.cohort_id = ?1)
		ORDER BY m.id`, h.ID, h.ChatID)
	if err != nil {
		return err
	}
	index := map[int64]int{}
	for rows.Next() {
		m := report.CohortMember{Scores: make([]report.LessonScore, len(h.Lessons))}
		var o report.CourseOutcome
		if err := rows.Scan(&m.MemberID, &m.Name, &m.Pseudonym, &o.Took, &o.Lessons, &o.Passed, &m.Certificate); err != nil {
			rows.Close()
			return err
		}
		if o.Took >= 0 {
			m.Outcome = &o
		}
		index[m.MemberID] = len(h.Members)
		h.Members = append(h.Members, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = rd.db.QueryContext(ctx, `SELECT a.run_id, a.member_id, COUNT(CASE WHEN a.value <> '' THEN 1 END), SUM(a.points), SUM(a.max_points)
		FROM answers a JOIN cohort_lessons l ON l.run_id = a.run_id
		WHERE l.cohort_id = ? AND a.max_points > 0 GROUP BY a.run_id, a.member_id`, h.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var run, member int64
		var s report.LessonScore
		if err := rows.Scan(&run, &member, &s.Answered, &s.Points, &s.Max); err != nil {
			return err
		}
		if i, ok := index[member]; ok {
			h.Members[i].Scores[position[run]] = s
		}
	}
	return rows.Err()
}

// Courses computes each course's figures for a period: the courses any
// group started, ended or took, by id.
func (rd *Reader) Courses(ctx context.Context, r report.Range) ([]report.CourseFigures, error) {
	from, to := ms(r.From), ms(r.To)
	rows, err := rd.db.QueryContext(ctx, `
		SELECT course_id,
			COUNT(CASE WHEN started_at >= ?1 AND started_at < ?2 THEN 1 END),
			COUNT(CASE WHEN started_at < ?2 AND (ended_at IS NULL OR ended_at >= ?2) THEN 1 END),
			COUNT(CASE WHEN ended_at >= ?1 AND ended_at < ?2 AND stopped = 0 THEN 1 END),
			COALESCE((SELECT COUNT(*) FROM course_results o JOIN cohorts x ON x.id = o.cohort_id
				WHERE x.course_id = h.course_id AND o.at >= ?1 AND o.at < ?2 AND o.took > 0), 0),
			COALESCE((SELECT COUNT(*) FROM course_results o JOIN cohorts x ON x.id = o.cohort_id
				WHERE x.course_id = h.course_id AND o.at >= ?1 AND o.at < ?2 AND o.passed = 1), 0),
			COALESCE((SELECT COUNT(*) FROM certificates c WHERE c.course_id = h.course_id AND c.issued_at >= ?1 AND c.issued_at < ?2), 0),
			COALESCE((SELECT SUM(hours) FROM certificates c WHERE c.course_id = h.course_id AND c.issued_at >= ?1 AND c.issued_at < ?2), 0)
		FROM cohorts h WHERE started_at < ?2 AND (ended_at IS NULL OR ended_at >= ?1)
		GROUP BY course_id ORDER BY course_id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("course figures: %w", err)
	}
	defer rows.Close()
	var out []report.CourseFigures
	for rows.Next() {
		var c report.CourseFigures
		if err := rows.Scan(&c.CourseID, &c.Started, &c.Running, &c.Ended, &c.TookPart, &c.Passed, &c.Certificates, &c.Hours); err != nil {
			return nil, fmt.Errorf("course figures: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
