package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/huddlebot/huddle/report"
)

// GroupMembers lists a group's members with their activity in the
// period, the most active first.
func (rd *Reader) GroupMembers(ctx context.Context, r report.Range, chatID int64) ([]report.MemberActivity, error) {
	from, to := ms(r.From), ms(r.To)
	g := gridOf(r)
	rows, err := rd.db.QueryContext(ctx, `
		SELECT m.id, m.name, COALESCE(m.pseudonym, ''),
			(SELECT MAX(e.at) FROM engagement e WHERE e.chat_id = ?3 AND e.member_id = m.id
				AND e.kind IN ('message', 'command', 'answer', 'option', 'case_reply')),
			(SELECT COUNT(*) FROM engagement e WHERE e.chat_id = ?3 AND e.member_id = m.id AND e.at >= ?1 AND e.at < ?2
				AND e.kind IN ('message', 'command', 'case_reply')),
			(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id = ?3 AND a.member_id = m.id
				AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> ''),
			(SELECT COUNT(*) FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.chat_id = ?3 AND a.member_id = m.id
				AND a.answered_at >= ?1 AND a.answered_at < ?2 AND a.max_points > 0 AND a.value <> '' AND a.correct = 1)
		FROM chat_members cm JOIN members m ON m.id = cm.member_id
		WHERE cm.chat_id = ?3 AND cm.joined_at < ?2`, from, to, chatID)
	if err != nil {
		return nil, fmt.Errorf("group members: %w", err)
	}
	var out []report.MemberActivity
	index := map[int64]int{}
	for rows.Next() {
		a := report.MemberActivity{Weeks: make([]int, len(g.starts))}
		var last *int64
		if err := rows.Scan(&a.MemberID, &a.Name, &a.Pseudonym, &last, &a.Messages, &a.Answers, &a.Correct); err != nil {
			rows.Close()
			return nil, fmt.Errorf("group members: %w", err)
		}
		if last != nil {
			a.Last = fromMS(*last)
		}
		index[a.MemberID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	rows, err = rd.db.QueryContext(ctx, `
		SELECT e.member_id, `+mondayOf("e.at")+`, COUNT(*) FROM engagement e
		WHERE e.chat_id = ?3 AND e.at >= ?1 AND e.at < ?2 AND e.kind IN `+activeKinds+`
		GROUP BY 1, 2`, from, to, chatID)
	if err != nil {
		return nil, fmt.Errorf("group members' weeks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, w int64
		var n int
		if err := rows.Scan(&id, &w, &n); err != nil {
			return nil, fmt.Errorf("group members' weeks: %w", err)
		}
		if i, ok := index[id]; ok {
			out[i].Weeks[g.index(w)] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortByActivity(out)
	return out, nil
}

// sortByActivity orders members by their activity in the period, then by
// how recently they were active.
func sortByActivity(ms []report.MemberActivity) {
	slices.SortStableFunc(ms, func(a, b report.MemberActivity) int {
		if c := cmp.Compare(b.Messages+b.Answers, a.Messages+a.Answers); c != 0 {
			return c
		}
		return b.Last.Compare(a.Last)
	})
}

// Member returns one member's record for the period.
func (rd *Reader) Member(ctx context.Context, r report.Range, memberID int64) (report.MemberSummary, error) {
	s := report.MemberSummary{MemberID: memberID, Activity: map[string]int{}}
	from, to := ms(r.From), ms(r.To)
	if err := rd.db.QueryRowContext(ctx, `SELECT name, COALESCE(pseudonym, '') FROM members WHERE id = ?`, memberID).Scan(&s.Name, &s.Pseudonym); err != nil {
		return s, fmt.Errorf("member %d: %w", memberID, err)
	}
	rows, err := rd.db.QueryContext(ctx, `SELECT c.title FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
		WHERE cm.member_id = ? AND c.type = 'group' ORDER BY c.title`, memberID)
	if err != nil {
		return s, fmt.Errorf("member %d: %w", memberID, err)
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return s, err
		}
		s.Groups = append(s.Groups, t)
	}
	rows.Close()
	rows, err = rd.db.QueryContext(ctx, `
		SELECT r.id, r.lesson_id, c.title, r.status, r.started_at, COUNT(CASE WHEN a.value <> '' THEN 1 END), COUNT(CASE WHEN a.value <> '' AND a.correct = 1 THEN 1 END),
			SUM(a.points), SUM(a.max_points)
		FROM answers a JOIN runs r ON r.id = a.run_id JOIN chats c ON c.id = r.chat_id
		WHERE a.member_id = ?1 AND a.max_points > 0 AND r.started_at < ?3 AND (r.finished_at IS NULL OR r.finished_at >= ?2)
		GROUP BY r.id, c.title ORDER BY r.started_at`, memberID, from, to)
	if err != nil {
		return s, fmt.Errorf("member %d runs: %w", memberID, err)
	}
	for rows.Next() {
		var mr report.MemberRun
		var started int64
		if err := rows.Scan(&mr.RunID, &mr.LessonID, &mr.ChatTitle, &mr.Status, &started, &mr.Answered, &mr.Correct, &mr.Points, &mr.MaxPoints); err != nil {
			rows.Close()
			return s, fmt.Errorf("member %d runs: %w", memberID, err)
		}
		mr.Started = fromMS(started)
		s.Runs = append(s.Runs, mr)
	}
	rows.Close()
	rows, err = rd.db.QueryContext(ctx, `SELECT kind, COUNT(*) FROM engagement WHERE member_id = ?1 AND at >= ?2 AND at < ?3 GROUP BY kind`,
		memberID, from, to)
	if err != nil {
		return s, fmt.Errorf("member %d activity: %w", memberID, err)
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return s, err
		}
		s.Activity[k] = n
	}
	rows.Close()
	err = rd.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE author_id = ?1 AND created_at >= ?2 AND created_at < ?3`,
		memberID, from, to).Scan(&s.Cases)
	return s, err
}

// GroupAssignments lists a group's assigned lessons, soonest first.
func (rd *Reader) GroupAssignments(ctx context.Context, chatID int64) ([]report.GroupAssignment, error) {
	rows, err := rd.db.QueryContext(ctx, `SELECT lesson_id, next_at FROM assignments WHERE chat_id = ? ORDER BY next_at`, chatID)
	if err != nil {
		return nil, fmt.Errorf("assignments of group %d: %w", chatID, err)
	}
	defer rows.Close()
	var out []report.GroupAssignment
	for rows.Next() {
		var a report.GroupAssignment
		var next int64
		if err := rows.Scan(&a.LessonID, &next); err != nil {
			return nil, fmt.Errorf("assignments of group %d: %w", chatID, err)
		}
		a.Next = fromMS(next)
		out = append(out, a)
	}
	return out, rows.Err()
}
