package store

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/report"
)

// TestTeachersNotCounted: a group's mentor and its staff (a staff member
// named by phone number, known on WhatsApp by a LID with the number as
// its alias) are not among its members or active members, in the
// overview, the summary or the weekly chart, over whole weeks (read from
// the rollups) and cut ones (from the raw rows); once neither, they are
// counted again.
func TestTeachersNotCounted(t *testing.T) {
	onEngines(t, func(t *testing.T, db *DB, _ func() *DB) {
		ctx := context.Background()
		monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		var chat bot.Chat
		ids := map[string]int64{}
		err := db.update(ctx, func(tx *Tx) error {
			var err error
			if chat, err = tx.EnsureChat("whatsapp", "120363@g.us", bot.Group, "Ward 7", monday); err != nil {
				return err
			}
			for _, p := range []struct{ name, id, alias string }{
				{"learner", "111@lid", ""}, {"mentor", "222@lid", ""}, {"staff", "333@lid", "254700000333@s.whatsapp.net"},
			} {
				m, err := tx.ensureMember("whatsapp", p.id, p.alias, p.name, monday)
				if err != nil {
					return err
				}
				ids[p.name] = m.ID
				if err := tx.JoinChat(chat.ID, m.ID, monday); err != nil {
					return err
				}
				for _, at := range []time.Time{monday.Add(9 * time.Hour), monday.Add(8*24*time.Hour + 9*time.Hour)} {
					if err := tx.LogEngagement(bot.Engagement{MemberID: m.ID, ChatID: chat.ID, Kind: bot.EngageMessage, At: at}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rd := db.Reports()
		whole := report.Range{From: monday, To: monday.Add(14 * 24 * time.Hour)}
		cut := report.Range{From: monday.Add(time.Hour), To: monday.Add(10 * 24 * time.Hour)}
		counts := func(want int) {
			t.Helper()
			for name, rg := range map[string]report.Range{"whole weeks": whole, "cut weeks": cut} {
				for _, chatID := range []int64{0, chat.ID} {
					sum, err := rd.Summary(ctx, rg, chatID)
					if err != nil {
						t.Fatal(err)
					}
					if sum.Members != want || sum.Active != want {
						t.Errorf("%s, chat %d: summary members %d, active %d; want %d", name, chatID, sum.Members, sum.Active, want)
					}
					weeks, err := rd.WeeklyActive(ctx, rg, chatID)
					if err != nil {
						t.Fatal(err)
					}
					for _, w := range weeks {
						if w.Count != want {
							t.Errorf("%s, chat %d: week of %s has %d active; want %d", name, chatID, w.Week.Format("2 Jan"), w.Count, want)
						}
					}
				}
				groups, err := rd.Overview(ctx, rg)
				if err != nil {
					t.Fatal(err)
				}
				if len(groups) != 1 || groups[0].Members != want || groups[0].Active != want {
					t.Errorf("%s: overview %+v; want %d members, %d active", name, groups, want, want)
				}
			}
		}
		counts(3)

		if err := db.update(ctx, func(tx *Tx) error { _, err := tx.AddMentor("", ids["mentor"], monday); return err }); err != nil {
			t.Fatal(err)
		}
		if err := db.SetStaff(ctx, []bot.StaffRef{{Channel: "whatsapp", ID: "254700000333"}, {Channel: "telegram", ID: "111"}}, nil); err != nil {
			t.Fatal(err)
		}
		counts(1)
		got, err := rd.Teachers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int64]string{ids["mentor"]: "mentor", ids["staff"]: "staff"}; !maps.Equal(got, want) {
			t.Errorf("Teachers() = %v, want %v", got, want)
		}

		if err := db.update(ctx, func(tx *Tx) error { _, err := tx.RemoveMentor("", ids["mentor"]); return err }); err != nil {
			t.Fatal(err)
		}
		if err := db.SetStaff(ctx, nil, nil); err != nil {
			t.Fatal(err)
		}
		counts(3)
		// A mentor named in the configuration, not added by command.
		if err := db.SetStaff(ctx, nil, []bot.StaffRef{{Channel: "whatsapp", ID: "222@lid"}}); err != nil {
			t.Fatal(err)
		}
		counts(2)
		if got, _ := rd.Teachers(ctx); !maps.Equal(got, map[int64]string{ids["mentor"]: "mentor"}) {
			t.Errorf("Teachers() = %v, want the mentor named in the configuration", got)
		}
	})
}
