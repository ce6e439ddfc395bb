package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Purged counts what a purge removed, or would remove, by what it is.
type Purged struct {
	// What names the data, as a person reads it; Rows counts it.
	What string
	Rows int64
}

// PurgedText stands in for text removed by retention: an answer's value
// (never empty, which means a missed question) and a thread reply.
const PurgedText = "[removed after the retention limit]"

// purgeBatch bounds the rows one purge transaction changes, so a first
// purge of a large database does not hold the writer for long.
const purgeBatch = 5000

// purgeStep is one kind of data a purge removes: count counts the rows
// older than the cutoff (its one argument), and change changes up to
// purgeBatch of them (cutoff, then the batch size).
type purgeStep struct {
	what, count, change string
	// pgCount and pgChange are PostgreSQL's count and change, where its
	// JSON functions differ from SQLite's.
	pgCount, pgChange string
}

// changeIn is the step's change in d's dialect.
func (st purgeStep) changeIn(d *DB) string {
	if d.pg && st.pgChange != "" {
		return st.pgChange
	}
	return st.change
}

// purgeSteps are what retention removes: what members wrote and what the
// bot said, and the activity log, older than the limit. Counts without
// identity (chat_days, week_counts), who was active which week
// (member_weeks), scores, and the de-identified cases and mentors' answers
// of the archive stay.
var purgeSteps = []purgeStep{
	{
		"activity log rows",
		`SELECT count(*) FROM engagement WHERE at < ?`,
		`DELETE FROM engagement WHERE id IN (SELECT id FROM engagement WHERE at < ? LIMIT ?)`,
		"", "",
	},
	{
		"typed quiz answers (the scores stay)",
		`SELECT count(*) FROM answers WHERE answered_at < ? AND value NOT IN ('', '` + PurgedText + `')`,
		`UPDATE answers SET value = '` + PurgedText + `' WHERE (member_id, run_id, seq) IN
			(SELECT member_id, run_id, seq FROM answers WHERE answered_at < ? AND value NOT IN ('', '` + PurgedText + `') LIMIT ?)`,
		"", "",
	},
	{
		"answers kept in finished lessons' state",
		`SELECT count(*) FROM runs WHERE status <> 'active' AND finished_at < ? AND (json_type(state, '$.vars') IS NOT NULL
			OR EXISTS (SELECT 1 FROM json_each(runs.state, '$.members') m WHERE json_type(m.value, '$.answers') IS NOT NULL))`,
		`UPDATE runs SET state = json_remove(json_set(state, '$.members', (SELECT json_group_object(m.key, json_remove(m.value, '$.answers'))
			FROM json_each(runs.state, '$.members') m)), '$.vars')
			WHERE id IN (SELECT id FROM runs WHERE status <> 'active' AND finished_at < ? AND (json_type(state, '$.vars') IS NOT NULL
			OR EXISTS (SELECT 1 FROM json_each(runs.state, '$.members') m WHERE json_type(m.value, '$.answers') IS NOT NULL)) LIMIT ?)`,
		`SELECT count(*) FROM runs WHERE status <> 'active' AND finished_at < ? AND (state -> 'vars' IS NOT NULL
			OR jsonb_path_exists(state, '$.members.*.answers'))`,
		`UPDATE runs SET state = jsonb_set(state - 'vars', '{members}', COALESCE((SELECT jsonb_object_agg(m.key, m.value - 'answers')
			FROM jsonb_each(CASE WHEN jsonb_typeof(state -> 'members') = 'object' THEN state -> 'members' END) m), '{}'))
			WHERE id IN (SELECT id FROM runs WHERE status <> 'active' AND finished_at < ? AND (state -> 'vars' IS NOT NULL
			OR jsonb_path_exists(state, '$.members.*.answers')) LIMIT ?)`,
	},
	{
		"answers kept in finished lessons' members' parts",
		`SELECT count(*) FROM run_members WHERE json_type(state, '$.answers') IS NOT NULL
			AND run_id IN (SELECT id FROM runs WHERE status <> 'active' AND finished_at < ?)`,
		`UPDATE run_members SET state = json_remove(state, '$.answers') WHERE (run_id, member_id) IN
			(SELECT run_id, member_id FROM run_members WHERE json_type(state, '$.answers') IS NOT NULL
			AND run_id IN (SELECT id FROM runs WHERE status <> 'active' AND finished_at < ?) LIMIT ?)`,
		`SELECT count(*) FROM run_members WHERE state -> 'answers' IS NOT NULL
			AND run_id IN (SELECT id FROM runs WHERE status <> 'active' AND finished_at < ?)`,
		`UPDATE run_members SET state = state - 'answers' WHERE (run_id, member_id) IN
			(SELECT run_id, member_id FROM run_members WHERE state -> 'answers' IS NOT NULL
			AND run_id IN (SELECT id FROM runs WHERE status <> 'active' AND finished_at < ?) LIMIT ?)`,
	},
	{
		"replies in case threads (mentors' answers stay)",
		`SELECT count(*) FROM case_posts WHERE kind = 'reply' AND at < ? AND text <> '` + PurgedText + `'`,
		`UPDATE case_posts SET text = '` + PurgedText + `' WHERE id IN (SELECT id FROM case_posts WHERE kind = 'reply' AND at < ? AND text <> '` + PurgedText + `' LIMIT ?)`,
		"", "",
	},
	{
		"photos and voice notes members sent",
		`SELECT count(*) FROM attachments WHERE created_at < ?`,
		`DELETE FROM attachments WHERE id IN (SELECT id FROM attachments WHERE created_at < ? LIMIT ?)`,
		"", "",
	},
	{
		"cases held back for their author",
		`SELECT count(*) FROM pending_cases WHERE created_at < ?`,
		`DELETE FROM pending_cases WHERE id IN (SELECT id FROM pending_cases WHERE created_at < ? LIMIT ?)`,
		"", "",
	},
	{
		"links to the bot's old messages",
		`SELECT count(*) FROM case_messages cm JOIN outbox o ON o.key = cm.outbox_key
			WHERE COALESCE(o.sent_at, o.given_up_at) < ?`,
		`DELETE FROM case_messages WHERE outbox_key IN (SELECT cm.outbox_key FROM case_messages cm JOIN outbox o ON o.key = cm.outbox_key
			WHERE COALESCE(o.sent_at, o.given_up_at) < ? LIMIT ?)`,
		"", "",
	},
	{
		"messages the bot sent",
		`SELECT count(*) FROM outbox WHERE COALESCE(sent_at, given_up_at) < ?`,
		`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE COALESCE(sent_at, given_up_at) < ? LIMIT ?)`,
		"", "",
	},
	{
		"delivery records of incoming messages",
		`SELECT count(*) FROM seen_events WHERE seen_at < ?`,
		`DELETE FROM seen_events WHERE id IN (SELECT id FROM seen_events WHERE seen_at < ? LIMIT ?)`,
		"", "",
	},
}

