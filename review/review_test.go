package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/review"
)

// world is a simulator chat with a running Huddle on a fake clock.
type world struct {
	t   *testing.T
	s   *sim.Sim
	app *huddletest.App
}

func newWorld(t *testing.T, cfg review.Config) *world {
	t.Helper()
	s := sim.New(nil)
	return &world{t: t, s: s, app: huddletest.Start(t, huddletest.Options{Review: cfg}, s)}
}

// typedSim is the simulator as a channel whose members type options, as
// SMS members do (bot.Typed).
type typedSim struct{ *sim.Sim }

func (typedSim) TypesOptions() bool { return true }

// say posts text in Amina's private chat, once the simulator runs.
func (w *world) say(text string) int64 {
	w.t.Helper()
	seq := w.last()
	var postErr error
	testkit.Eventually(w.t, 5*time.Second, "the simulator to take a message", func() bool {
		_, postErr = w.s.Post(context.Background(), sim.Post{Chat: "dm-amina", ChatType: bot.Direct, Sender: "amina", Name: "Amina", Text: text})
		return postErr == nil
	}, func() string { return postErr.Error() })
	return seq
}

// last is the newest message's sequence number in Amina's chat.
func (w *world) last() int64 {
	msgs := w.s.Messages(context.Background(), "dm-amina", 0, 0)
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].Seq
}

// wait returns the first bot message after seq that says text.
func (w *world) wait(after int64, text string) sim.Message {
	w.t.Helper()
	var seen []string
	var found sim.Message
	testkit.Eventually(w.t, 5*time.Second, fmt.Sprintf("%q in dm-amina", text), func() bool {
		for _, m := range w.s.Messages(context.Background(), "dm-amina", after, 0) {
			after = m.Seq
			if m.Bot {
				seen = append(seen, m.Text)
				if strings.Contains(m.Text, text) {
					found = m
					return true
				}
			}
		}
		return false
	}, func() string { return fmt.Sprintf("the bot said %q", seen) })
	return found
}

// none fails if a bot message after seq says text within a second.
func (w *world) none(after int64, text string) {
	w.t.Helper()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		for _, m := range w.s.Messages(context.Background(), "dm-amina", after, 100*time.Millisecond) {
			after = m.Seq
			if m.Bot && strings.Contains(m.Text, text) {
				w.t.Fatalf("too soon: %q", m.Text)
			}
		}
	}
}

// TestReviewComesBack: the questions Amina got wrong in a lesson come
// back to her privately once she reviews: on FSRS's schedule (a day after
// the miss, not before) and within her hours (not before ten, her
// choice), one at a time; answered right, one goes three days off, and
// answered wrong, back to the next day. A choice question is answered by
// a press; a multi-select one by the options' numbers, and a numeric one
// by a number, typed (anything else gets a hint).
func TestReviewComesBack(t *testing.T) {
	w := newWorld(t, review.Config{})
	clk := w.app.Clock // 2026-03-02 08:30 UTC, the program's time zone
	seq := w.say("/review on 10-20")
	w.wait(seq, "up to 3 a day, between 10:00 and 20:00")
	seq = w.say("/lesson hand-hygiene")
	w.wait(seq, "Which moment is this?")
	seq = w.say("1") // wrong: the answer is 2
	w.wait(seq, "Which of these are among the five moments?")
	seq = w.say("2 3") // wrong too: 1, 3 and 4
	w.wait(seq, "An alcohol hand rub should take how many seconds?")
	seq = w.say("60") // wrong: 25 ± 5
	w.wait(seq, "0 of 1 correct")

	clk.Advance(23 * time.Hour) // 07:30 the next day: not due yet
	w.none(seq, "🔁 Review, from")
	clk.Advance(90 * time.Minute) // 09:00: due, but before her hours
	w.none(seq, "🔁 Review, from")
	clk.Advance(90 * time.Minute) // 10:30
	rv := w.wait(seq, "🔁 Review, from")
	if !strings.Contains(rv.Text, "Which moment is this?") || len(rv.Options) != 3 {
		t.Fatalf("review %q with options %v", rv.Text, rv.Options)
	}
	w.press(rv, 1)
	w.wait(rv.Seq, "Right! It comes back on 6 Mar") // three days on

	rv = w.wait(rv.Seq, "🔁 Review, from")
	if !strings.Contains(rv.Text, "Which of these are among the five moments?") || len(rv.Options) != 0 ||
		!strings.Contains(rv.Text, "Reply with the numbers of all the right options") {
		t.Fatalf("multi-select review %q with options %v", rv.Text, rv.Options)
	}
	seq = w.say("all of them, I think")
	w.wait(seq, "Reply with the numbers of all the right options, such as 1 3.")
	seq = w.say("1 3 4")
	w.wait(seq, "Right! It comes back on 6 Mar")

	rv = w.wait(seq, "🔁 Review, from")
	if !strings.Contains(rv.Text, "how many seconds?") || !strings.Contains(rv.Text, "Reply with a number.") {
		t.Fatalf("numeric review %q", rv.Text)
	}
	seq = w.say("about a minute")
	w.wait(seq, "Reply with a number.")
	seq = w.say("40")
	w.wait(seq, "Not quite: the answer is 25 ± 5. It comes back on 4 Mar")

	// 6 March: the numeric one (due since the 4th) first, then the first.
	clk.Advance(72 * time.Hour)
	rv = w.wait(seq, "🔁 Review, from")
	if !strings.Contains(rv.Text, "how many seconds?") {
		t.Fatalf("first on 6 March: %q", rv.Text)
	}
	seq = w.say("25")
	w.wait(seq, "Right!")
	rv = w.wait(seq, "🔁 Review, from")
	if !strings.Contains(rv.Text, "Which moment is this?") {
		t.Fatalf("second on 6 March: %q", rv.Text)
	}
	w.press(rv, 0)
	w.wait(rv.Seq, "Not quite: the answer is After body fluid exposure risk. It comes back on 7 Mar")
}

