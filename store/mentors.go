package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// AddMentor makes a member a mentor of queue; false when they were already.
// The queue's cases waiting for a mentor are due for a check at once, so
// the new mentor is offered them without waiting for the next retry.
func (t *Tx) AddMentor(queue string, memberID int64, at time.Time) (bool, error) {
	res, err := t.exec(`INSERT INTO mentors (queue, member_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, queue, memberID, ms(at))
	if err != nil {
		return false, fmt.Errorf("add mentor %d to %s: %w", memberID, queue, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return false, nil
	}
	if err := t.wakeWaiting(queue, at); err != nil {
		return false, fmt.Errorf("add mentor %d to %s: %w", memberID, queue, err)
	}
	return true, nil
}

// wakeWaiting makes the cases waiting for a mentor in queue (in every
// queue when it is "") due for a check at at.
func (t *Tx) wakeWaiting(queue string, at time.Time) error {
	_, err := t.exec(`UPDATE cases SET next_check_at = ?1 WHERE status = 'open' AND escalated_at IS NOT NULL
		AND assigned_to IS NULL AND (?2 = '' OR queue = ?2)`, ms(at), queue)
	if err != nil {
		return fmt.Errorf("wake waiting cases: %w", err)
	}
	return nil
}

// WakeWaitingCases makes every case waiting for a mentor due for a check
// at once: at start, when the configuration may name new mentors.
func (d *DB) WakeWaitingCases(ctx context.Context, now time.Time) error {
	return d.update(ctx, func(t *Tx) error { return t.wakeWaiting("", now) })
}

// RemoveMentor undoes AddMentor; false when the member was not one.
func (t *Tx) RemoveMentor(queue string, memberID int64) (bool, error) {
	res, err := t.exec(`DELETE FROM mentors WHERE queue = ? AND member_id = ?`, queue, memberID)
	if err != nil {
		return false, fmt.Errorf("remove mentor %d from %s: %w", memberID, queue, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// AddedMentors lists the members added as mentors, by queue (only queue,
// when given), in the order added.
func (t *Tx) AddedMentors(queue string) (map[string][]bot.Member, error) {
	rows, err := t.query(`SELECT mt.queue, `+memberColumns+` FROM mentors mt JOIN members m ON m.id = mt.member_id
		WHERE ?1 = '' OR mt.queue = ?1 ORDER BY mt.added_at, mt.member_id`, queue)
	if err != nil {
		return nil, fmt.Errorf("added mentors: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]bot.Member)
	for rows.Next() {
		var q string
		m, err := scanMember(prefixed{rows, &q})
		if err != nil {
			return nil, fmt.Errorf("added mentors: %w", err)
		}
		out[q] = append(out[q], m)
	}
	return out, rows.Err()
}

// prefixed scans a row's first column into first and the rest as asked.
type prefixed struct {
	sc    interface{ Scan(...any) error }
	first any
}

func (p prefixed) Scan(dest ...any) error { return p.sc.Scan(append([]any{p.first}, dest...)...) }

// MentorRow is a mentor added with /mentor or huddle mentors add.
type MentorRow struct {
	// Ref names them as channel:id.
	Ref       string
	Pseudonym string
	Added     time.Time
}

// Mentors lists the mentors added in the database, by queue, in the order
// added.
func (r *Reader) Mentors(ctx context.Context) (map[string][]MentorRow, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT mt.queue, m.channel, m.platform_id, m.pseudonym, mt.added_at
		FROM mentors mt JOIN members m ON m.id = mt.member_id ORDER BY mt.added_at, mt.member_id`)
	if err != nil {
		return nil, fmt.Errorf("mentors: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]MentorRow)
	for rows.Next() {
		var (
			q, ch, id string
			pseudo    sql.NullString
			at        int64
		)
		if err := rows.Scan(&q, &ch, &id, &pseudo, &at); err != nil {
			return nil, fmt.Errorf("mentors: %w", err)
		}
		out[q] = append(out[q], MentorRow{Ref: ch + ":" + id, Pseudonym: pseudo.String, Added: time.UnixMilli(at)})
	}
	return out, rows.Err()
}

// AssignedMentors lists the members who have cases assigned to them.
func (t *Tx) AssignedMentors() ([]bot.Member, error) {
	rows, err := t.query(`SELECT ` + memberColumns + ` FROM members m
		WHERE m.id IN (SELECT assigned_to FROM cases WHERE status = 'assigned') ORDER BY m.id`)
	if err != nil {
		return nil, fmt.Errorf("assigned mentors: %w", err)
	}
	defer rows.Close()
	var out []bot.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("assigned mentors: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DigestSent returns when a mentor was last sent their digest.
func (t *Tx) DigestSent(memberID int64) (time.Time, error) {
	var at int64
	err := t.row(`SELECT sent_at FROM mentor_digests WHERE member_id = ?`, memberID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("digest of mentor %d: %w", memberID, err)
	}
	return fromMS(at), nil
}

// SetDigestSent records that a mentor was sent their digest at at.
func (t *Tx) SetDigestSent(memberID int64, at time.Time) error {
	if _, err := t.exec(`INSERT INTO mentor_digests (member_id, sent_at) VALUES (?, ?)
		ON CONFLICT (member_id) DO UPDATE SET sent_at = excluded.sent_at`, memberID, ms(at)); err != nil {
		return fmt.Errorf("digest of mentor %d: %w", memberID, err)
	}
	return nil
}

// ChangeMentor adds (add) or removes the member ref as a mentor of queue
// in the SQLite database at path, whether or not huddle runs on it: in a
// transaction of its own beside huddle's (SQLite's WAL, waiting for the
// writer as long as ten seconds), so that huddle mentors add works against
// a running bot. The member must have written to the bot. It returns the
// member and whether anything changed (false: they were a mentor already,
// or were not one to remove).
func ChangeMentor(ctx context.Context, path, queue string, ref bot.StaffRef, add bool, now time.Time) (bot.Member, bool, error) {
	if IsPostgres(path) {
		db, err := OpenPostgres(ctx, path, DefaultMedia)
		if err != nil {
			return bot.Member{}, false, err
		}
		defer db.Close()
		return changeMentorIn(ctx, db, queue, ref, add, now)
	}
	if _, err := os.Stat(path); err != nil {
		return bot.Member{}, false, fmt.Errorf("no database at %s: %w", path, err)
	}
	conn, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return bot.Member{}, false, fmt.Errorf("open database %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	// A store beside the running one: its transaction alone, none of the
	// running store's work (no writer, no sweep of media files).
	side := &DB{path: path, write: &pool{DB: conn}, unprepared: map[string]bool{}}
	return changeMentorIn(ctx, side, queue, ref, add, now)
}

// changeMentorIn is ChangeMentor's transaction on db.
func changeMentorIn(ctx context.Context, db *DB, queue string, ref bot.StaffRef, add bool, now time.Time) (bot.Member, bool, error) {
	var (
		m       bot.Member
		changed bool
	)
	run := func(tx *Tx) error {
		var err error
		if m, err = tx.MemberByRef(ref); err != nil {
			return err
		}
		if add {
			changed, err = tx.AddMentor(queue, m.ID, now)
		} else {
			changed, err = tx.RemoveMentor(queue, m.ID)
		}
		return err
	}
	if db.pg {
		return m, changed, db.update(ctx, run)
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return m, false, fmt.Errorf("change mentor: %w", err)
	}
	if err := run(&Tx{tx: sqlTx, ctx: ctx, db: db}); err != nil {
		sqlTx.Rollback()
		return m, false, err
	}
	if err := sqlTx.Commit(); err != nil {
		return m, false, fmt.Errorf("change mentor: %w", err)
	}
	return m, changed, nil
}
