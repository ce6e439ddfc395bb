package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/huddlebot/huddle/report"
)

// Reader computes reports. It only reads, so it may run beside a running
// huddle (SQLite's WAL lets readers and the writer work at once).
type Reader struct {
	db *pool
	// media is the folder of members' photos and voice notes.
	media string
	// key keys the hashes that stand for forgotten members' names on
	// certificates; nil for a reader opened alone (OpenReader).
	key []byte
}

// Reports returns the database's report reader.
func (d *DB) Reports() *Reader { return &Reader{db: d.read, media: d.MediaDir(), key: d.subjectKey} }

// OpenReader opens the database at path for reports only, without taking
// the writer's lock. The database must exist and be migrated. A
// PostgreSQL database's URL opens it there, its photos and voice notes
// in DefaultMedia.
func OpenReader(ctx context.Context, path string) (*Reader, error) {
	if IsPostgres(path) {
		return openPostgresReader(ctx, path, "")
	}
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
	return &Reader{db: &pool{DB: db}, media: filepath.Join(filepath.Dir(path), mediaDir)}, nil
}

// Close closes a reader from OpenReader.
func (r *Reader) Close() error { return r.db.Close() }

// span is a period split for the rollups (migration 00005): the whole UTC
// days [dayFrom, dayTo) and whole weeks [weekFrom, weekTo) inside
// [from, to) are read from chat_days and member_weeks, the edges from the
// raw rows. When no whole day or week fits, that rollup part is empty and
// the raw rows cover the period.
type span struct {
	from, to, dayFrom, dayTo, weekFrom, weekTo int64
}

const (
	day = int64(24 * time.Hour / time.Millisecond)
	// dayMS is day in SQL.
	dayMS = "86400000"
	// week is a week in Unix milliseconds; weekStart is the first Monday
	// after the epoch (a Thursday), from which weeks are counted.
	week      = 7 * day
	weekStart = 4 * day
)

func spanOf(r report.Range) span {
	s := span{from: ms(r.From), to: ms(r.To)}
	s.dayFrom, s.dayTo = inside(s.from, s.to, 0, day)
	g := gridOf(r)
	s.weekFrom, s.weekTo = g.lo, g.hi
	return s
}

// weekGrid is a period's weeks as the weekly figures list them: Monday
// to Sunday (UTC), the first and last cut by the period, where a cut
// week shorter than a day joins its neighbour. A period from Monday in
// Nairobi starts three hours before Monday in UTC: those hours are not a
// week of their own, which the charts would label with the same day as
// the week after them.
type weekGrid struct {
	// starts are the listed weeks' first moments in the period (Unix ms).
	starts []int64
	// [lo, hi) are the listed weeks read whole from the rollups; (to, to)
	// when none is.
	lo, hi int64
	// A raw row's Monday before first counts in the week holding first,
	// one after last in the week holding last (see weekOfAt).
	first, last int64
}

func gridOf(r report.Range) weekGrid {
	from, to := ms(r.From), ms(r.To)
	g := weekGrid{starts: []int64{from}}
	for w := bucketOf(from, weekStart, week) + week; w < to; w += week {
		g.starts = append(g.starts, w)
	}
	lo, hi := bucketOf(from+week-1, weekStart, week), bucketOf(to, weekStart, week)
	if len(g.starts) > 1 && g.starts[1]-from < day {
		g.starts = slices.Delete(g.starts, 1, 2)
		lo += week
	}
	if n := len(g.starts); n > 1 && to-g.starts[n-1] < day {
		g.starts = g.starts[:n-1]
		hi -= week
	}
	g.first, g.last = lo-week, hi
	g.lo, g.hi = lo, hi
	if lo >= hi {
		g.lo, g.hi = to, to
	}
	return g
}

// index is the listed week that holds the week from monday (Unix ms),
// clamped to the first and last.
func (g weekGrid) index(monday int64) int {
	i, found := slices.BinarySearch(g.starts, monday)
	if !found {
		i--
	}
	return max(i, 0)
}

// weekOfAt is the SQL for the Monday a raw row at col counts under: its
// own, or the one its cut week joined (?8 and ?9 as weekly passes them).
func weekOfAt(col string) string {
	return fmt.Sprintf("CASE WHEN %[1]s < ?8 THEN ?8 WHEN %[1]s >= ?9 THEN ?9 ELSE %[2]s END", col, mondayOf(col))
}

