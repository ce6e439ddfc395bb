package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Reader computes reports. It only reads, so it may run beside a running
// huddle (SQLite's WAL lets readers and the writer work at once).
type Reader struct {
	db *sql.DB
}

// Reports returns the database's report reader.
func (d *DB) Reports() *Reader { return &Reader{db: d.read} }

// OpenReader opens the database at path for reports only, without taking
// the writer's lock. The database must exist and be migrated.
func OpenReader(ctx context.Context, path string) (*Reader, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s (start huddle run once, or check the database setting)", path)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	var v int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if want := latestMigration(); v < want {
		db.Close()
		return nil, fmt.Errorf("database %s is at schema version %d, this huddle needs %d: start huddle run once to upgrade it", path, v, want)
	}
	return &Reader{db: db}, nil
}

// Close closes a reader from OpenReader.
func (r *Reader) Close() error { return r.db.Close() }

// Range is a report's period: From inclusive, To exclusive.
type Range struct {
	From, To time.Time
}

// GroupFigures is one group's overview for a period. Every figure is
// computed in SQL over the engagement log, runs, answers and cases.
type GroupFigures struct {
	ChatID     int64  `json:"-"`
	Channel    string `json:"channel"`
	PlatformID string `json:"chat_id"`
	Title      string `json:"title"`
	// Members have been seen in the group by the period's end.
	Members int `json:"members"`
	// Active members posted or answered in the period.
	Active int `json:"active_members"`
	// Messages are what members wrote (messages, case replies, commands).
	Messages int `json:"messages"`
	// Answers are the quiz answers members gave (not the questions they
	// let pass); Correct the right ones.
	Answers int `json:"answers"`
	Correct int `json:"correct"`
	// LessonsStarted and LessonsFinished count group lesson runs.
	LessonsStarted  int `json:"lessons_started"`
	LessonsFinished int `json:"lessons_finished"`
	// Cases were opened in the period; Escalated of them went to mentors.
	Cases     int `json:"cases"`
	Escalated int `json:"cases_escalated"`
}

