package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/huddlebot/huddle/report"
)

// LessonCounts lists the lessons run in the period (in one group with
// chatID, or in all), most started first.
func (rd *Reader) LessonCounts(ctx context.Context, r report.Range, chatID int64) ([]report.LessonCount, error) {
	rows, err := rd.db.QueryContext(ctx, `
		SELECT r.lesson_id,
			COUNT(CASE WHEN r.started_at >= ?1 AND r.started_at < ?2 THEN 1 END),
			COUNT(CASE WHEN r.status = 'done' AND r.finished_at >= ?1 AND r.finished_at < ?2 THEN 1 END)
		FROM runs r JOIN chats c ON c.id = r.chat_id
		WHERE (?3 = 0 OR r.chat_id = ?3) AND r.started_at < ?2 AND (r.finished_at IS NULL OR r.finished_at >= ?1)
		GROUP BY r.lesson_id ORDER BY 2 DESC, 1`, ms(r.From), ms(r.To), chatID)
	if err != nil {
		return nil, fmt.Errorf("lesson counts: %w", err)
	}
	defer rows.Close()
	var out []report.LessonCount
	for rows.Next() {
		var l report.LessonCount
		if err := rows.Scan(&l.LessonID, &l.Started, &l.Finished); err != nil {
			return nil, fmt.Errorf("lesson counts: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// lessonScope is the WHERE clause that picks a lesson's answers in a
// period and maybe a group: ?1 lesson, ?2 from, ?3 to, ?4 chat or 0.
const lessonScope = `r.lesson_id = ?1 AND a.answered_at >= ?2 AND a.answered_at < ?3 AND (?4 = 0 OR r.chat_id = ?4)`

// LessonSteps returns the figures of each step of a lesson that members
// answered, by step key.
func (rd *Reader) LessonSteps(ctx context.Context, r report.Range, lessonID string, chatID int64) (map[string]*report.StepFigures, error) {
	args := []any{lessonID, ms(r.From), ms(r.To), chatID}
	out := make(map[string]*report.StepFigures)
	get := func(k string) *report.StepFigures {
		if out[k] == nil {
			out[k] = &report.StepFigures{Key: k}
		}
		return out[k]
	}
	rows, err := rd.db.QueryContext(ctx, `
		WITH given AS (
			SELECT a.member_id, a.step_id, a.correct,
				ROW_NUMBER() OVER (PARTITION BY a.member_id, a.step_id ORDER BY a.answered_at, a.seq) AS n
			FROM answers a JOIN runs r ON r.id = a.run_id
			WHERE `+lessonScope+` AND a.value <> '')
		SELECT step_id, COUNT(DISTINCT member_id), COUNT(CASE WHEN n = 1 THEN 1 END), COUNT(CASE WHEN n = 1 AND correct = 1 THEN 1 END) FROM given GROUP BY step_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("lesson %s steps: %w", lessonID, err)
	}
	for rows.Next() {
		var k string
		var m, tries, right int
		if err := rows.Scan(&k, &m, &tries, &right); err != nil {
			rows.Close()
			return nil, fmt.Errorf("lesson %s steps: %w", lessonID, err)
		}
		s := get(k)
		s.Members, s.FirstTries, s.FirstRight = m, tries, right
	}
	rows.Close()
	rows, err = rd.db.QueryContext(ctx, `
		SELECT a.step_id, a.value, a.correct, COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id
		WHERE `+lessonScope+` AND a.max_points > 0 AND (a.value = '' OR a.correct = 0)
			AND a.value <> '`+PurgedText+`' -- the answer is gone, not wrong in the same way
		GROUP BY a.step_id, a.value, a.correct ORDER BY a.step_id, 4 DESC, a.value`, args...)
	if err != nil {
		return nil, fmt.Errorf("lesson %s wrong answers: %w", lessonID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		var correct bool
		var n int
		if err := rows.Scan(&k, &v, &correct, &n); err != nil {
			return nil, fmt.Errorf("lesson %s wrong answers: %w", lessonID, err)
		}
		s := get(k)
		switch {
		case v == "":
			s.Missed += n
		case s.TopWrong == "":
			s.TopWrong, s.TopWrongCount = v, n
		}
	}
	return out, rows.Err()
}

// LessonScores counts finished runs' member scores in five bands: 0–19%,
// 20–39%, 40–59%, 60–79%, 80–100% of the quiz points.
func (rd *Reader) LessonScores(ctx context.Context, r report.Range, lessonID string, chatID int64) ([5]int, error) {
	var bands [5]int
	rows, err := rd.db.QueryContext(ctx, `
		SELECT b, COUNT(*) FROM (
			SELECT `+rd.db.least("4", "CAST(FLOOR(5.0 * SUM(a.points) / SUM(a.max_points)) AS INTEGER)")+` AS b
			FROM answers a JOIN runs r ON r.id = a.run_id
			WHERE r.lesson_id = ?1 AND r.status = 'done' AND r.finished_at >= ?2 AND r.finished_at < ?3
				AND (?4 = 0 OR r.chat_id = ?4) AND a.max_points > 0
			GROUP BY a.run_id, a.member_id) AS bands
		GROUP BY b`, lessonID, ms(r.From), ms(r.To), chatID)
	if err != nil {
		return bands, fmt.Errorf("lesson %s scores: %w", lessonID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var b, n int
		if err := rows.Scan(&b, &n); err != nil {
			return bands, fmt.Errorf("lesson %s scores: %w", lessonID, err)
		}
		if b >= 0 && b < len(bands) {
			bands[b] = n
		}
	}
	return bands, rows.Err()
}

// LessonPrePost computes report.PrePost for the given pre- and post-test step
// keys.
func (rd *Reader) LessonPrePost(ctx context.Context, r report.Range, lessonID string, chatID int64, pre, post []string) (report.PrePost, error) {
	var pp report.PrePost
	if len(pre) == 0 || len(post) == 0 {
		return pp, nil
	}
	args := []any{lessonID, ms(r.From), ms(r.To), chatID}
	in := func(keys []string) string {
		marks := make([]string, len(keys))
		for i, k := range keys {
			args = append(args, k)
			marks[i] = fmt.Sprintf("?%d", len(args))
		}
		return strings.Join(marks, ", ")
	}
	preIn, postIn := in(pre), in(post)
	err := rd.db.QueryRowContext(ctx, `
		SELECT COUNT(*), COALESCE(AVG(pre), 0), COALESCE(AVG(post), 0) FROM (
			SELECT AVG(CASE WHEN a.step_id IN (`+preIn+`) THEN a.correct END) AS pre,
				AVG(CASE WHEN a.step_id IN (`+postIn+`) THEN a.correct END) AS post
			FROM answers a JOIN runs r ON r.id = a.run_id
			WHERE `+lessonScope+` AND a.value <> ''
			GROUP BY a.run_id, a.member_id) AS scores
		WHERE pre IS NOT NULL AND post IS NOT NULL`, args...).Scan(&pp.Members, &pp.Pre, &pp.Post)
	if err != nil {
		return pp, fmt.Errorf("lesson %s pre/post: %w", lessonID, err)
	}
	return pp, nil
}
