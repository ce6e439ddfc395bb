package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

func scanRun(sc interface{ Scan(...any) error }) (bot.Run, error) {
	var r bot.Run
	var started, updated int64
	var finished sql.NullInt64
	err := sc.Scan(&r.ID, &r.LessonID, &r.ChatID, &r.StartedBy, &r.Mode, &r.Status, &r.Step, &r.Seq, &r.State, &started, &updated, &finished)
	r.Started, r.Updated, r.Finished = fromMS(started), fromMS(updated), nullMS(finished)
	return r, err
}

// ActiveRun returns the chat's active run or bot.ErrNotFound.
func (t *Tx) ActiveRun(chatID int64) (bot.Run, error) {
	r, err := scanRun(t.row(`SELECT `+runColumns+` FROM runs WHERE chat_id = ? AND status = 'active'`, chatID))
	if err != nil {
		return r, fmt.Errorf("active run of chat %d: %w", chatID, notFound(err))
	}
	return r, nil
}

// RunByID returns a run or bot.ErrNotFound.
func (t *Tx) RunByID(id int64) (bot.Run, error) {
	r, err := scanRun(t.row(`SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if err != nil {
		return r, fmt.Errorf("run %d: %w", id, notFound(err))
	}
	return r, nil
}

// CreateRun stores a new run and sets its ID.
func (t *Tx) CreateRun(r *bot.Run) error {
	var startedBy any
	if r.StartedBy != 0 {
		startedBy = r.StartedBy
	}
	// The only unique rule a new run can break is one active run per
	// chat (runs_active): nothing is inserted then, and the transaction
	// stays usable on PostgreSQL as on SQLite.
	err := t.row(`INSERT INTO runs (lesson_id, chat_id, started_by, mode, status, step, seq, state, started_at, updated_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0)) ON CONFLICT DO NOTHING RETURNING id`,
		r.LessonID, r.ChatID, startedBy, r.Mode, string(r.Status), r.Step, r.Seq, r.State,
		ms(r.Started), ms(r.Updated), ms(r.Finished)).Scan(&r.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("create run: chat %d has an active run: %w", r.ChatID, bot.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	return nil
}

// SaveRun stores a run's new state.
func (t *Tx) SaveRun(r *bot.Run) error {
	_, err := t.exec(`UPDATE runs SET status = ?, step = ?, seq = ?, state = ?, updated_at = ?, finished_at = NULLIF(CAST(? AS BIGINT), 0) WHERE id = ?`,
		string(r.Status), r.Step, r.Seq, r.State, ms(r.Updated), ms(r.Finished), r.ID)
	if err != nil {
		return fmt.Errorf("save run %d: %w", r.ID, err)
	}
	return nil
}

// RunMembers returns each member's part of a run.
func (t *Tx) RunMembers(runID int64) ([]bot.RunMember, error) {
	rows, err := t.query(`SELECT member_id, state FROM run_members WHERE run_id = ?`, runID)
	if err != nil {
		return nil, fmt.Errorf("run %d members: %w", runID, err)
	}
	defer rows.Close()
	var out []bot.RunMember
	for rows.Next() {
		m := bot.RunMember{RunID: runID}
		if err := rows.Scan(&m.MemberID, &m.State); err != nil {
			return nil, fmt.Errorf("run %d members: %w", runID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("run %d members: %w", runID, err)
	}
	return out, nil
}

// SaveRunMembers stores members' parts of runs, replacing earlier ones.
func (t *Tx) SaveRunMembers(ms []bot.RunMember) error {
	for _, m := range ms {
		if _, err := t.exec(`INSERT INTO run_members (run_id, member_id, state) VALUES (?, ?, ?)
			ON CONFLICT (run_id, member_id) DO UPDATE SET state = excluded.state`, m.RunID, m.MemberID, m.State); err != nil {
			return fmt.Errorf("save run %d member %d: %w", m.RunID, m.MemberID, err)
		}
	}
	return nil
}

// AddTimer schedules a timer.
func (t *Tx) AddTimer(tm bot.Timer) error {
	// The timer carries its chat's lease name (package cluster).
	channel, chat := tm.Channel, tm.ChatPlatformID
	if channel == "" {
		err := t.row(`SELECT c.channel, c.platform_id FROM runs r JOIN chats c ON c.id = r.chat_id WHERE r.id = ?`, tm.RunID).Scan(&channel, &chat)
		if err != nil {
			return fmt.Errorf("add timer for run %d: %w", tm.RunID, notFound(err))
		}
	}
	if _, err := t.exec(`INSERT INTO timers (run_id, seq, due_at, lease) VALUES (?, ?, ?, ?)`,
		tm.RunID, tm.Seq, ms(tm.Due), t.db.ChatLease(bot.ChatKey(channel, chat))); err != nil {
		return fmt.Errorf("add timer for run %d: %w", tm.RunID, err)
	}
	return nil
}

// FireTimer marks a timer fired; false when it had fired already.
func (t *Tx) FireTimer(id int64, at time.Time) (bool, error) {
	res, err := t.exec(`UPDATE timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL`, ms(at), id)
	if err != nil {
		return false, fmt.Errorf("fire timer %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SaveAnswer records an answer; a second one to the same step visit is
// refused with bot.ErrDuplicate.
func (t *Tx) SaveAnswer(a bot.Answer) error {
	res, err := t.exec(`INSERT INTO answers (run_id, member_id, seq, step_id, value, correct, points, max_points, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		a.RunID, a.MemberID, a.Seq, a.StepID, a.Value, a.Correct, a.Points, a.MaxPoints, ms(a.At))
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("save answer of member %d to run %d step %s: %w", a.MemberID, a.RunID, a.StepID, bot.ErrDuplicate)
	}
	return nil
}

// MemberProgress lists a member's runs with their quiz scores, newest first.
func (t *Tx) MemberProgress(memberID int64) ([]bot.Progress, error) {
	rows, err := t.query(`SELECT r.id, r.lesson_id, r.status,
			COUNT(*), COALESCE(SUM(a.correct), 0), COALESCE(SUM(a.points), 0), COALESCE(SUM(a.max_points), 0),
			r.started_at, r.finished_at, COALESCE(COUNT(CASE WHEN a.value = '' THEN 1 END), 0)
		FROM answers a JOIN runs r ON r.id = a.run_id
		WHERE a.member_id = ? AND a.max_points > 0
		GROUP BY r.id ORDER BY r.started_at DESC, r.id DESC`, memberID)
	if err != nil {
		return nil, fmt.Errorf("progress of member %d: %w", memberID, err)
	}
	defer rows.Close()
	var out []bot.Progress
	for rows.Next() {
		var p bot.Progress
		var started int64
		var finished sql.NullInt64
		if err := rows.Scan(&p.RunID, &p.LessonID, &p.Status, &p.Answered, &p.Correct, &p.Points, &p.MaxPoints, &started, &finished, &p.Missed); err != nil {
			return nil, fmt.Errorf("progress of member %d: %w", memberID, err)
		}
		p.Started, p.Finished = fromMS(started), nullMS(finished)
		out = append(out, p)
	}
	return out, rows.Err()
}
