package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"golang.org/x/text/unicode/norm"
)

// StartCohort records a new cohort with its lessons.
func (t *Tx) StartCohort(c *bot.Cohort, lessons []bot.CohortLesson) error {
	err := t.row(`INSERT INTO cohorts (chat_id, course_id, started_by, started_at) VALUES (?, ?, ?, ?) RETURNING id`,
		c.ChatID, c.CourseID, nullID(c.StartedBy), ms(c.Started)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("start course %s in chat %d: %w", c.CourseID, c.ChatID, err)
	}
	for _, l := range lessons {
		if _, err := t.exec(`INSERT INTO cohort_lessons (cohort_id, lesson_id, position, opens_at) VALUES (?, ?, ?, ?)`,
			c.ID, l.LessonID, l.Position, ms(l.Opens)); err != nil {
			return fmt.Errorf("start course %s in chat %d: lesson %s: %w", c.CourseID, c.ChatID, l.LessonID, err)
		}
	}
	return nil
}

const cohortColumns = `id, chat_id, course_id, COALESCE(started_by, 0), started_at, COALESCE(ended_at, 0), stopped`

func scanCohort(s interface{ Scan(...any) error }) (bot.Cohort, error) {
	var c bot.Cohort
	var started, ended int64
	if err := s.Scan(&c.ID, &c.ChatID, &c.CourseID, &c.StartedBy, &started, &ended, &c.Stopped); err != nil {
		return c, err
	}
	c.Started = fromMS(started)
	if ended != 0 {
		c.Ended = fromMS(ended)
	}
	return c, nil
}