// TestReviewTyped: where members type options (SMS), a choice question
// comes back asking for its number, with nothing said of pressing; where
// they press them, it asks for either (TestReviewComesBack).
func TestReviewTyped(t *testing.T) {
	s := sim.New(nil)
	w := &world{t: t, s: s, app: huddletest.Start(t, huddletest.Options{}, typedSim{s})}
	seq := w.say("/review on")
	w.wait(seq, "Review is on")
	seq = w.say("/lesson hand-hygiene")
	w.wait(seq, "Which moment is this?")
	seq = w.say("1") // wrong: the answer is 2
	w.wait(seq, "Which of these are among the five moments?")
	w.app.Clock.Advance(34 * time.Hour) // 18:30 the next day, within the hours
	rv := w.wait(seq, "🔁 Review, from")
	if !strings.Contains(rv.Text, "Which moment is this?") || !strings.HasSuffix(rv.Text, "\n\nReply with the number of the right option.") {
		t.Fatalf("review %q", rv.Text)
	}
	seq = w.say("the second one")
	w.wait(seq, "Reply with the number of the right option.")
}

// TestReviewLimit: with two cards due, a member is sent one at a time,
// and no more than the program's limit in a day (one, here): the second
// waits for the next day.
func TestReviewLimit(t *testing.T) {
	w := newWorld(t, review.Config{PerDay: 1})
	clk := w.app.Clock
	seq := w.say("/review on 8-20")
	w.wait(seq, "Review is on")
	err := w.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		m, err := tx.MemberByRef(bot.StaffRef{Channel: sim.Name, ID: "amina"})
		if err != nil {
			return err
		}
		for _, c := range []bot.ReviewCard{
			{MemberID: m.ID, LessonID: "hand-hygiene", StepKey: "q1", Due: clk.Now(), Updated: clk.Now()},
			{MemberID: m.ID, LessonID: "pph-first-hour", StepKey: "first-drug", Due: clk.Now(), Updated: clk.Now()},
		} {
			if err := tx.SaveReviewCard(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rv := w.wait(seq, "🔁 Review, from")
	w.none(rv.Seq, "🔁 Review, from") // one at a time
	w.press(rv, 0)
	w.wait(rv.Seq, "It comes back on")
	w.none(rv.Seq, "🔁 Review, from") // one a day
	clk.Advance(24 * time.Hour)
	w.wait(rv.Seq, "🔁 Review, from")
}

// press presses option i of a bot message.
func (w *world) press(m sim.Message, i int) {
	w.t.Helper()
	if err := w.s.Press(context.Background(), sim.Press{Chat: "dm-amina", Sender: "amina", MessageID: m.ID, Data: m.Options[i].Data}); err != nil {
		w.t.Fatal(err)
	}
}

// TestNudgeWhenAway: a member not seen for the program's seven days gets
// one nudge privately, within the hours (18:00 to 20:00), and another
// only after being seen and away again; one who turned nudges off gets
// none.
func TestNudgeWhenAway(t *testing.T) {
	w := newWorld(t, review.Config{Inactive: 7 * 24 * time.Hour})
	clk := w.app.Clock // 2026-03-02 08:30
	seq := w.say("/start")
	w.wait(seq, "Welcome")
	post := func(chat, who, text string) {
		t.Helper()
		typ := bot.Group
		if chat != "ward" {
			typ = bot.Direct
		}
		if _, err := w.s.Post(context.Background(), sim.Post{Chat: chat, ChatType: typ, Sender: who, Name: who, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	post("dm-brigitte", "brigitte", "/nudges off")
	var last sim.Message
	testkit.Eventually(t, 5*time.Second, "an answer to /nudges off", func() bool {
		msgs := w.s.Messages(context.Background(), "dm-brigitte", 0, 0)
		last = msgs[len(msgs)-1]
		return last.Bot
	})
	if last.Text != "Nudges are off: no more words from me when you are away." {
		t.Errorf("/nudges off: %q", last.Text)
	}
	post("ward", "amina", "Morning")
	post("ward", "brigitte", "Morning")

	clk.Advance(6 * 24 * time.Hour) // six days away
	w.none(seq, "👋")
	clk.Advance(25 * time.Hour) // seven days and an hour, but 09:30: quiet
	w.none(seq, "👋")
	clk.Advance(9 * time.Hour) // 18:30
	nudge := w.wait(seq, "👋 It has been a while")
	clk.Advance(24 * time.Hour)
	w.none(nudge.Seq, "👋") // once per time away
	for _, m := range w.s.Messages(context.Background(), "dm-brigitte", 0, 0) {
		if m.Bot && strings.Contains(m.Text, "👋") {
			t.Errorf("Brigitte turned nudges off, and got %q", m.Text)
		}
	}

	seq = w.say("/lessons") // back
	w.wait(seq, "Lessons:")
	clk.Advance(7*24*time.Hour + time.Minute) // 18:31, seven days later
	w.wait(seq, "👋 It has been a while")
}

// TestMemberTimeZone: a member's hours are read in her own time zone
// (/timezone), not the program's: Amina, working in Honolulu (UTC-10), reviews
// from 8 to 10 her time; the card due at 08:30 UTC waits for 18:00 UTC,
// her eight o'clock.
func TestMemberTimeZone(t *testing.T) {
	w := newWorld(t, review.Config{})
	clk := w.app.Clock // 2026-03-02 08:30 UTC, the program's time zone
	seq := w.say("/timezone Mars/Olympus_Mons")
	w.wait(seq, `I do not know the time zone "Mars/Olympus_Mons"`)
	seq = w.say("/timezone Pacific/Honolulu")
	w.wait(seq, "read in the time zone Pacific/Honolulu, where it is 22:30 now")
	seq = w.say("/review on 8-10")
	w.wait(seq, "Review is on")
	seq = w.say("/lesson hand-hygiene")
	w.wait(seq, "Which moment is this?")
	seq = w.say("1") // wrong
	w.wait(seq, "Which of these are among the five moments?")

	clk.Advance(24*time.Hour + 15*time.Minute) // 08:45 UTC: due, and within 8-10 UTC, but 22:45 in Honolulu
	w.none(seq, "🔁 Review, from")
	clk.Advance(9*time.Hour + 20*time.Minute) // 18:05 UTC: 08:05 in Honolulu
	rv := w.wait(seq, "🔁 Review, from")
	w.press(rv, 1)
	w.wait(rv.Seq, "Right! It comes back on 6 Mar") // a date in her zone
	seq = w.say("/timezone default")
	w.wait(seq, "read in the time zone UTC")
}
