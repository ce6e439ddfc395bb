package sms_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
)

// laterClock is the system clock moved on by a test.
type laterClock struct {
	bot.SystemClock
	by atomic.Int64
}

func (c *laterClock) Now() time.Time { return time.Now().Add(time.Duration(c.by.Load())) }

// TestUndelivered: Twilio takes texts to a phone switched off, then
// reports them undelivered to their status callback, signed; the staff
// hear of it once a day for that number (its masked number and cohort,
// with Twilio's reason in words), the dashboard counts each, and
// reports of texts that arrived pass unseen.
func TestUndelivered(t *testing.T) {
	clk := &laterClock{}
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour, Clock: clk}, 20)
	evs := newEvents()
	ctx := run(t, ch, evs)
	fake.SwitchOff(brigitte.Number)
	notDelivered := func(n int) {
		t.Helper()
		want := fmt.Sprintf("; %d not delivered to the phone", n)
		testkit.Eventually(t, 10*time.Second, "the channel to count "+want, func() bool { return strings.Contains(ch.State().Detail, want) })
	}
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "The lesson starts at nine."})
	waitTexts(t, fake, amina.Number, 1)
	ev := evs.next(t)
	if ev.Kind != bot.ChannelNotice || ev.Text != "An SMS to +254••••••002 (Ward 7) did not reach the phone: Twilio 30003, the phone is unreachable (switched off or out of coverage). Those that follow may not either: a call may help." {
		t.Errorf("the staff hear %s %q", ev.Kind, ev.Text)
	}
	if err := ev.Check(); err != nil {
		t.Error(err)
	}
	notDelivered(1)
	// Within the day: counted, not said again.
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "Question one is open."})
	waitTexts(t, fake, amina.Number, 2)
	notDelivered(2)
	evs.none(t, "a second notice the same day")
	// A day later, the staff hear again.
	clk.by.Add(int64(25 * time.Hour))
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "Question two is open."})
	if ev := evs.next(t); ev.Kind != bot.ChannelNotice || !strings.Contains(ev.Text, "+254••••••002 (Ward 7) did not reach the phone") {
		t.Errorf("the next day the staff hear %s %q", ev.Kind, ev.Text)
	}
	notDelivered(3)
	if got := fake.Texts(brigitte.Number); len(got) != 0 {
		t.Errorf("a phone switched off shows %q", bodies(got))
	}
}

// TestUndeliveredReports: Africa's Talking's delivery report of a text
// that failed (at the callback's secret address) and the Android phone's
// sms:failed (signed) reach the staff as Twilio's do, with the gateway's
// reason, and are counted; the other member's text arrives.
func TestUndeliveredReports(t *testing.T) {
	for _, c := range []struct {
		gateway string
		over    func(t *testing.T) (ch *sms.SMS, switchOff func(number string), texts func(number string) []string)
		why     string
	}{
		{"africastalking", func(t *testing.T) (*sms.SMS, func(string), func(string) []string) {
			ch, fake := overAfricasTalking(t, sms.Config{Digest: time.Hour}, 20)
			return ch, fake.SwitchOff, func(n string) []string { return bodies(fake.Texts(n)) }
		}, "Africa's Talking: failed (DeliveryFailure)"},
		{"smsgate", func(t *testing.T) (*sms.SMS, func(string), func(string) []string) {
			ch, fake := overSMSGate(t, sms.Config{Digest: time.Hour}, 20)
			return ch, fake.SwitchOff, func(n string) []string { return bodies(fake.Texts(n)) }
		}, "the Android phone could not send it (RESULT_ERROR_NO_SERVICE)"},
	} {
		t.Run(c.gateway, func(t *testing.T) {
			ch, switchOff, texts := c.over(t)
			evs := newEvents()
			ctx := run(t, ch, evs)
			switchOff(brigitte.Number)
			send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "The lesson starts at nine."})
			ev := evs.next(t)
			if want := "An SMS to +254••••••002 (Ward 7) did not reach the phone: " + c.why + ". Those that follow may not either: a call may help."; ev.Kind != bot.ChannelNotice || ev.Text != want {
				t.Errorf("the staff hear %s %q; want %q", ev.Kind, ev.Text, want)
			}
			testkit.Eventually(t, 10*time.Second, "the channel to count it", func() bool { return strings.Contains(ch.State().Detail, "; 1 not delivered to the phone") })
			if got := texts(amina.Number); len(got) != 1 {
				t.Errorf("Amina's phone shows %q", got)
			}
		})
	}
}