// inside returns the whole buckets of size (starting at offset) that fit
// in [from, to), or (to, to) when none does.
func inside(from, to, offset, size int64) (int64, int64) {
	lo := bucketOf(from+size-1, offset, size)
	hi := bucketOf(to, offset, size)
	if lo >= hi {
		return to, to
	}
	return lo, hi
}

// bucketOf is the start of the bucket holding t.
func bucketOf(t, offset, size int64) int64 {
	m := (t - offset) % size
	if m < 0 {
		m += size
	}
	return t - m
}

// args are the span's query parameters: ?1 from, ?2 to, ?3 and ?4 the
// whole days, ?5 and ?6 the whole weeks, ?7 a chat or 0 for every group.
func (s span) args(chatID int64) []any {
	return []any{s.from, s.to, s.dayFrom, s.dayTo, s.weekFrom, s.weekTo, chatID}
}

// mondayOf is the SQL for the start of the week holding a time column.
func mondayOf(col string) string {
	return fmt.Sprintf("(%[1]s - (%[1]s - %[2]d) %% %[3]d)", col, weekStart, week)
}

// Engagement kinds that make a member active, and those that count as
// messages.
const (
	activeKinds  = `('message', 'command', 'answer', 'option', 'case_reply')`
	messageKinds = `('message', 'command', 'case_reply')`
)

// figuresCTE selects, for span.args: grp, the groups (all, or chat ?7);
// active, a row per member active in a group in the period (a member may
// appear more than once), looked up member by member in the whole weeks
// (everyone active in a group is its member: the store joins a member to
// a chat when they first write there); counts, rows of messages, answers and right
// answers per group, to be summed; run_counts and case_counts, the groups'
// lesson runs and cases of the period.
const figuresCTE = `
	WITH ` + teachersCTE + `,
	grp AS MATERIALIZED (SELECT id FROM chats WHERE type = 'group' AND created_at < ?2 AND (?7 = 0 OR id = ?7)),
	active AS MATERIALIZED (
		SELECT cm.chat_id, cm.member_id FROM grp JOIN chat_members cm ON cm.chat_id = grp.id
			WHERE EXISTS (SELECT 1 FROM member_weeks mw WHERE mw.chat_id = cm.chat_id AND mw.member_id = cm.member_id AND mw.week >= ?5 AND mw.week < ?6)
				AND cm.member_id NOT IN (SELECT id FROM teachers)
		UNION ALL SELECT e.chat_id, e.member_id FROM grp JOIN engagement e ON e.chat_id = grp.id AND e.at >= ?1 AND e.at < ?5
			WHERE e.kind IN ` + activeKinds + ` AND e.member_id NOT IN (SELECT id FROM teachers)
		UNION ALL SELECT e.chat_id, e.member_id FROM grp JOIN engagement e ON e.chat_id = grp.id AND e.at >= ?6 AND e.at < ?2
			WHERE e.kind IN ` + activeKinds + ` AND e.member_id NOT IN (SELECT id FROM teachers)),
	counts AS MATERIALIZED (
		SELECT d.chat_id, d.messages, d.answers, d.correct FROM grp JOIN chat_days d ON d.chat_id = grp.id AND d.day >= ?3 AND d.day < ?4
		UNION ALL SELECT e.chat_id, 1, 0, 0 FROM grp JOIN engagement e ON e.chat_id = grp.id AND e.at >= ?1 AND e.at < ?3
			WHERE e.kind IN ` + messageKinds + `
		UNION ALL SELECT e.chat_id, 1, 0, 0 FROM grp JOIN engagement e ON e.chat_id = grp.id AND e.at >= ?4 AND e.at < ?2
			WHERE e.kind IN ` + messageKinds + `
		UNION ALL SELECT r.chat_id, 0, 1, CASE WHEN a.correct <> 0 THEN 1 ELSE 0 END FROM answers a JOIN runs r ON r.id = a.run_id JOIN grp ON grp.id = r.chat_id
			WHERE a.answered_at >= ?1 AND a.answered_at < ?3 AND a.max_points > 0 AND a.value <> ''
		UNION ALL SELECT r.chat_id, 0, 1, CASE WHEN a.correct <> 0 THEN 1 ELSE 0 END FROM answers a JOIN runs r ON r.id = a.run_id JOIN grp ON grp.id = r.chat_id
			WHERE a.answered_at >= ?4 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> ''),
	run_counts AS MATERIALIZED (
		SELECT r.chat_id, COUNT(CASE WHEN r.started_at >= ?1 THEN 1 END) AS started, COUNT(CASE WHEN r.status = 'done' AND r.finished_at >= ?1 AND r.finished_at < ?2 THEN 1 END) AS finished
		FROM grp JOIN runs r ON r.chat_id = grp.id AND r.started_at < ?2 WHERE r.finished_at IS NULL OR r.finished_at >= ?1
		GROUP BY r.chat_id),
	case_counts AS MATERIALIZED (
		SELECT k.chat_id, COUNT(*) AS opened, COUNT(k.escalated_at) AS escalated
		FROM grp JOIN cases k ON k.chat_id = grp.id AND k.created_at >= ?1 AND k.created_at < ?2 GROUP BY k.chat_id),
	media_counts AS MATERIALIZED (
		SELECT d.chat_id, SUM(d.media_bytes) AS bytes FROM grp JOIN chat_days d ON d.chat_id = grp.id
			AND d.day > ?1 - ` + dayMS + ` AND d.day < ?2 WHERE d.media_bytes > 0 GROUP BY d.chat_id)`

