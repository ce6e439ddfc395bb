package store

import (
	"context"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// SetStaff records the programme's staff and its mentors as the
// configuration names them, in place of those recorded before: the
// figures leave them out of a group's members and active members, as
// they leave out the mentors added by command.
func (d *DB) SetStaff(ctx context.Context, staff, mentors []bot.StaffRef) error {
	return d.update(ctx, func(t *Tx) error {
		if _, err := t.exec(`DELETE FROM staff`); err != nil {
			return fmt.Errorf("set staff: %w", err)
		}
		for role, refs := range map[string][]bot.StaffRef{"staff": staff, "mentor": mentors} {
			for _, s := range refs {
				if _, err := t.exec(`INSERT INTO staff (channel, ref, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, s.Channel, s.ID, role); err != nil {
					return fmt.Errorf("set %s %s: %w", role, s, err)
				}
			}
		}
		return nil
	})
}

// teachersCTE selects teachers(id, role): the members who teach rather
// than learn, mentors and staff, one named in the configuration matched
// as bot.StaffRef.Matches does (the platform id or its alias, with or
// without its @server). A member may have both roles ("mentor" comes
// first).
const teachersCTE = `teachers AS MATERIALIZED (
		SELECT member_id AS id, 'mentor' AS role FROM mentors
		UNION SELECT m.id, s.role FROM staff s JOIN members m ON m.channel = s.channel AND (m.platform_id = s.ref OR m.alias = s.ref
			OR substr(m.platform_id, 1, length(s.ref) + 1) = s.ref || '@' OR substr(m.alias, 1, length(s.ref) + 1) = s.ref || '@'))`

// Teachers returns the mentors and staff among the members, by id, with
// "mentor" or "staff": the dashboard names them, and counts them apart.
func (rd *Reader) Teachers(ctx context.Context) (map[int64]string, error) {
	rows, err := rd.db.QueryContext(ctx, `WITH `+teachersCTE+`
		SELECT id, MIN(role) FROM teachers GROUP BY id`)
	if err != nil {
		return nil, fmt.Errorf("teachers: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return nil, fmt.Errorf("teachers: %w", err)
		}
		out[id] = role
	}
	return out, rows.Err()
}