// Purge removes what is older than before (see purgeSteps) in batches, or
// only counts it when dryRun is set, and returns the counts in order.
// progress, when not nil, is told of each step's count as it goes.
func (d *DB) Purge(ctx context.Context, before time.Time, dryRun bool, progress func(Purged)) ([]Purged, error) {
	cutoff := ms(before)
	out := make([]Purged, 0, len(purgeSteps))
	for _, st := range purgeSteps {
		p := Purged{What: st.what}
		if dryRun {
			var err error
			if p, err = st.preview(ctx, d.read, cutoff); err != nil {
				return out, err
			}
		} else {
			for {
				var n int64
				err := d.update(ctx, func(tx *Tx) error {
					res, err := tx.exec(st.changeIn(d), cutoff, purgeBatch)
					if err != nil {
						return err
					}
					n, err = res.RowsAffected()
					return err
				})
				if err != nil {
					return out, fmt.Errorf("purge %s: %w", st.what, err)
				}
				p.Rows += n
				if n < purgeBatch {
					break
				}
			}
		}
		out = append(out, p)
		if progress != nil {
			progress(p)
		}
		if p.Rows > 0 && !dryRun {
			// What was removed leaves the files too: the writer rebuilds
			// the database and empties the WAL, as after an erasure.
			d.askRebuild()
			d.sweep.Store(true)
			if d.pg {
				d.afterCommit() // committed: no writer of its own to wait for
			}
		}
	}
	return out, nil
}

// preview counts what the step would change.
func (st purgeStep) preview(ctx context.Context, db *pool, cutoff int64) (Purged, error) {
	p := Purged{What: st.what}
	count := st.count
	if db.pg && st.pgCount != "" {
		count = st.pgCount
	}
	if err := db.QueryRowContext(ctx, count, cutoff).Scan(&p.Rows); err != nil {
		return p, fmt.Errorf("purge: count %s: %w", st.what, err)
	}
	return p, nil
}

// PurgePreview counts what a purge of what is older than before would
// remove, as Purge's dry run does; it works beside a running huddle.
func (r *Reader) PurgePreview(ctx context.Context, before time.Time) ([]Purged, error) {
	out := make([]Purged, 0, len(purgeSteps))
	for _, st := range purgeSteps {
		p, err := st.preview(ctx, r.db, ms(before))
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// PurgeOlder deletes what is older than keep at now (retention's daily
// run) and logs how many rows went.
func (d *DB) PurgeOlder(ctx context.Context, keep time.Duration, now time.Time, log *slog.Logger) error {
	before := now.Add(-keep)
	got, err := d.Purge(ctx, before, false, nil)
	if err != nil {
		return fmt.Errorf("retention purge: %w", err)
	}
	var total int64
	for _, p := range got {
		total += p.Rows
	}
	if total > 0 {
		log.Info("retention purge", "older_than", before.Format(time.DateOnly), "rows", total)
	}
	return nil
}
