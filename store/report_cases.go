package store

import (
	"context"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/report"
)

// caseScope picks the cases opened in a period, maybe in one group: ?1
// from, ?2 to, ?3 chat or 0.
const caseScope = `k.created_at >= ?1 AND k.created_at < ?2 AND (?3 = 0 OR k.chat_id = ?3)`

// CaseStats summarises the cases opened in the period.
func (rd *Reader) CaseStats(ctx context.Context, r report.Range, chatID int64) (report.CaseFigures, error) {
	var f report.CaseFigures
	args := []any{ms(r.From), ms(r.To), chatID}
	err := rd.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(k.escalated_at), COUNT(k.first_answer_at), COUNT(k.overdue_at),
			COUNT(CASE WHEN `+fromArchive+` THEN 1 END), COUNT(CASE WHEN `+byPeers+` THEN 1 END)
		FROM cases k WHERE `+caseScope, args...).Scan(&f.Cases, &f.Escalated, &f.Answered, &f.Overdue, &f.FromArchive, &f.ByPeers)
	if err != nil {
		return f, fmt.Errorf("case figures: %w", err)
	}
	for _, d := range []struct {
		out  *report.Durations
		wait string
	}{
		{&f.FirstReply, "k.first_reply_at - k.created_at"},
		{&f.ToMentor, "k.assigned_at - k.escalated_at"},
		{&f.ToAnswer, "k.first_answer_at - k.escalated_at"},
	} {
		if *d.out, err = rd.durations(ctx, d.wait, args); err != nil {
			return f, err
		}
	}
	return f, nil
}

// durations summarises the wait expression over the cases in scope where
// it is known: the median and 90th percentile by rank (nearest rank).
func (rd *Reader) durations(ctx context.Context, wait string, args []any) (report.Durations, error) {
	var d report.Durations
	var median, p90 int64
	err := rd.db.QueryRowContext(ctx, `
		WITH w AS (SELECT `+wait+` AS d FROM cases k WHERE `+caseScope+` AND `+wait+` IS NOT NULL AND `+wait+` >= 0),
		ranked AS (SELECT d, ROW_NUMBER() OVER (ORDER BY d) AS n, COUNT(*) OVER () AS total FROM w)
		SELECT COALESCE(MAX(total), 0),
			COALESCE(MAX(CASE WHEN n = (total + 1) / 2 THEN d END), 0),
			COALESCE(MAX(CASE WHEN n = (9 * total + 9) / 10 THEN d END), 0)
		FROM ranked`, args...).Scan(&d.Count, &median, &p90)
	if err != nil {
		return d, fmt.Errorf("case waits: %w", err)
	}
	d.Median, d.P90 = time.Duration(median)*time.Millisecond, time.Duration(p90)*time.Millisecond
	return d, nil
}

// How a case was settled, for the figures: from the archive (its author
// said an offered case answers it), by a mentor's answer, or by peers
// (closed without either); open otherwise.
const (
	fromArchive = `k.answered_from IS NOT NULL`
	byMentor    = `k.answered_from IS NULL AND k.first_answer_at IS NOT NULL`
	byPeers     = `k.answered_from IS NULL AND k.first_answer_at IS NULL AND k.status = 'closed'`
	stillOpen   = `k.answered_from IS NULL AND k.first_answer_at IS NULL AND k.status <> 'closed'`
)

// CaseWeeks gives the cases' figures week by week of the period (see
// Weeks): the cases opened each week by how they were settled, and the
// mentors' load, cases going to a mentor and mentors' answers each week.
func (rd *Reader) CaseWeeks(ctx context.Context, r report.Range, chatID int64) (report.CaseWeeks, error) {
	var out report.CaseWeeks
	opened := func(how string) ([]int, error) {
		return rd.weekCounts(ctx, r, `SELECT `+mondayOf("k.created_at")+`, COUNT(*) FROM cases k
			WHERE k.created_at >= ?1 AND k.created_at < ?2 AND (?7 = 0 OR k.chat_id = ?7) AND `+how+` GROUP BY 1`, chatID)
	}
	at := func(col string) ([]int, error) {
		return rd.weekCounts(ctx, r, `SELECT `+mondayOf("k."+col)+`, COUNT(*) FROM cases k
			WHERE k.`+col+` >= ?1 AND k.`+col+` < ?2 AND (?7 = 0 OR k.chat_id = ?7) GROUP BY 1`, chatID)
	}
	var err error
	for _, f := range []struct {
		out *[]int
		get func() ([]int, error)
	}{
		{&out.ByPeers, func() ([]int, error) { return opened(byPeers) }},
		{&out.FromArchive, func() ([]int, error) { return opened(fromArchive) }},
		{&out.ByMentor, func() ([]int, error) { return opened(byMentor) }},
		{&out.Open, func() ([]int, error) { return opened(stillOpen) }},
		{&out.Assigned, func() ([]int, error) { return at("assigned_at") }},
		{&out.Answered, func() ([]int, error) { return at("first_answer_at") }},
	} {
		if *f.out, err = f.get(); err != nil {
			return out, fmt.Errorf("cases week by week: %w", err)
		}
	}
	out.Weeks = Weeks(r)
	return out, nil
}

// weekCounts is weekly's counts alone.
func (rd *Reader) weekCounts(ctx context.Context, r report.Range, query string, chatID int64) ([]int, error) {
	weeks, err := rd.weekly(ctx, r, query, chatID)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(weeks))
	for i, w := range weeks {
		out[i] = w.Count
	}
	return out, nil
}

// MentorLoads lists the mentors of the cases opened in the period, most
// assigned first.
func (rd *Reader) MentorLoads(ctx context.Context, r report.Range, chatID int64) ([]report.MentorLoad, error) {
	rows, err := rd.db.QueryContext(ctx, `
		WITH k AS (SELECT k.* FROM cases k WHERE `+caseScope+` AND k.assigned_to IS NOT NULL),
		w AS (SELECT assigned_to, first_answer_at - assigned_at AS d,
				ROW_NUMBER() OVER (PARTITION BY assigned_to ORDER BY first_answer_at - assigned_at) AS n,
				COUNT(*) OVER (PARTITION BY assigned_to) AS total
			FROM k WHERE first_answer_at IS NOT NULL)
		SELECT m.id, m.name, COALESCE(m.pseudonym, ''), COUNT(*), COUNT(k.first_answer_at), COUNT(CASE WHEN k.status = 'assigned' THEN 1 END),
			COALESCE((SELECT d FROM w WHERE w.assigned_to = m.id AND w.n = (w.total + 1) / 2), 0)
		FROM k JOIN members m ON m.id = k.assigned_to
		GROUP BY m.id ORDER BY 3 DESC, m.name`, ms(r.From), ms(r.To), chatID)
	if err != nil {
		return nil, fmt.Errorf("mentor loads: %w", err)
	}
	defer rows.Close()
	var out []report.MentorLoad
	for rows.Next() {
		var l report.MentorLoad
		var median int64
		if err := rows.Scan(&l.MemberID, &l.Name, &l.Pseudonym, &l.Assigned, &l.Answered, &l.Open, &median); err != nil {
			return nil, fmt.Errorf("mentor loads: %w", err)
		}
		l.MedianAnswer = time.Duration(median) * time.Millisecond
		out = append(out, l)
	}
	return out, rows.Err()
}
