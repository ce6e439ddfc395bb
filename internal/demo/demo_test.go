package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/store"
)

// TestGenerate plays a small spec and checks that the activity landed:
// members in every group, lessons run to their end, answers scored, cases
// opened and answered by mentors.
func TestGenerate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	spec := DefaultSpec()
	spec.Groups, spec.Members, spec.Weeks = 2, 24, 2
	start := time.Now()
	st, err := Generate(context.Background(), path, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v in %s", st, time.Since(start).Round(time.Millisecond))
	if st.Answers < 50 || st.Cases < 1 || st.Events < 100 {
		t.Errorf("too little activity: %+v", st)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(context.Background(), func(tx bot.Tx) error {
		m, err := tx.MemberByRef(bot.StaffRef{Channel: Channel, ID: "m00001"})
		if err != nil {
			return err
		}
		rows, err := tx.MemberProgress(m.ID)
		if err != nil {
			return err
		}
		done := 0
		for _, r := range rows {
			if r.Status == bot.RunDone {
				done++
			}
		}
		if done < 2 {
			t.Errorf("the facilitator's group finished %d lessons: %+v", done, rows)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