// Overview returns every group's figures for the period, ordered by title.
func (rd *Reader) Overview(ctx context.Context, r Range) ([]GroupFigures, error) {
	from, to := ms(r.From), ms(r.To)
	rows, err := rd.db.QueryContext(ctx, `
		SELECT c.id, c.channel, c.platform_id, c.title,
			(SELECT COUNT(*) FROM chat_members cm WHERE cm.chat_id = c.id AND cm.joined_at < ?2),
			(SELECT COUNT(DISTINCT e.member_id) FROM engagement e WHERE e.chat_id = c.id AND e.at >= ?1 AND e.at < ?2
				AND e.kind IN ('message', 'command', 'answer', 'option', 'case_reply')),
			(SELECT COUNT(*) FROM engagement e WHERE e.chat_id = c.id AND e.at >= ?1 AND e.at < ?2
				AND e.kind IN ('message', 'command', 'case_reply')),
			(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id = c.id AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> ''),
			(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id = c.id AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> '' AND a.correct),
			(SELECT COUNT(*) FROM runs r WHERE r.chat_id = c.id AND r.started_at >= ?1 AND r.started_at < ?2),
			(SELECT COUNT(*) FROM runs r WHERE r.chat_id = c.id AND r.status = 'done' AND r.finished_at >= ?1 AND r.finished_at < ?2),
			(SELECT COUNT(*) FROM cases k WHERE k.chat_id = c.id AND k.created_at >= ?1 AND k.created_at < ?2),
			(SELECT COUNT(*) FROM cases k WHERE k.chat_id = c.id AND k.created_at >= ?1 AND k.created_at < ?2 AND k.escalated_at IS NOT NULL)
		FROM chats c WHERE c.type = 'group' AND c.created_at < ?2
		ORDER BY c.title, c.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer rows.Close()
	var out []GroupFigures
	for rows.Next() {
		var g GroupFigures
		if err := rows.Scan(&g.ChatID, &g.Channel, &g.PlatformID, &g.Title, &g.Members, &g.Active, &g.Messages,
			&g.Answers, &g.Correct, &g.LessonsStarted, &g.LessonsFinished, &g.Cases, &g.Escalated); err != nil {
			return nil, fmt.Errorf("overview: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// WeekCount is one week's figure.
type WeekCount struct {
	// Week is the week's first day: From plus a whole number of weeks.
	Week  time.Time `json:"week"`
	Count int       `json:"count"`
}

// WeeklyActive counts, for each week of the period (counted from From),
// the distinct members who posted or answered, in one group or, with
// chatID 0, in all. Weeks without activity are listed with 0.
func (rd *Reader) WeeklyActive(ctx context.Context, r Range, chatID int64) ([]WeekCount, error) {
	return rd.weekly(ctx, r, `SELECT (e.at - ?1) / ?4 AS w, COUNT(DISTINCT e.member_id) FROM engagement e
		JOIN chats c ON c.id = e.chat_id AND c.type = 'group'
		WHERE e.at >= ?1 AND e.at < ?2 AND (?3 = 0 OR e.chat_id = ?3)
			AND e.kind IN ('message', 'command', 'answer', 'option', 'case_reply')
		GROUP BY w`, chatID)
}

// week is a week in Unix milliseconds.
const week = int64(7 * 24 * time.Hour / time.Millisecond)

// weekly runs a query that counts per week of the period, given ?1 from,
// ?2 to, ?3 chat and ?4 the week's length, and returns every week of the
// period, those without a row at 0.
func (rd *Reader) weekly(ctx context.Context, r Range, query string, chatID int64) ([]WeekCount, error) {
	from, to := ms(r.From), ms(r.To)
	rows, err := rd.db.QueryContext(ctx, query, from, to, chatID, week)
	if err != nil {
		return nil, fmt.Errorf("weekly figures: %w", err)
	}
	defer rows.Close()
	out := make([]WeekCount, int((to-from+week-1)/week))
	for i := range out {
		out[i].Week = r.From.Add(time.Duration(i) * 7 * 24 * time.Hour)
	}
	for rows.Next() {
		var w int64
		var n int
		if err := rows.Scan(&w, &n); err != nil {
			return nil, fmt.Errorf("weekly figures: %w", err)
		}
		if w >= 0 && int(w) < len(out) {
			out[w].Count = n
		}
	}
	return out, rows.Err()
}

// Summary returns the figures of all groups together, or of one group
// with chatID: members and active members counted once however many
// groups they are in.
func (rd *Reader) Summary(ctx context.Context, r Range, chatID int64) (GroupFigures, error) {
	from, to := ms(r.From), ms(r.To)
	g := GroupFigures{ChatID: chatID}
	err := rd.db.QueryRowContext(ctx, `
		WITH grp AS (SELECT id FROM chats WHERE type = 'group' AND created_at < ?2 AND (?3 = 0 OR id = ?3))
		SELECT
			(SELECT COUNT(DISTINCT cm.member_id) FROM chat_members cm WHERE cm.chat_id IN grp AND cm.joined_at < ?2),
			(SELECT COUNT(DISTINCT e.member_id) FROM engagement e WHERE e.chat_id IN grp AND e.at >= ?1 AND e.at < ?2
				AND e.kind IN ('message', 'command', 'answer', 'option', 'case_reply')),
			(SELECT COUNT(*) FROM engagement e WHERE e.chat_id IN grp AND e.at >= ?1 AND e.at < ?2
				AND e.kind IN ('message', 'command', 'case_reply')),
			(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id IN grp AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> ''),
			(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id IN grp AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> '' AND a.correct),
			(SELECT COUNT(*) FROM runs r WHERE r.chat_id IN grp AND r.started_at >= ?1 AND r.started_at < ?2),
			(SELECT COUNT(*) FROM runs r WHERE r.chat_id IN grp AND r.status = 'done' AND r.finished_at >= ?1 AND r.finished_at < ?2),
			(SELECT COUNT(*) FROM cases k WHERE k.chat_id IN grp AND k.created_at >= ?1 AND k.created_at < ?2),
			(SELECT COUNT(*) FROM cases k WHERE k.chat_id IN grp AND k.created_at >= ?1 AND k.created_at < ?2 AND k.escalated_at IS NOT NULL)`,
		from, to, chatID).Scan(&g.Members, &g.Active, &g.Messages, &g.Answers, &g.Correct, &g.LessonsStarted, &g.LessonsFinished, &g.Cases, &g.Escalated)
	if err != nil {
		return g, fmt.Errorf("summary: %w", err)
	}
	return g, nil
}
