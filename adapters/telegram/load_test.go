package telegram_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/botapifake"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/report"
)

// loaded runs Huddle's Telegram channel, with Telegram's default rates,
// against a fake Bot API that holds to Telegram's limits and answers
// after latency.
func loaded(t testing.TB, latency time.Duration, opts huddletest.Options) (*botapifake.Server, *huddletest.App) {
	t.Helper()
	fake := botapifake.Start(t, botapifake.Config{Latency: latency})
	tg, err := telegram.New(context.Background(), telegram.Config{Token: fake.Token, APIEndpoint: fake.URL, PollTimeout: time.Second,
		HTTPClient: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return fake, huddletest.Start(t, opts, tg)
}

// waitSent waits for a message of the bot's to chat containing text and
// returns it.
func waitSent(t testing.TB, fake *botapifake.Server, chat int64, text string, timeout time.Duration) botapifake.Message {
	t.Helper()
	var found botapifake.Message
	if testkit.Until(timeout, func() bool {
		for _, m := range fake.Sent() {
			if m.ChatID == chat && strings.Contains(m.Text, text) {
				found = m
				return true
			}
		}
		return false
	}) {
		return found
	}
	var got []string
	for _, m := range fake.Sent() {
		if m.ChatID == chat {
			got = append(got, m.Text)
		}
	}
	t.Fatalf("no message %q within %s; the chat got %q; calls %+v", text, timeout, got, fake.Stats())
	return botapifake.Message{}
}

// TestBigGroupLesson is issue 16's first load case: a group of 200, with
// 100 ms to Telegram and its limits held, accepts the privacy notice and
// takes a three-quiz lesson, everyone answering every quiz: no 429, every
// press answered within seconds, every answer stored, and the group gets
// at most 25 of the bot's messages, the notice included.
func TestBigGroupLesson(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	const members = 200
	fake, app := loaded(t, 100*time.Millisecond, huddletest.Options{Lessons: "testdata/lessons", Consent: &bot.ConsentNotice{Version: 1}})
	group := botapifake.Chat{ID: -100777, Title: "Ward 200"}
	fake.SetSize(group, members+1)
	users := make([]botapifake.User, members)
	for i := range users {
		users[i] = botapifake.User{ID: int64(1000 + i), Name: fmt.Sprintf("Nurse%03d", i)}
	}
	var presses []string
	pressAll := func(msg botapifake.Message, button int) {
		for _, u := range users {
			presses = append(presses, fake.Press(group, u, msg.ID, msg.Buttons[button]))
		}
	}

	fake.Send(group, users[0], "Good morning")
	notice := waitSent(t, fake, group.ID, "Do you accept?", 20*time.Second)
	if len(notice.Buttons) == 0 {
		t.Fatalf("the notice %q has no buttons", notice.Text)
	}
	pressAll(notice, 0) // accept
	fake.Send(group, users[0], "/lesson three-quiz")
	for i, q := range []string{"danger sign after birth", "hand rub take", "Who is seen first"} {
		msg := waitSent(t, fake, group.ID, q, time.Minute)
		if len(msg.Buttons) < 2 {
			t.Fatalf("question %d has buttons %q", i+1, msg.Buttons)
		}
		pressAll(msg, []int{0, 1, 0}[i])
	}
	waitSent(t, fake, group.ID, "Done. Thank you!", time.Minute)

	// Every press answered, within seconds.
	var slowest time.Duration
	unanswered := 0
	testkit.Eventually(t, 30*time.Second, "every press answered", func() bool {
		unanswered = 0
		for _, id := range presses {
			a, ok := fake.Answered(id)
			if !ok {
				unanswered++
			}
			slowest = max(slowest, a.After)
		}
		return unanswered == 0
	}, func() string { return fmt.Sprintf("%d of %d unanswered", unanswered, len(presses)) })
	// Within seconds: at Telegram's overall rate, 200 presses at once take
	// 200/25 = 8 s to answer; a press not answered within about 15 s
	// cannot be answered at all (Telegram's limit, not a speed target).
	if slowest > 15*time.Second {
		t.Errorf("the slowest press was answered after %s; want within seconds", slowest)
	}
	st := fake.Stats()
	if st.TooMany != 0 {
		t.Errorf("%d answers 429: Huddle went past Telegram's limits", st.TooMany)
	}
	var inGroup []string
	for _, m := range fake.Sent() {
		if m.ChatID == group.ID {
			inGroup = append(inGroup, m.Text)
		}
	}
	if len(inGroup) > 25 {
		t.Errorf("the group got %d of the bot's messages; want at most 25:\n%s", len(inGroup), strings.Join(inGroup, "\n---\n"))
	}
	steps, err := app.DB.Reports().LessonSteps(context.Background(), report.Range{To: app.Clock.Now().Add(time.Hour)}, "three-quiz", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"q1", "q2", "q3"} {
		if s := steps[k]; s == nil || s.Members != members {
			t.Errorf("step %s answered by %+v; want all %d", k, s, members)
		}
	}
	t.Logf("%d members: %d bot messages in the group, %d presses answered, the slowest after %s; calls %v",
		members, len(inGroup), len(presses), slowest.Round(time.Millisecond), st.Calls)
}

// TestManyGroupsStart is issue 16's second load case: 100 groups of 10,
// with 100 ms to Telegram and its limits held, start a lesson within 2 s:
// no 429, every group has its first quiz within 5 minutes, and while the
// backlog lasts the bot sends at least 20 messages a second.
func TestManyGroupsStart(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	const groups, members = 100, 10
	fake, _ := loaded(t, 100*time.Millisecond, huddletest.Options{Lessons: "testdata/lessons"})
	chats := make([]botapifake.Chat, groups)
	for g := range chats {
		chats[g] = botapifake.Chat{ID: int64(-200000 - g), Title: fmt.Sprintf("Ward %d", g)}
		fake.SetSize(chats[g], members+1)
	}
	start := time.Now()
	for g, c := range chats {
		fake.Send(c, botapifake.User{ID: int64(5000 + g*members), Name: "Lead"}, "/lesson three-quiz")
		time.Sleep(2 * time.Second / groups)
	}
	t.Logf("%d lessons asked for in %s", groups, time.Since(start).Round(time.Millisecond))
	firstQuiz := make(map[int64]time.Time)
	testkit.Eventually(t, 5*time.Minute, "every group's first quiz", func() bool {
		for _, m := range fake.Sent() {
			if _, ok := firstQuiz[m.ChatID]; !ok && strings.Contains(m.Text, "danger sign after birth") {
				firstQuiz[m.ChatID] = m.At
			}
		}
		return len(firstQuiz) >= groups
	}, func() string { return fmt.Sprintf("%d of %d had it; %+v", len(firstQuiz), groups, fake.Stats()) })
	sent := fake.Sent()
	perSecond := map[int]int{}
	for _, m := range sent {
		perSecond[int(m.At.Sub(start)/time.Second)]++
	}
	t.Logf("sent per second since the first lesson was asked for: %v", perSecond)
	span := sent[len(sent)-1].At.Sub(sent[0].At)
	rate := float64(len(sent)-1) / span.Seconds()
	if st := fake.Stats(); st.TooMany != 0 {
		t.Errorf("%d answers 429: Huddle went past Telegram's limits", st.TooMany)
	}
	if rate < 20 {
		t.Errorf("%d messages in %s: %.1f a second; want at least 20 while there is a backlog", len(sent), span, rate)
	}
	var last time.Duration
	for _, at := range firstQuiz {
		last = max(last, at.Sub(start))
	}
	t.Logf("%d groups: %d messages in %s (%.1f a second); the last group's first quiz after %s",
		groups, len(sent), span.Round(time.Millisecond), rate, last.Round(time.Millisecond))
}