// Overview returns every group's figures for the period, ordered by title.
func (rd *Reader) Overview(ctx context.Context, r report.Range) ([]report.GroupFigures, error) {
	rows, err := rd.db.QueryContext(ctx, figuresCTE+`,
		mem AS MATERIALIZED (SELECT cm.chat_id, COUNT(*) AS n FROM grp JOIN chat_members cm ON cm.chat_id = grp.id AND cm.joined_at < ?2
			WHERE cm.member_id NOT IN (SELECT id FROM teachers) GROUP BY cm.chat_id),
		act AS MATERIALIZED (SELECT chat_id, COUNT(DISTINCT member_id) AS n FROM active GROUP BY chat_id),
		cnt AS MATERIALIZED (SELECT chat_id, SUM(messages) AS messages, SUM(answers) AS answers, SUM(correct) AS correct FROM counts GROUP BY chat_id)
		SELECT c.id, c.channel, c.platform_id, c.title, COALESCE(mem.n, 0), COALESCE(act.n, 0),
			COALESCE(cnt.messages, 0), COALESCE(cnt.answers, 0), COALESCE(cnt.correct, 0),
			COALESCE(rc.started, 0), COALESCE(rc.finished, 0), COALESCE(kc.opened, 0), COALESCE(kc.escalated, 0), COALESCE(mc.bytes, 0)
		FROM grp JOIN chats c ON c.id = grp.id
			LEFT JOIN mem ON mem.chat_id = c.id LEFT JOIN act ON act.chat_id = c.id LEFT JOIN cnt ON cnt.chat_id = c.id
			LEFT JOIN run_counts rc ON rc.chat_id = c.id LEFT JOIN case_counts kc ON kc.chat_id = c.id
			LEFT JOIN media_counts mc ON mc.chat_id = c.id
		ORDER BY c.title, c.id`, spanOf(r).args(0)...)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer rows.Close()
	var out []report.GroupFigures
	for rows.Next() {
		var g report.GroupFigures
		if err := rows.Scan(&g.ChatID, &g.Channel, &g.PlatformID, &g.Title, &g.Members, &g.Active, &g.Messages,
			&g.Answers, &g.Correct, &g.LessonsStarted, &g.LessonsFinished, &g.Cases, &g.Escalated, &g.MediaBytes); err != nil {
			return nil, fmt.Errorf("overview: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Weeks lists the weeks of the period as the weekly figures count them:
// Monday to Sunday (UTC), the first and last maybe cut by the period, a
// cut week shorter than a day joined to its neighbour. Each is given by
// its first moment in the period.
func Weeks(r report.Range) []time.Time {
	g := gridOf(r)
	out := make([]time.Time, len(g.starts))
	for i, w := range g.starts {
		out[i] = fromMS(w).In(r.From.Location())
	}
	return out
}

// WeeklyActive counts, for each week of the period (see Weeks), the
// distinct members who posted or answered, in one group or, with chatID 0,
// in all. Weeks without activity are listed with 0. Whole weeks are read
// from week_counts, the cut ones at the period's edges from the raw rows.
func (rd *Reader) WeeklyActive(ctx context.Context, r report.Range, chatID int64) ([]report.WeekCount, error) {
	return rd.weekly(ctx, r, `
		WITH `+teachersCTE+`,
		grp AS MATERIALIZED (SELECT id FROM chats WHERE type = 'group' AND created_at < ?2 AND (?7 = 0 OR id = ?7)),
		-- The teachers' active weeks, read from the teachers' side (CROSS
		-- JOIN keeps SQLite's order): from the weeks' side, every week of
		-- the year read all of program_weeks (4.5 s for a year of 50,000
		-- members).
		tw AS MATERIALIZED (
			SELECT pw.week, COUNT(*) AS n FROM teachers t CROSS JOIN program_weeks pw
				WHERE ?7 = 0 AND pw.member_id = t.id AND pw.week >= ?5 AND pw.week < ?6 GROUP BY pw.week
			UNION ALL SELECT mw.week, COUNT(*) FROM teachers t CROSS JOIN member_weeks mw
				WHERE ?7 <> 0 AND mw.chat_id = ?7 AND mw.member_id = t.id AND mw.week >= ?5 AND mw.week < ?6 GROUP BY mw.week)
		SELECT wc.week, wc.active - COALESCE((SELECT SUM(n) FROM tw WHERE tw.week = wc.week), 0)
		FROM week_counts wc WHERE wc.chat_id = ?7 AND wc.week >= ?5 AND wc.week < ?6
		UNION ALL
		SELECT w, COUNT(DISTINCT member_id) FROM (
			SELECT `+weekOfAt("e.at")+` AS w, e.member_id FROM grp JOIN engagement e ON e.chat_id = grp.id AND e.at >= ?1 AND e.at < ?5
				WHERE e.kind IN `+activeKinds+`
			UNION ALL SELECT `+weekOfAt("e.at")+`, e.member_id FROM grp JOIN engagement e ON e.chat_id = grp.id AND e.at >= ?6 AND e.at < ?2
				WHERE e.kind IN `+activeKinds+`) AS edges
		WHERE member_id NOT IN (SELECT id FROM teachers)
		GROUP BY w`, chatID)
}

// weekly runs a query that counts per week of the period, given span.args
// and ?8 and ?9 for weekOfAt, as (a Monday in Unix ms, count) rows, and
// returns every week of the period (see Weeks), those without a row at
// 0. A week that a cut week joined adds up the rows of both; a query
// counting distinct members puts them under one Monday with weekOfAt.
func (rd *Reader) weekly(ctx context.Context, r report.Range, query string, chatID int64) ([]report.WeekCount, error) {
	weeks, g := Weeks(r), gridOf(r)
	out := make([]report.WeekCount, len(weeks))
	for i, w := range weeks {
		out[i].Week = w
	}
	rows, err := rd.db.QueryContext(ctx, query, append(spanOf(r).args(chatID), g.first, g.last)...)
	if err != nil {
		return nil, fmt.Errorf("weekly figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var monday int64
		var n int
		if err := rows.Scan(&monday, &n); err != nil {
			return nil, fmt.Errorf("weekly figures: %w", err)
		}
		out[g.index(monday)].Count += n
	}
	return out, rows.Err()
}

// Summary returns the figures of all groups together, or of one group
// with chatID: members and active members counted once however many
// groups they are in.
func (rd *Reader) Summary(ctx context.Context, r report.Range, chatID int64) (report.GroupFigures, error) {
	g := report.GroupFigures{ChatID: chatID}
	err := rd.db.QueryRowContext(ctx, figuresCTE+`
		SELECT
			(SELECT COUNT(DISTINCT cm.member_id) FROM grp JOIN chat_members cm ON cm.chat_id = grp.id AND cm.joined_at < ?2
				WHERE cm.member_id NOT IN (SELECT id FROM teachers)),
			(SELECT COUNT(DISTINCT member_id) FROM active),
			(SELECT COALESCE(SUM(messages), 0) FROM counts),
			(SELECT COALESCE(SUM(answers), 0) FROM counts),
			(SELECT COALESCE(SUM(correct), 0) FROM counts),
			(SELECT COALESCE(SUM(started), 0) FROM run_counts),
			(SELECT COALESCE(SUM(finished), 0) FROM run_counts),
			(SELECT COALESCE(SUM(opened), 0) FROM case_counts),
			(SELECT COALESCE(SUM(escalated), 0) FROM case_counts),
			(SELECT COALESCE(SUM(bytes), 0) FROM media_counts)`,
		spanOf(r).args(chatID)...).Scan(&g.Members, &g.Active, &g.Messages, &g.Answers, &g.Correct, &g.LessonsStarted, &g.LessonsFinished, &g.Cases, &g.Escalated, &g.MediaBytes)
	if err != nil {
		return g, fmt.Errorf("summary: %w", err)
	}
	return g, nil
}

// Ping reports whether the database answers a read.
func (r *Reader) Ping(ctx context.Context) error {
	var v int64
	if err := r.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&v); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}