// ChatCohorts lists a chat's running cohorts, oldest first.
func (t *Tx) ChatCohorts(chatID int64) ([]bot.Cohort, error) {
	rows, err := t.query(`SELECT `+cohortColumns+` FROM cohorts WHERE chat_id = ? AND ended_at IS NULL ORDER BY id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("courses of chat %d: %w", chatID, err)
	}
	defer rows.Close()
	var out []bot.Cohort
	for rows.Next() {
		c, err := scanCohort(rows)
		if err != nil {
			return nil, fmt.Errorf("courses of chat %d: %w", chatID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CohortByID returns a cohort.
func (t *Tx) CohortByID(id int64) (bot.Cohort, error) {
	c, err := scanCohort(t.row(`SELECT `+cohortColumns+` FROM cohorts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("cohort %d: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("cohort %d: %w", id, err)
	}
	return c, nil
}

// CohortLessons lists a cohort's lessons in course order.
func (t *Tx) CohortLessons(cohortID int64) ([]bot.CohortLesson, error) {
	rows, err := t.query(`SELECT l.lesson_id, l.position, l.opens_at, COALESCE(l.run_id, 0), COALESCE(r.status, '')
		FROM cohort_lessons l LEFT JOIN runs r ON r.id = l.run_id WHERE l.cohort_id = ? ORDER BY l.position`, cohortID)
	if err != nil {
		return nil, fmt.Errorf("lessons of cohort %d: %w", cohortID, err)
	}
	defer rows.Close()
	var out []bot.CohortLesson
	for rows.Next() {
		l := bot.CohortLesson{CohortID: cohortID}
		var opens int64
		if err := rows.Scan(&l.LessonID, &l.Position, &opens, &l.RunID, &l.RunStatus); err != nil {
			return nil, fmt.Errorf("lessons of cohort %d: %w", cohortID, err)
		}
		l.Opens = fromMS(opens)
		out = append(out, l)
	}
	return out, rows.Err()
}

// OpenCohortLesson records the run a cohort's lesson opened as, once.
func (t *Tx) OpenCohortLesson(cohortID int64, lessonID string, runID int64) (bool, error) {
	res, err := t.exec(`UPDATE cohort_lessons SET run_id = ? WHERE cohort_id = ? AND lesson_id = ? AND run_id IS NULL`,
		runID, cohortID, lessonID)
	if err != nil {
		return false, fmt.Errorf("open lesson %s of cohort %d: %w", lessonID, cohortID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// EndCohort marks a cohort ended, once.
func (t *Tx) EndCohort(id int64, at time.Time, stopped bool) (bool, error) {
	res, err := t.exec(`UPDATE cohorts SET ended_at = ?, stopped = ? WHERE id = ? AND ended_at IS NULL`, ms(at), stopped, id)
	if err != nil {
		return false, fmt.Errorf("end cohort %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RunResults lists each member's score in a run.
func (t *Tx) RunResults(runID int64) ([]bot.LessonResult, error) {
	rows, err := t.query(`SELECT member_id, SUM(points), SUM(max_points) FROM answers
		WHERE run_id = ? AND max_points > 0 GROUP BY member_id HAVING COUNT(CASE WHEN value <> '' THEN 1 END) > 0 ORDER BY member_id`, runID)
	if err != nil {
		return nil, fmt.Errorf("results of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []bot.LessonResult
	for rows.Next() {
		r := bot.LessonResult{RunID: runID}
		if err := rows.Scan(&r.MemberID, &r.Points, &r.Max); err != nil {
			return nil, fmt.Errorf("results of run %d: %w", runID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DueCohortLessons lists unopened lessons of running cohorts whose time
// has come, earliest first.
func (d *DB) DueCohortLessons(ctx context.Context, now time.Time, limit int) ([]bot.CohortLesson, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT l.cohort_id, l.lesson_id, l.position, l.opens_at, c.id, c.channel, c.platform_id
		FROM cohort_lessons l JOIN cohorts h ON h.id = l.cohort_id JOIN chats c ON c.id = h.chat_id
		WHERE l.run_id IS NULL AND l.opens_at <= ? AND h.ended_at IS NULL ORDER BY l.opens_at, l.cohort_id, l.position LIMIT ?`,
		ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due course lessons: %w", err)
	}
	defer rows.Close()
	var out []bot.CohortLesson
	for rows.Next() {
		var l bot.CohortLesson
		var opens int64
		if err := rows.Scan(&l.CohortID, &l.LessonID, &l.Position, &opens, &l.ChatID, &l.Channel, &l.ChatPlatformID); err != nil {
			return nil, fmt.Errorf("due course lessons: %w", err)
		}
		l.Opens = fromMS(opens)
		out = append(out, l)
	}
	return out, rows.Err()
}

// CohortsToEnd lists running cohorts whose lessons have all opened and
// whose runs are all over.
func (d *DB) CohortsToEnd(ctx context.Context, limit int) ([]bot.Cohort, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT h.id, h.chat_id, h.course_id, COALESCE(h.started_by, 0), h.started_at, 0, 0,
		c.channel, c.platform_id FROM cohorts h JOIN chats c ON c.id = h.chat_id WHERE h.ended_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM cohort_lessons l LEFT JOIN runs r ON r.id = l.run_id
			WHERE l.cohort_id = h.id AND (l.run_id IS NULL OR r.status = 'active'))
		ORDER BY h.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("courses to end: %w", err)
	}
	defer rows.Close()
	var out []bot.Cohort
	for rows.Next() {
		var c bot.Cohort
		var started, ended int64
		err := rows.Scan(&c.ID, &c.ChatID, &c.CourseID, &c.StartedBy, &started, &ended, &c.Stopped, &c.Channel, &c.ChatPlatformID)
		c.Started = fromMS(started)
		if err != nil {
			return nil, fmt.Errorf("courses to end: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveCourseResult records a member's outcome in a course.
func (t *Tx) SaveCourseResult(r bot.CourseResult) error {
	if _, err := t.exec(`INSERT INTO course_results (cohort_id, member_id, took, passed_lessons, passed, at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (cohort_id, member_id) DO UPDATE SET took = excluded.took, passed_lessons = excluded.passed_lessons,
		passed = excluded.passed, at = excluded.at`, r.CohortID, r.MemberID, r.Took, r.Lessons, r.Passed, ms(r.At)); err != nil {
		return fmt.Errorf("result of member %d in cohort %d: %w", r.MemberID, r.CohortID, err)
	}
	return nil
}

// IssueCertificate records a certificate, once per member and cohort or
// run.
func (t *Tx) IssueCertificate(c bot.Certificate) (bool, error) {
	res, err := t.exec(`INSERT INTO certificates (code, member_id, name, course_id, lesson_id, title, hours, cohort_id, run_id, issued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.Code, c.MemberID, c.Name, c.CourseID, c.LessonID, c.Title, c.Hours, nullID(c.CohortID), nullID(c.RunID), ms(c.Issued))
	if err != nil {
		return false, fmt.Errorf("issue certificate to member %d: %w", c.MemberID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const certificateColumns = `code, COALESCE(member_id, 0), name, course_id, lesson_id, COALESCE(cohort_id, 0), COALESCE(run_id, 0), title, hours, issued_at, name_hash IS NOT NULL`

func scanCertificate(s interface{ Scan(...any) error }) (bot.Certificate, error) {
	var c bot.Certificate
	var at int64
	err := s.Scan(&c.Code, &c.MemberID, &c.Name, &c.CourseID, &c.LessonID, &c.CohortID, &c.RunID, &c.Title, &c.Hours, &at, &c.Forgotten)
	c.Issued = fromMS(at)
	return c, err
}

// certificateNameHash is the keyed hash that stands for the name printed
// on certificate code once its holder is forgotten: a verifier who types
// the name can be told whether it matches, and the database holds no
// name. The code is in it, so two certificates of one person hash alike
// only by the key's holder.
func certificateNameHash(key []byte, code, name string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("certificate-name\x00" + code + "\x00" + foldName(name)))
	return hex.EncodeToString(mac.Sum(nil))
}

// foldName is a name as compared: NFC, lower case, spaces folded, so
// "AMINA  Otieno" matches "Amina Otieno".
func foldName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
}

// CertificateNameMatches reports whether name is the name printed on
// certificate code, whose holder was forgotten (false for any other
// certificate: its page shows the name).
func (rd *Reader) CertificateNameMatches(ctx context.Context, code, name string) (bool, error) {
	var hash sql.NullString
	err := rd.db.QueryRowContext(ctx, `SELECT name_hash FROM certificates WHERE code = ?`, code).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("certificate %s: %w", code, bot.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("certificate %s: %w", code, err)
	}
	if rd.key == nil {
		return false, fmt.Errorf("certificate %s: a reader opened alone cannot compare names", code)
	}
	want := certificateNameHash(rd.key, code, name)
	return hash.Valid && hmac.Equal([]byte(hash.String), []byte(want)), nil
}

// MemberCertificates lists a member's certificates, oldest first.
func (t *Tx) MemberCertificates(memberID int64) ([]bot.Certificate, error) {
	rows, err := t.query(`SELECT `+certificateColumns+` FROM certificates WHERE member_id = ? ORDER BY issued_at, code`, memberID)
	if err != nil {
		return nil, fmt.Errorf("certificates of member %d: %w", memberID, err)
	}
	defer rows.Close()
	var out []bot.Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, fmt.Errorf("certificates of member %d: %w", memberID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Certificate returns the certificate with a verification code;
// bot.ErrNotFound when none has it.
func (rd *Reader) Certificate(ctx context.Context, code string) (bot.Certificate, error) {
	c, err := scanCertificate(rd.db.QueryRowContext(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("certificate %s: %w", code, bot.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("certificate %s: %w", code, err)
	}
	return c, nil
}

// DoneRuns lists up to limit finished runs of the given lessons with ids
// above after, in id order (without their state).
func (d *DB) DoneRuns(ctx context.Context, lessons []string, after int64, limit int) ([]bot.Run, error) {
	if len(lessons) == 0 {
		return nil, nil
	}
	args := []any{after}
	marks := make([]string, len(lessons))
	for i, l := range lessons {
		marks[i] = "?"
		args = append(args, l)
	}
	args = append(args, limit)
	rows, err := d.read.QueryContext(ctx, `SELECT id, lesson_id, chat_id, COALESCE(finished_at, 0) FROM runs
		WHERE id > ? AND status = 'done' AND lesson_id IN (`+strings.Join(marks, ", ")+`) ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("finished runs: %w", err)
	}
	defer rows.Close()
	var out []bot.Run
	for rows.Next() {
		r := bot.Run{Status: bot.RunDone}
		var finished int64
		if err := rows.Scan(&r.ID, &r.LessonID, &r.ChatID, &finished); err != nil {
			return nil, fmt.Errorf("finished runs: %w", err)
		}
		r.Finished = fromMS(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}
