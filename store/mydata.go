package store

import (
	"database/sql"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// chatLabel names a chat in a member's data: a group by its title, the
// private chat as "private".
const chatLabel = `CASE c.type WHEN 'direct' THEN 'private' ELSE c.title END`

// MemberData gathers everything Huddle holds about a member, for /mydata:
// a part for each column that refers to members (TestForgetLeavesNothing
// checks that the file /mydata sends covers them all), and their answer to
// the privacy notice.
func (t *Tx) MemberData(memberID int64) (bot.MemberData, error) {
	var d bot.MemberData
	m, err := scanMember(t.row(`SELECT `+memberColumns+` FROM members m WHERE m.id = ?`, memberID))
	if err != nil {
		return d, fmt.Errorf("data of member %d: %w", memberID, notFound(err))
	}
	d.Member = m
	if d.Consent, err = t.Consent(m.Channel, m.PlatformIDs()...); err != nil {
		return d, err
	}
	var runs map[int64]int // run id -> index in d.Runs, once they are read
	parts := []struct {
		what, query string
		scan        func(*sql.Rows) error
	}{
		{"chats", `SELECT c.title, c.type, cm.joined_at, cm.last_seen_at, cm.left_at FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
			WHERE cm.member_id = ? ORDER BY cm.joined_at, c.id`, func(rows *sql.Rows) error {
			var c bot.MemberChat
			var joined, seen int64
			var left sql.NullInt64
			err := rows.Scan(&c.Title, &c.Type, &joined, &seen, &left)
			c.Joined, c.LastSeen = fromMS(joined), fromMS(seen)
			if left.Valid {
				c.Left = fromMS(left.Int64)
			}
			d.Chats = append(d.Chats, c)
			return err
		}},
		{"lesson runs", `SELECT r.id, r.lesson_id, ` + chatLabel + `, r.status, CASE WHEN r.started_by = ?1 THEN 1 ELSE 0 END, r.started_at, r.finished_at,
			(SELECT rm.state FROM run_members rm WHERE rm.run_id = r.id AND rm.member_id = ?1)
			FROM runs r JOIN chats c ON c.id = r.chat_id
			WHERE r.started_by = ?1 OR r.id IN (SELECT run_id FROM answers WHERE member_id = ?1)
			OR r.id IN (SELECT run_id FROM run_members WHERE member_id = ?1) ORDER BY r.started_at, r.id`, func(rows *sql.Rows) error {
			var r bot.MemberRun
			var started int64
			var finished sql.NullInt64
			err := rows.Scan(&r.ID, &r.LessonID, &r.Chat, &r.Status, &r.StartedByThem, &started, &finished, &r.Part)
			r.Started, r.Finished = fromMS(started), nullMS(finished)
			d.Runs = append(d.Runs, r)
			return err
		}},
		{"answers", `SELECT run_id, step_id, value, correct, points, max_points, answered_at FROM answers
			WHERE member_id = ? ORDER BY answered_at, run_id, seq`, func(rows *sql.Rows) error {
			var a bot.MemberAnswer
			var run, at int64
			if err := rows.Scan(&run, &a.Step, &a.Value, &a.Correct, &a.Points, &a.MaxPoints, &at); err != nil {
				return err
			}
			a.At = fromMS(at)
			if runs == nil {
				runs = make(map[int64]int, len(d.Runs))
				for i, r := range d.Runs {
					runs[r.ID] = i
				}
			}
			i, ok := runs[run]
			if !ok {
				return fmt.Errorf("answer in run %d, which is not among the member's runs", run)
			}
			d.Runs[i].Answers = append(d.Runs[i].Answers, a)
			return nil
		}},
		{"cases", `SELECT k.id, ` + chatLabel + `, k.text, k.status, k.created_at FROM cases k JOIN chats c ON c.id = k.chat_id
			WHERE k.author_id = ? ORDER BY k.id`, func(rows *sql.Rows) error {
			return scanMemberCase(rows, &d.Cases)
		}},
		{"held cases", `SELECT k.id, ` + chatLabel + `, k.text, 'held', k.created_at FROM pending_cases k JOIN chats c ON c.id = k.chat_id
			WHERE k.author_id = ? ORDER BY k.id`, func(rows *sql.Rows) error {
			return scanMemberCase(rows, &d.Held)
		}},
		{"case posts", `SELECT case_id, kind, text, at FROM case_posts WHERE member_id = ? ORDER BY at, id`, func(rows *sql.Rows) error {
			var p bot.MemberPost
			var at int64
			err := rows.Scan(&p.CaseID, &p.Kind, &p.Text, &at)
			p.At = fromMS(at)
			d.Posts = append(d.Posts, p)
			return err
		}},
		{"mentor queues", `SELECT queue FROM mentors WHERE member_id = ? ORDER BY queue`, func(rows *sql.Rows) error {
			var q string
			err := rows.Scan(&q)
			d.Queues = append(d.Queues, q)
			return err
		}},
		{"mentor digest", `SELECT sent_at FROM mentor_digests WHERE member_id = ?`, func(rows *sql.Rows) error {
			var at int64
			err := rows.Scan(&at)
			d.DigestSent = fromMS(at)
			return err
		}},
		{"mentored cases", `SELECT id FROM cases WHERE assigned_to = ? ORDER BY id`, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			d.Mentored = append(d.Mentored, id)
			return err
		}},
		{"assignments", `SELECT a.lesson_id, ` + chatLabel + `, a.next_at FROM assignments a JOIN chats c ON c.id = a.chat_id
			WHERE a.assigned_by = ? ORDER BY a.id`, func(rows *sql.Rows) error {
			var a bot.MemberAssignment
			var next int64
			err := rows.Scan(&a.LessonID, &a.Chat, &next)
			a.Next = fromMS(next)
			d.Assigned = append(d.Assigned, a)
			return err
		}},
		{"courses started", `SELECT h.course_id, ` + chatLabel + `, h.started_at FROM cohorts h JOIN chats c ON c.id = h.chat_id
			WHERE h.started_by = ? ORDER BY h.id`, func(rows *sql.Rows) error {
			var a bot.MemberCourse
			var at int64
			err := rows.Scan(&a.CourseID, &a.Chat, &at)
			a.Started = fromMS(at)
			d.Courses = append(d.Courses, a)
			return err
		}},
		{"course results", `SELECT h.course_id, ` + chatLabel + `, r.took, r.passed_lessons, r.passed, r.at FROM course_results r
			JOIN cohorts h ON h.id = r.cohort_id JOIN chats c ON c.id = h.chat_id WHERE r.member_id = ? ORDER BY r.at, h.id`, func(rows *sql.Rows) error {
			var r bot.MemberCourseResult
			var at int64
			err := rows.Scan(&r.CourseID, &r.Chat, &r.Took, &r.Lessons, &r.Passed, &at)
			r.At = fromMS(at)
			d.CourseResults = append(d.CourseResults, r)
			return err
		}},
		{"certificates", `SELECT ` + certificateColumns + ` FROM certificates WHERE member_id = ? ORDER BY issued_at, code`, func(rows *sql.Rows) error {
			c, err := scanCertificate(rows)
			d.Certificates = append(d.Certificates, c)
			return err
		}},
		{"badges", `SELECT badge, earned_at FROM badges WHERE member_id = ? ORDER BY earned_at, badge`, func(rows *sql.Rows) error {
			var b bot.Badge
			var at int64
			err := rows.Scan(&b.Badge, &at)
			b.Earned = fromMS(at)
			d.Badges = append(d.Badges, b)
			return err
		}},
		{"photos and voice notes", `SELECT ` + attachmentColumns + ` FROM attachments WHERE member_id = ? ORDER BY id`, func(rows *sql.Rows) error {
			a, err := scanAttachment(rows)
			d.Attachments = append(d.Attachments, a)
			return err
		}},
		{"helpful marks", `SELECT case_id FROM case_posts WHERE helpful_by = ? ORDER BY id`, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			d.MarkedHelpful = append(d.MarkedHelpful, id)
			return err
		}},
		{"activity", `SELECT kind, count(*) FROM engagement WHERE member_id = ? GROUP BY kind`, func(rows *sql.Rows) error {
			var kind string
			var n int
			err := rows.Scan(&kind, &n)
			if d.Activity == nil {
				d.Activity = make(map[string]int)
			}
			d.Activity[kind] = n
			return err
		}},
		{"active weeks", `SELECT ` + chatLabel + `, w.week FROM member_weeks w JOIN chats c ON c.id = w.chat_id
			WHERE w.member_id = ? ORDER BY w.week, c.id`, func(rows *sql.Rows) error {
			var w bot.MemberWeek
			var week int64
			err := rows.Scan(&w.Chat, &week)
			w.Week = fromMS(week).UTC()
			d.Weeks = append(d.Weeks, w)
			return err
		}},
		{"review preferences", `SELECT member_id, enabled, from_minute, to_minute, nudge_off, nudged_at, cert_name, time_zone, no_streaks
			FROM review_prefs WHERE member_id = ?`, func(rows *sql.Rows) error {
			var p bot.ReviewPrefs
			var nudged int64
			err := rows.Scan(&p.MemberID, &p.On, &p.From, &p.To, &p.NoNudges, &nudged, &p.CertName, &p.TimeZone, &p.NoStreaks)
			p.Nudged = fromMS(nudged)
			d.Review.Prefs = &p
			return err
		}},
		{"review cards", `SELECT ` + reviewColumns + ` FROM review_cards WHERE member_id = ? ORDER BY due_at, lesson_id, step_key`, func(rows *sql.Rows) error {
			c, err := scanReview(rows)
			d.Review.Cards = append(d.Review.Cards, c)
			return err
		}},
		{"reviews", `SELECT lesson_id, step_key, "right", at FROM review_log WHERE member_id = ? ORDER BY at`, func(rows *sql.Rows) error {
			var r bot.MemberReviewed
			var at int64
			err := rows.Scan(&r.LessonID, &r.StepKey, &r.Right, &at)
			r.At = fromMS(at)
			d.Review.Reviews = append(d.Review.Reviews, r)
			return err
		}},
		{"program weeks", `SELECT week FROM program_weeks WHERE member_id = ? ORDER BY week`, func(rows *sql.Rows) error {
			var week int64
			err := rows.Scan(&week)
			d.ProgramWeeks = append(d.ProgramWeeks, fromMS(week).UTC())
			return err
		}},
	}
	for _, p := range parts {
		if err := t.scanRows(p.query, []any{memberID}, p.scan); err != nil {
			return d, fmt.Errorf("data of member %d: %s: %w", memberID, p.what, err)
		}
	}
	for i, a := range d.Attachments {
		data, err := t.AttachmentData(a)
		if err != nil {
			return d, fmt.Errorf("data of member %d: %s %d: %w", memberID, a.Kind, a.ID, err)
		}
		d.Attachments[i].Data = data
	}
	return d, nil
}

// scanMemberCase appends a case row (id, chat, text, status, created) to cases.
func scanMemberCase(rows *sql.Rows, cases *[]bot.MemberCase) error {
	var c bot.MemberCase
	var created int64
	err := rows.Scan(&c.ID, &c.Chat, &c.Text, &c.Status, &created)
	c.Created = fromMS(created)
	*cases = append(*cases, c)
	return err
}

// scanRows runs query and calls scan on each row.
func (t *Tx) scanRows(query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := t.query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
