package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// TestPendingOutboxPlan: the sender's query, run every time a message is
// queued, is answered from indexes: no scan of the outbox and no sort,
// however many sent messages it holds.
func TestPendingOutboxPlan(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Now()
	// Some rows, sent and unsent, and fresh statistics, so the planner
	// chooses as it would on a working database.
	err = d.Update(ctx, func(tx bot.Tx) error {
		for i := 0; i < 500; i++ {
			m := bot.Outbound{Channel: "telegram", ChatID: string(rune('a' + i%20)), Text: "x", Key: "k" + string(rune(i))}
			if err := tx.Enqueue(m, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.write.ExecContext(ctx, `UPDATE outbox SET sent_at = ? WHERE id % 5 <> 0`, ms(now)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.write.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	rows, err := d.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+pendingQuery, "telegram", ms(now), ms(now), 100)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	text := strings.Join(plan, "\n")
	for _, want := range []string{"USING INDEX outbox_due", "USING INDEX outbox_pending"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan does not use %s:\n%s", want, text)
		}
	}
	for _, bad := range []string{"SCAN", "TEMP B-TREE"} {
		if strings.Contains(text, bad) {
			t.Errorf("plan has a %s:\n%s", bad, text)
		}
	}
}
