package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

const reviewColumns = `member_id, lesson_id, step_key, state, due_at, sent_at, last_sent_at, updated_at`

func scanReview(r interface{ Scan(...any) error }) (bot.ReviewCard, error) {
	var c bot.ReviewCard
	var due, sent, last, updated int64
	err := r.Scan(&c.MemberID, &c.LessonID, &c.StepKey, &c.State, &due, &sent, &last, &updated)
	c.Due, c.Sent, c.LastSent, c.Updated = fromMS(due), fromMS(sent), fromMS(last), fromMS(updated)
	if string(c.State) == "null" {
		c.State = nil // a new card, as PostgreSQL's JSONB keeps it
	}
	return c, err
}

// ReviewCard returns a member's card for a question.
func (t *Tx) ReviewCard(memberID int64, lessonID, stepKey string) (bot.ReviewCard, error) {
	c, err := scanReview(t.row(`SELECT `+reviewColumns+` FROM review_cards WHERE member_id = ? AND lesson_id = ? AND step_key = ?`,
		memberID, lessonID, stepKey))
	if err != nil {
		return c, fmt.Errorf("review card of member %d for %s %s: %w", memberID, lessonID, stepKey, notFound(err))
	}
	return c, nil
}

// SaveReviewCard writes a card; one with no State yet is new.
func (t *Tx) SaveReviewCard(c bot.ReviewCard) error {
	if len(c.State) == 0 {
		// A new card has no state yet: empty in SQLite, JSON's null in
		// PostgreSQL's JSONB, which holds only JSON.
		c.State = []byte{}
		if t.db.pg {
			c.State = []byte("null")
		}
	}
	_, err := t.exec(`INSERT INTO review_cards (`+reviewColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (member_id, lesson_id, step_key) DO UPDATE SET state = excluded.state, due_at = excluded.due_at,
		sent_at = excluded.sent_at, last_sent_at = excluded.last_sent_at, updated_at = excluded.updated_at`,
		c.MemberID, c.LessonID, c.StepKey, c.State, ms(c.Due), ms(c.Sent), ms(c.LastSent), ms(c.Updated))
	if err != nil {
		return fmt.Errorf("save review card of member %d: %w", c.MemberID, err)
	}
	return nil
}

// PendingReview returns the member's card awaiting an answer.
func (t *Tx) PendingReview(memberID int64) (bot.ReviewCard, error) {
	c, err := scanReview(t.row(`SELECT `+reviewColumns+` FROM review_cards WHERE member_id = ? AND sent_at > 0
		ORDER BY sent_at DESC LIMIT 1`, memberID))
	if err != nil {
		return c, fmt.Errorf("pending review of member %d: %w", memberID, notFound(err))
	}
	return c, nil
}

// ReviewsSentSince counts the member's cards sent since since.
func (t *Tx) ReviewsSentSince(memberID int64, since time.Time) (int, error) {
	var n int
	if err := t.row(`SELECT COUNT(*) FROM review_cards WHERE member_id = ? AND last_sent_at >= ?`, memberID, ms(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("reviews sent to member %d: %w", memberID, err)
	}
	return n, nil
}

// LogReview records a review's outcome.
func (t *Tx) LogReview(c bot.ReviewCard, right bool, at time.Time) error {
	if _, err := t.exec(`INSERT INTO review_log (member_id, lesson_id, step_key, "right", at) VALUES (?, ?, ?, ?, ?)`,
		c.MemberID, c.LessonID, c.StepKey, right, ms(at)); err != nil {
		return fmt.Errorf("log review of member %d: %w", c.MemberID, err)
	}
	return nil
}

// ReviewPrefs returns a member's review preferences; off when never set.
func (t *Tx) ReviewPrefs(memberID int64) (bot.ReviewPrefs, error) {
	p := bot.ReviewPrefs{MemberID: memberID}
	var nudged int64
	err := t.row(`SELECT enabled, from_minute, to_minute, nudge_off, nudged_at, cert_name, time_zone, no_streaks
		FROM review_prefs WHERE member_id = ?`, memberID).
		Scan(&p.On, &p.From, &p.To, &p.NoNudges, &nudged, &p.CertName, &p.TimeZone, &p.NoStreaks)
	p.Nudged = fromMS(nudged)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("review preferences of member %d: %w", memberID, err)
	}
	return p, nil
}

// SetReviewPrefs writes a member's review preferences.
func (t *Tx) SetReviewPrefs(p bot.ReviewPrefs) error {
	if _, err := t.exec(`INSERT INTO review_prefs (member_id, enabled, from_minute, to_minute, nudge_off, nudged_at, cert_name, time_zone, no_streaks)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (member_id) DO UPDATE SET enabled = excluded.enabled, from_minute = excluded.from_minute, to_minute = excluded.to_minute,
		nudge_off = excluded.nudge_off, nudged_at = excluded.nudged_at, cert_name = excluded.cert_name, time_zone = excluded.time_zone,
		no_streaks = excluded.no_streaks`,
		p.MemberID, p.On, p.From, p.To, p.NoNudges, ms(p.Nudged), p.CertName, p.TimeZone, p.NoStreaks); err != nil {
		return fmt.Errorf("set review preferences of member %d: %w", p.MemberID, err)
	}
	return nil
}

// WrongAnswers lists up to limit wrong answers given after after (in
// the order of time, member, run and visit), oldest first, with their
// lessons. Answers have no sequence of their own, and many share a time.
func (d *DB) WrongAnswers(ctx context.Context, after bot.WrongAnswer, limit int) ([]bot.WrongAnswer, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT a.member_id, r.lesson_id, a.step_id, a.answered_at, a.run_id, a.seq
		FROM answers a JOIN runs r ON r.id = a.run_id
		WHERE a.correct = 0 AND a.value != '' AND (a.answered_at, a.member_id, a.run_id, a.seq) > (?, ?, ?, ?)
		ORDER BY a.answered_at, a.member_id, a.run_id, a.seq LIMIT ?`,
		ms(after.At), after.MemberID, after.RunID, after.Seq, limit)
	if err != nil {
		return nil, fmt.Errorf("wrong answers: %w", err)
	}
	defer rows.Close()
	var out []bot.WrongAnswer
	for rows.Next() {
		var w bot.WrongAnswer
		var at int64
		if err := rows.Scan(&w.MemberID, &w.LessonID, &w.StepKey, &at, &w.RunID, &w.Seq); err != nil {
			return nil, fmt.Errorf("wrong answers: %w", err)
		}
		w.At = fromMS(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

// DueReviews lists up to limit cards due at now and not awaiting an
// answer, of members who review, after after, earliest first.
func (d *DB) DueReviews(ctx context.Context, now time.Time, after bot.ReviewCard, limit int) ([]bot.ReviewCard, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT `+reviewColumnsOf("c")+` FROM review_cards c
		JOIN review_prefs p ON p.member_id = c.member_id AND p.enabled = 1
		WHERE c.sent_at = 0 AND c.due_at <= ? AND (c.due_at, c.member_id, c.lesson_id, c.step_key) > (?, ?, ?, ?)
		ORDER BY c.due_at, c.member_id, c.lesson_id, c.step_key LIMIT ?`,
		ms(now), ms(after.Due), after.MemberID, after.LessonID, after.StepKey, limit)
	if err != nil {
		return nil, fmt.Errorf("due reviews: %w", err)
	}
	defer rows.Close()
	var out []bot.ReviewCard
	for rows.Next() {
		c, err := scanReview(rows)
		if err != nil {
			return nil, fmt.Errorf("due reviews: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// reviewColumnsOf is reviewColumns qualified by a table alias.
func reviewColumnsOf(alias string) string {
	return alias + `.member_id, ` + alias + `.lesson_id, ` + alias + `.step_key, ` + alias + `.state, ` + alias + `.due_at, ` +
		alias + `.sent_at, ` + alias + `.last_sent_at, ` + alias + `.updated_at`
}

// Inactive lists up to limit members (by id, after after) last seen in
// any chat before since, with a private chat, who have not turned nudges
// off and were not nudged since they were last seen.
func (d *DB) Inactive(ctx context.Context, since time.Time, after int64, limit int) ([]int64, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT cm.member_id, MAX(cm.last_seen_at) AS seen FROM chat_members cm
		LEFT JOIN review_prefs p ON p.member_id = cm.member_id
		WHERE cm.member_id > ?2 AND COALESCE(p.nudge_off, 0) = 0
		AND EXISTS (SELECT 1 FROM chat_members d JOIN chats c ON c.id = d.chat_id WHERE d.member_id = cm.member_id AND c.type = 'direct')
		GROUP BY cm.member_id HAVING MAX(cm.last_seen_at) < ?1 AND MAX(COALESCE(p.nudged_at, 0)) < MAX(cm.last_seen_at)
		ORDER BY cm.member_id LIMIT ?3`, ms(since), after, limit)
	if err != nil {
		return nil, fmt.Errorf("inactive members: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id, seen int64
		if err := rows.Scan(&id, &seen); err != nil {
			return nil, fmt.Errorf("inactive members: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
