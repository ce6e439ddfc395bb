package motivation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
)

// world is a ward's group in the simulator, with Huddle on a fake clock.
type world struct {
	simtest.Chats
	t   *testing.T
	app *huddletest.App
}

// pseudonym is how the group sees who.
func (w *world) pseudonym(who string) string {
	w.t.Helper()
	var p string
	err := w.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		m, err := tx.MemberByRef(bot.StaffRef{Channel: sim.Name, ID: who})
		p = m.Pseudonym
		return err
	})
	if err != nil || p == "" {
		w.t.Fatalf("pseudonym of %s: %q %v", who, p, err)
	}
	return p
}

// TestWeeklySummary runs four weeks of a ward's group on a fake clock:
// each Monday at nine (not before) the group gets last week's summary
// (members who took part, and weeks in a row by pseudonym, leaving out
// Chidi, who sent /streaks off); after four weeks in a row Amina earns a
// badge, told to her privately and shown in the summary.
func TestWeeklySummary(t *testing.T) {
	s := sim.New(nil)
	w := &world{Chats: simtest.Chats{T: t, Sim: s}, t: t, app: huddletest.Start(t, huddletest.Options{}, s)}
	clk := w.app.Clock // Monday 2 March 2026, 08:30 UTC
	w.Post("dm-amina", "amina", "/start")
	seq := w.Post("dm-chidi", "chidi", "/streaks off")
	w.Wait("dm-chidi", seq, "will no longer show in the weekly summary")
	week := func(who ...string) {
		for _, m := range who {
			w.Post("ward", m, "Morning, all")
		}
	}
	week("amina", "baraka", "chidi")
	amina, chidi := w.pseudonym("amina"), w.pseudonym("chidi")

	clk.Advance(7*24*time.Hour + 20*time.Minute) // Monday 9 March, 08:50
	seq = w.Post("ward", "amina", "Morning, all")
	w.None("ward", seq, "📊")
	clk.Advance(15 * time.Minute) // 09:05
	sum := w.Wait("ward", seq, "📊 Last week here: 3 members took part.")
	if strings.Contains(sum.Text, "🔥") {
		t.Errorf("a streak after one week: %q", sum.Text)
	}
	week("chidi")

	clk.Advance(7 * 24 * time.Hour) // Monday 16 March, 09:05
	sum = w.Wait("ward", sum.Seq, "📊 Last week here: 2 members took part.")
	if !strings.Contains(sum.Text, fmt.Sprintf("🔥 Weeks in a row: %s 2.", amina)) || strings.Contains(sum.Text, chidi) ||
		!strings.Contains(sum.Text, "/streaks off keeps you out of this list") {
		t.Errorf("second summary: %q", sum.Text)
	}
	seq = w.Post("ward", "lead", "hello") // nothing more this Monday
	w.None("ward", seq, "📊")
	week("amina")
	clk.Advance(7 * 24 * time.Hour) // Monday 23 March
	sum = w.Wait("ward", sum.Seq, "📊 Last week here: 2 members took part.")
	week("amina")
	dm := w.Post("dm-amina", "amina", "/badges")
	w.Wait("dm-amina", dm, "No badges yet")

	clk.Advance(7 * 24 * time.Hour) // Monday 30 March: her fourth week in a row ended
	w.Wait("dm-amina", dm, "🏅 A new badge: 4 weeks in a row! /badges lists yours.")
	sum = w.Wait("ward", sum.Seq, "📊 Last week here: 1 member took part.")
	for _, want := range []string{fmt.Sprintf("🔥 Weeks in a row: %s 4.", amina), fmt.Sprintf("🏅 New badges: %s (4 weeks in a row).", amina)} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("fourth summary %q lacks %q", sum.Text, want)
		}
	}
	dm = w.Post("dm-amina", "amina", "/badges")
	w.Wait("dm-amina", dm, "🏅 4 weeks in a row (30 Mar 2026)")
}
