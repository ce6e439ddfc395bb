package telegram_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/botapifake"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// busyHour is the figures of one busy hour's burst: 100 groups of 10 in
// a lesson's first question, every member pressing an answer within a
// second or so, while the bot sends each group its summary and next
// question.
type busyHour struct {
	presses            int
	p50, p95, slowest  time.Duration // press to answer
	unanswered         int
	messages           int           // group messages sent in the burst
	span               time.Duration // from the first press to the last of them
	perSecond, maxIn1s float64
	tooMany            int
}

// runBusyHour plays the burst in groups groups of 10 against a fake Bot
// API holding to Telegram's limits, with 100 ms to Telegram.
func runBusyHour(tb testing.TB, groups int) busyHour {
	tb.Helper()
	const members = 10
	fake, _ := loaded(tb, 100*time.Millisecond, huddletest.Options{Lessons: "testdata/lessons"})
	chats := make([]botapifake.Chat, groups)
	for g := range chats {
		chats[g] = botapifake.Chat{ID: int64(-300000 - g), Title: fmt.Sprintf("Ward %d", g)}
		fake.SetSize(chats[g], members+1)
		fake.Send(chats[g], botapifake.User{ID: int64(7000 + g*members), Name: "Lead"}, "/lesson three-quiz")
	}
	first := map[int64]botapifake.Message{}
	testkit.Eventually(tb, 5*time.Minute, "every group's first quiz", func() bool {
		for _, m := range fake.Sent() {
			if _, ok := first[m.ChatID]; !ok && strings.Contains(m.Text, "danger sign after birth") {
				first[m.ChatID] = m
			}
		}
		return len(first) >= groups
	}, func() string { return fmt.Sprintf("%d of %d had it", len(first), groups) })
	before := len(fake.Sent())
	start := time.Now()
	var presses []string
	for i := range members {
		for g, c := range chats {
			u := botapifake.User{ID: int64(7000 + g*members + i), Name: fmt.Sprintf("Nurse%d-%d", g, i)}
			presses = append(presses, fake.Press(c, u, first[c.ID].ID, first[c.ID].Buttons[i%2]))
		}
	}
	// The burst ends once every group has its second question.
	second := map[int64]bool{}
	testkit.Until(5*time.Minute, func() bool {
		for _, m := range fake.Sent()[before:] {
			if strings.Contains(m.Text, "hand rub take") {
				second[m.ChatID] = true
			}
		}
		return len(second) >= groups
	})
	// Presses not answered by now never will be: Telegram forgets a
	// press after about 15 seconds.
	time.Sleep(time.Second)
	var r busyHour
	var waits []time.Duration
	for _, id := range presses {
		a, ok := fake.Answered(id)
		if !ok {
			r.unanswered++
			continue
		}
		waits = append(waits, a.After)
	}
	slices.Sort(waits)
	r.presses = len(presses)
	if len(waits) > 0 {
		r.p50, r.p95, r.slowest = waits[len(waits)/2], waits[len(waits)*95/100], waits[len(waits)-1]
	}
	sent := fake.Sent()[before:]
	r.messages = len(sent)
	if r.messages > 0 {
		r.span = sent[len(sent)-1].At.Sub(start)
		r.perSecond = float64(r.messages) / r.span.Seconds()
		perSecond := map[int]int{}
		for _, m := range sent {
			perSecond[int(m.At.Sub(start)/time.Second)]++
		}
		for _, n := range perSecond {
			r.maxIn1s = max(r.maxIn1s, float64(n))
		}
	}
	r.tooMany = fake.Stats().TooMany
	return r
}

// TestBusyHourPresses: 300 presses across 30 groups at once are all
// answered within Telegram's window for answering a press, while the
// groups' own messages keep within Telegram's limits (no 429). (A third
// of the benchmark's burst: go test runs it beside the other packages'
// load tests on two cores.)
func TestBusyHourPresses(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	r := runBusyHour(t, 30)
	t.Logf("%d presses: median %s, 95%% %s, slowest %s, %d unanswered; %d group messages in %s (%.1f a second, at most %.0f in one second); %d answers 429",
		r.presses, r.p50.Round(time.Millisecond), r.p95.Round(time.Millisecond), r.slowest.Round(time.Millisecond), r.unanswered,
		r.messages, r.span.Round(time.Millisecond), r.perSecond, r.maxIn1s, r.tooMany)
	if r.unanswered > 0 || r.slowest > 15*time.Second {
		// Telegram's window, not a speed target: a press answered later
		// leaves the member's button spinning and the answer lost.
		t.Errorf("%d presses unanswered, the slowest answered after %s: past Telegram's 15 s", r.unanswered, r.slowest)
	}
	if r.tooMany != 0 {
		t.Errorf("%d answers 429: Huddle went past Telegram's limits", r.tooMany)
	}
}

// BenchmarkBusyHourPresses measures the burst of 1,000 presses in 100
// groups: run with -benchtime=1x.
func BenchmarkBusyHourPresses(b *testing.B) {
	for range b.N {
		r := runBusyHour(b, 100)
		b.ReportMetric(float64(r.p50.Milliseconds()), "press-p50-ms")
		b.ReportMetric(float64(r.p95.Milliseconds()), "press-p95-ms")
		b.ReportMetric(float64(r.slowest.Milliseconds()), "press-max-ms")
		b.ReportMetric(float64(r.unanswered), "unanswered")
		b.ReportMetric(r.perSecond, "msgs/s")
		b.ReportMetric(float64(r.tooMany), "429s")
	}
}
