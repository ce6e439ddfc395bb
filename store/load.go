package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Loader writes made-up history straight into the tables. It is for
// demonstration and benchmark databases far larger than playing activity
// through the lesson engine could make in reasonable time (a year of
// 50,000 members is millions of rows); everything else writes through
// Update. It commits every loadBatch rows, without waiting for the disk, so
// a database whose load failed is only good for removing.
type Loader struct {
	ctx   context.Context
	conn  *sql.Conn
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	rows  int
}

// loadBatch is how many rows a Loader writes per transaction.
const loadBatch = 200_000

// Load runs fn with a Loader on the database, which must be empty of
// activity: a new database made by Open. It returns once every row is
// committed.
func (d *DB) Load(ctx context.Context, fn func(*Loader) error) (err error) {
	var n int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM members`).Scan(&n); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if n > 0 {
		return errors.New("load: the database already has members; loading is for new databases")
	}
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer conn.Close()
	// No flush per commit, and a page cache of up to 1 GB: members'
	// answers land all over the answers table's B-tree.
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576`); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer func() {
		if _, e := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL; PRAGMA cache_size = -32768`); e != nil && err == nil {
			err = fmt.Errorf("load: %w", e)
		}
	}()
	l := &Loader{ctx: ctx, conn: conn, stmts: make(map[string]*sql.Stmt)}
	defer l.close()
	if err := fn(l); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := l.commit(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	// Give the query planner the tables' statistics, as a long-running
	// database gathers them with PRAGMA optimize.
	if _, err := conn.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("load: analyze: %w", err)
	}
	return nil
}

func (l *Loader) close() {
	for _, st := range l.stmts {
		st.Close()
	}
	if l.tx != nil {
		l.tx.Rollback()
	}
}

func (l *Loader) commit() error {
	if l.tx == nil {
		return nil
	}
	for q, st := range l.stmts {
		st.Close()
		delete(l.stmts, q)
	}
	err := l.tx.Commit()
	l.tx = nil
	return err
}

// exec runs one insert, in the current transaction, and returns the row's
// id.
func (l *Loader) exec(query string, args ...any) (int64, error) {
	if l.tx == nil {
		tx, err := l.conn.BeginTx(l.ctx, nil)
		if err != nil {
			return 0, err
		}
		l.tx = tx
	}
	st, ok := l.stmts[query]
	if !ok {
		var err error
		if st, err = l.tx.PrepareContext(l.ctx, query); err != nil {
			return 0, err
		}
		l.stmts[query] = st
	}
	res, err := st.ExecContext(l.ctx, args...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if l.rows++; l.rows%loadBatch == 0 {
		if err := l.commit(); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Member adds a member and returns its id.
func (l *Loader) Member(channel, platformID, name string, at time.Time) (int64, error) {
	return l.exec(`INSERT INTO members (channel, platform_id, name, created_at) VALUES (?, ?, ?, ?)`,
		channel, platformID, name, ms(at))
}

// Group adds a group chat and returns its id.
func (l *Loader) Group(channel, platformID, title string, at time.Time) (int64, error) {
	return l.exec(`INSERT INTO chats (channel, platform_id, type, title, created_at) VALUES (?, ?, 'group', ?, ?)`,
		channel, platformID, title, ms(at))
}

// Direct adds a member's private chat with the bot, and returns its id.
func (l *Loader) Direct(channel, platformID string, memberID int64, at time.Time) (int64, error) {
	id, err := l.exec(`INSERT INTO chats (channel, platform_id, type, title, created_at) VALUES (?, ?, 'direct', '', ?)`,
		channel, platformID, ms(at))
	if err != nil {
		return 0, err
	}
	return id, l.Join(id, memberID, at, at)
}

// ReviewPrefs sets a member's review preferences.
func (l *Loader) ReviewPrefs(p bot.ReviewPrefs) error {
	_, err := l.exec(`INSERT INTO review_prefs (member_id, enabled, from_minute, to_minute, nudge_off, nudged_at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.MemberID, p.On, p.From, p.To, p.NoNudges, ms(p.Nudged))
	return err
}

// Join records that a member is in a chat, from joined, last seen at seen.
func (l *Loader) Join(chatID, memberID int64, joined, seen time.Time) error {
	_, err := l.exec(`INSERT INTO chat_members (chat_id, member_id, joined_at, last_seen_at) VALUES (?, ?, ?, ?)`,
		chatID, memberID, ms(joined), ms(seen))
	return err
}

// Run adds a group lesson run, ended (done or stopped) at r.Finished, and
// returns its id. The engine's state is left empty: a loaded run cannot be
// resumed.
func (l *Loader) Run(r bot.Run) (int64, error) {
	return l.exec(`INSERT INTO runs (lesson_id, chat_id, started_by, mode, status, step, seq, state, started_at, updated_at, finished_at)
		VALUES (?, ?, ?, 'group', ?, ?, ?, x'', ?, ?, ?)`,
		r.LessonID, r.ChatID, r.StartedBy, string(r.Status), r.Step, r.Seq, ms(r.Started), ms(r.Finished), ms(r.Finished))
}

// Answer adds a member's answer.
func (l *Loader) Answer(a bot.Answer) error {
	_, err := l.exec(`INSERT INTO answers (run_id, member_id, seq, step_id, value, correct, points, max_points, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.RunID, a.MemberID, a.Seq, a.StepID, a.Value, a.Correct, a.Points, a.MaxPoints, ms(a.At))
	return err
}

// Engagement adds a row to the engagement log.
func (l *Loader) Engagement(e bot.Engagement) error {
	_, err := l.exec(`INSERT INTO engagement (member_id, chat_id, kind, at) VALUES (?, ?, ?, ?)`,
		e.MemberID, e.ChatID, e.Kind, ms(e.At))
	return err
}

// Case adds a case with its milestones (zero times are absent) and returns
// its id. Its thread is added with CasePost.
func (l *Loader) Case(c bot.Case) (int64, error) {
	return l.exec(`INSERT INTO cases (chat_id, author_id, text, status, queue, created_at, first_reply_at,
			escalated_at, assigned_to, assigned_at, overdue_at, first_answer_at, closed_at, answered_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ChatID, c.AuthorID, c.Text, string(c.Status), c.Queue, ms(c.Created), msOrNull(c.FirstReply),
		msOrNull(c.Escalated), nullID(c.AssignedTo), msOrNull(c.Assigned), msOrNull(c.Overdue), msOrNull(c.FirstAnswer), msOrNull(c.Closed),
		nullID(c.AnsweredFrom))
}

// CasePost adds a reply or an answer to a case's thread.
func (l *Loader) CasePost(p bot.CasePost) error {
	_, err := l.exec(`INSERT INTO case_posts (case_id, member_id, kind, text, at) VALUES (?, ?, ?, ?, ?)`,
		p.CaseID, p.MemberID, p.Kind, p.Text, ms(p.At))
	return err
}
