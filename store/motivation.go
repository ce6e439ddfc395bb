package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// streakWeeks bounds how far back a streak is counted: a year.
const streakWeeks = 52

// MarkHelpful marks a peer's case reply helpful, by a mentor.
func (t *Tx) MarkHelpful(chatID int64, messageID string, mentorID int64) (bot.CasePost, error) {
	var p bot.CasePost
	var at int64
	err := t.row(`UPDATE case_posts SET helpful_by = ?1
		WHERE id = (SELECT p.id FROM case_posts p JOIN cases c ON c.id = p.case_id
			WHERE p.message_id = ?2 AND c.chat_id = ?3 AND p.kind = 'reply' AND p.member_id IS NOT NULL AND p.member_id <> ?1
			ORDER BY p.id DESC LIMIT 1)
		RETURNING id, case_id, member_id, kind, text, message_id, at`, mentorID, messageID, chatID).
		Scan(&p.ID, &p.CaseID, &p.MemberID, &p.Kind, &p.Text, &p.MessageID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("case reply %s in chat %d: %w", messageID, chatID, bot.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("mark case reply %s helpful: %w", messageID, err)
	}
	p.At = fromMS(at)
	return p, nil
}

// AwardBadge records a badge, once.
func (t *Tx) AwardBadge(b bot.Badge) (bool, error) {
	res, err := t.exec(`INSERT INTO badges (member_id, badge, earned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		b.MemberID, b.Badge, ms(b.Earned))
	if err != nil {
		return false, fmt.Errorf("badge %s for member %d: %w", b.Badge, b.MemberID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MemberBadges lists a member's badges, oldest first.
func (t *Tx) MemberBadges(memberID int64) ([]bot.Badge, error) {
	return t.badges(`SELECT b.member_id, b.badge, b.earned_at, COALESCE(m.pseudonym, '') FROM badges b JOIN members m ON m.id = b.member_id
		WHERE b.member_id = ? ORDER BY b.earned_at, b.badge`, memberID)
}

// GroupBadges lists the badges earned since since by a chat's members
// who show their streaks.
func (t *Tx) GroupBadges(chatID int64, since time.Time) ([]bot.Badge, error) {
	return t.badges(`SELECT b.member_id, b.badge, b.earned_at, COALESCE(m.pseudonym, '') FROM badges b
		JOIN chat_members cm ON cm.member_id = b.member_id AND cm.chat_id = ? JOIN members m ON m.id = b.member_id
		WHERE b.earned_at >= ? AND NOT EXISTS (SELECT 1 FROM review_prefs p WHERE p.member_id = b.member_id AND p.no_streaks = 1)
		ORDER BY b.earned_at, m.pseudonym`, chatID, ms(since))
}

func (t *Tx) badges(query string, args ...any) ([]bot.Badge, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("badges: %w", err)
	}
	defer rows.Close()
	var out []bot.Badge
	for rows.Next() {
		var b bot.Badge
		var at int64
		if err := rows.Scan(&b.MemberID, &b.Badge, &at, &b.Pseudonym); err != nil {
			return nil, fmt.Errorf("badges: %w", err)
		}
		b.Earned = fromMS(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

// GroupWeek returns a chat's figures for the week from week.
func (t *Tx) GroupWeek(chatID int64, week time.Time) (bot.GroupWeek, error) {
	from, to := ms(week), ms(week)+7*day
	var g bot.GroupWeek
	err := t.row(`SELECT
			(SELECT COUNT(*) FROM member_weeks WHERE chat_id = ?1 AND week = ?2),
			COALESCE((SELECT SUM(answers) FROM chat_days WHERE chat_id = ?1 AND day >= ?2 AND day < ?3), 0),
			COALESCE((SELECT SUM(correct) FROM chat_days WHERE chat_id = ?1 AND day >= ?2 AND day < ?3), 0),
			(SELECT COUNT(*) FROM cases WHERE chat_id = ?1 AND created_at >= ?2 AND created_at < ?3)`, chatID, from, to).
		Scan(&g.Active, &g.Answers, &g.Correct, &g.Cases)
	if err != nil {
		return g, fmt.Errorf("week of chat %d: %w", chatID, err)
	}
	return g, nil
}

// GroupStreaks lists the streaks of two weeks or more, up to week, of
// the chat's members who show them, longest first.
func (t *Tx) GroupStreaks(chatID int64, week time.Time) ([]bot.Streak, error) {
	rows, err := t.query(`SELECT w.member_id, COALESCE(m.pseudonym, ''), w.week FROM member_weeks w JOIN members m ON m.id = w.member_id
		WHERE w.chat_id = ?1 AND w.week <= ?2 AND w.week > ?3
			AND w.member_id IN (SELECT member_id FROM member_weeks WHERE chat_id = ?1 AND week = ?2)
			AND NOT EXISTS (SELECT 1 FROM review_prefs p WHERE p.member_id = w.member_id AND p.no_streaks = 1)
		ORDER BY w.member_id, w.week DESC`, chatID, ms(week), ms(week)-streakWeeks*7*day)
	if err != nil {
		return nil, fmt.Errorf("streaks in chat %d: %w", chatID, err)
	}
	defer rows.Close()
	var out []bot.Streak
	var cur *bot.Streak
	var broken bool
	for rows.Next() {
		var s bot.Streak
		var w int64
		if err := rows.Scan(&s.MemberID, &s.Pseudonym, &w); err != nil {
			return nil, fmt.Errorf("streaks in chat %d: %w", chatID, err)
		}
		if cur == nil || cur.MemberID != s.MemberID {
			out = append(out, s)
			cur, broken = &out[len(out)-1], false
		}
		// Weeks come newest first: the streak runs while none is missing.
		if !broken && w == ms(week)-int64(cur.Weeks)*7*day {
			cur.Weeks++
		} else {
			broken = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out = slices.DeleteFunc(out, func(s bot.Streak) bool { return s.Weeks < 2 })
	slices.SortStableFunc(out, func(a, b bot.Streak) int {
		if c := cmp.Compare(b.Weeks, a.Weeks); c != 0 {
			return c
		}
		return cmp.Compare(a.Pseudonym, b.Pseudonym)
	})
	return out, nil
}

// ProgramStreak is a member's weeks in a row active in any group, up to
// week.
func (t *Tx) ProgramStreak(memberID int64, week time.Time) (int, error) {
	rows, err := t.query(`SELECT week FROM program_weeks WHERE member_id = ? AND week <= ? ORDER BY week DESC LIMIT ?`,
		memberID, ms(week), streakWeeks)
	if err != nil {
		return 0, fmt.Errorf("streak of member %d: %w", memberID, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var w int64
		if err := rows.Scan(&w); err != nil {
			return 0, fmt.Errorf("streak of member %d: %w", memberID, err)
		}
		if w != ms(week)-int64(n)*7*day {
			break
		}
		n++
	}
	return n, rows.Err()
}

// MarkSummary records that a chat was sent week's summary, once.
func (t *Tx) MarkSummary(chatID int64, week time.Time) (bool, error) {
	res, err := t.exec(`INSERT INTO group_summaries (chat_id, week) VALUES (?, ?) ON CONFLICT DO NOTHING`, chatID, ms(week))
	if err != nil {
		return false, fmt.Errorf("summary of chat %d: %w", chatID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SummaryDue lists up to limit groups active in week and not yet sent
// its summary.
func (d *DB) SummaryDue(ctx context.Context, week time.Time, limit int) ([]bot.Chat, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT c.id, c.channel, c.platform_id, c.type, c.title, c.lang FROM chats c
		WHERE c.type = 'group' AND c.id IN (SELECT chat_id FROM week_counts WHERE week = ?1 AND chat_id > 0 AND active > 0)
			AND NOT EXISTS (SELECT 1 FROM group_summaries s WHERE s.chat_id = c.id AND s.week = ?1)
		ORDER BY c.id LIMIT ?2`, ms(week), limit)
	if err != nil {
		return nil, fmt.Errorf("summaries due: %w", err)
	}
	defer rows.Close()
	var out []bot.Chat
	for rows.Next() {
		var c bot.Chat
		if err := rows.Scan(&c.ID, &c.Channel, &c.PlatformID, &c.Type, &c.Title, &c.Lang); err != nil {
			return nil, fmt.Errorf("summaries due: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// HelpfulCounts counts each member's case replies marked helpful.
func (d *DB) HelpfulCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT member_id, COUNT(*) FROM case_posts
		WHERE helpful_by IS NOT NULL AND member_id IS NOT NULL GROUP BY member_id`)
	if err != nil {
		return nil, fmt.Errorf("helpful replies: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("helpful replies: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// ActiveIn lists the members active in any group in week.
func (d *DB) ActiveIn(ctx context.Context, week time.Time) ([]int64, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT member_id FROM program_weeks WHERE week = ? ORDER BY member_id`, ms(week))
	if err != nil {
		return nil, fmt.Errorf("members active: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("members active: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
