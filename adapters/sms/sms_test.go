package sms_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/smsfake"
	"github.com/huddlebot/huddle/smstext"
)

// texts is what reached number.
func bodies(texts []smsfake.Text) []string {
	var out []string
	for _, t := range texts {
		out = append(out, t.Body)
	}
	return out
}

// waitTexts waits until number has n texts, and returns them.
func waitTexts(t *testing.T, fake interface{ Texts(string) []smsfake.Text }, number string, n int) []string {
	t.Helper()
	testkit.Eventually(t, 20*time.Second, fmt.Sprintf("%d texts to reach %s", n, number), func() bool { return len(fake.Texts(number)) >= n })
	return bodies(fake.Texts(number))
}

// send sends m through ch and fails the test on an error.
func send(t *testing.T, ctx context.Context, ch *sms.SMS, m bot.Outbound) string {
	t.Helper()
	m.Channel = sms.Name
	if m.Key == "" {
		m.Key = "k:" + m.Text
	}
	id, err := ch.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestKeywords: STOP opts a member out (they are told once, the group
// hears they left, and nothing more reaches them, even what was waiting),
// HELP is answered with the program's words without reaching the bot,
// START brings them back.
func TestKeywords(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour, Help: "Ward 7 lessons, Kisumu CHV programme: call 0800 720 000."}, 20)
	evs := newEvents()
	ctx := run(t, ch, evs)
	testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool { return fake.Text(t, amina.Number, "HELP") == 200 })
	if got := waitTexts(t, fake, amina.Number, 1); !strings.Contains(got[0], "call 0800 720 000") {
		t.Errorf("HELP answered %q", got)
	}
	if code := fake.Text(t, brigitte.Number, "stop"); code != 200 {
		t.Fatalf("STOP answered %d", code)
	}
	ev := evs.next(t)
	if ev.Kind != bot.Left || ev.ChatID != ward.ID || ev.SenderID != brigitte.Number {
		t.Errorf("after STOP the bot heard %+v; want Brigitte leaving the ward", ev)
	}
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "Lesson 2: the partograph."})
	waitTexts(t, fake, amina.Number, 2)
	time.Sleep(200 * time.Millisecond) // a text to Brigitte would have gone with Amina's
	for _, b := range bodies(fake.Texts(brigitte.Number)) {
		if strings.Contains(b, "partograph") {
			t.Errorf("Brigitte opted out and still got %q", b)
		}
	}
	fake.Text(t, brigitte.Number, "START")
	if got := waitTexts(t, fake, brigitte.Number, 1); !strings.Contains(got[len(got)-1], "Welcome back") {
		t.Errorf("START answered %q", got)
	}
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "Lesson 3: the third stage."})
	if got := waitTexts(t, fake, brigitte.Number, 2); !strings.Contains(got[len(got)-1], "third stage") {
		t.Errorf("back in, Brigitte got %q", got)
	}
	evs.none(t, "the keywords")
}

// TestDigests: what a member texts reaches the bot as said in the group
// and the others in one digest, the author's own not sent back to them,
// commands not relayed, a patient's number taken out, and a text the bot
// took down not relayed at all.
func TestDigests(t *testing.T) {
	chw := sms.Phone{Number: "+254700000003", Name: "Chinedu"}
	cohort := clone(ward)
	cohort.Members = append(cohort.Members, chw)
	ch, fake, _ := overTwilio(t, sms.Config{Digest: 300 * time.Millisecond, Cohorts: []sms.Cohort{cohort}}, 20)
	evs := newEvents()
	ctx := run(t, ch, evs)
	say := func(p sms.Phone, text string) bot.Event {
		t.Helper()
		testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool { return fake.Text(t, p.Number, text) == 200 })
		ev := evs.next(t)
		if ev.Kind != bot.Message || ev.ChatID != cohort.ID || ev.ChatType != bot.Group || ev.SenderName != p.Name || ev.Text != text {
			t.Errorf("the bot heard %+v", ev)
		}
		return ev
	}
	say(amina, "#C1 I would check her haemoglobin first.")
	say(amina, "/progress")
	say(brigitte, "#C1 Her husband's number is 0722 123 456, call him.")
	gone := say(chw, "#C1 Sorry, wrong group.")
	send(t, ctx, ch, bot.Outbound{ChatID: cohort.ID, Delete: gone.MessageID, Text: "Please delete it.", Key: "takedown"})
	got := waitTexts(t, fake, chw.Number, 2)
	if got[0] != "Please delete it." {
		t.Errorf("the take-down's words reached its author as %q", got[0])
	}
	digest := got[1]
	if !strings.HasPrefix(digest, "Ward 7:") || !strings.Contains(digest, "Amina: #C1 I would check her haemoglobin first.") ||
		!strings.Contains(digest, "Brigitte: #C1 Her husband's number is") {
		t.Errorf("Chinedu's digest %q", digest)
	}
	if strings.Contains(digest, "0722") || strings.Contains(digest, "/progress") {
		t.Errorf("the digest relayed a number or a command: %q", digest)
	}
	for _, b := range waitTexts(t, fake, amina.Number, 1) {
		if strings.Contains(b, "haemoglobin") || strings.Contains(b, "wrong group") {
			t.Errorf("Amina got %q: her own words, or a text taken down", b)
		}
	}
	if n := len(fake.Texts(brigitte.Number)); n != 1 {
		t.Errorf("Brigitte got %d texts; want the one digest: %q", n, bodies(fake.Texts(brigitte.Number)))
	}
}

// TestAnswersGoToTheirAuthor: in a cohort, the bot's answer to a member's
// text or press goes to that member alone; what it posts goes to all.
func TestAnswersGoToTheirAuthor(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 20)
	evs := newEvents()
	ctx := run(t, ch, evs)
	testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool { return fake.Text(t, amina.Number, "/progress") == 200 })
	ev := evs.next(t)
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, ReplyTo: ev.MessageID, Text: "Amina: 3 lessons done."})
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "A new case, #C4."})
	// (The two may come joined in one SMS, as texts queued together do.)
	testkit.Eventually(t, 10*time.Second, "both texts to reach Amina", func() bool {
		return strings.Contains(strings.Join(bodies(fake.Texts(amina.Number)), "\n\n"), "#C4")
	})
	if got := strings.Join(bodies(fake.Texts(amina.Number)), "\n\n"); got != "Amina: 3 lessons done.\n\nA new case, #C4." {
		t.Errorf("Amina got %q", got)
	}
	if got := waitTexts(t, fake, brigitte.Number, 1); !slices.Equal(got, []string{"A new case, #C4."}) {
		t.Errorf("Brigitte got %q", got)
	}
}

// TestQuizByDigits: options go as numbered lines; a member's digit is a
// press of that option of the last options they got, in its chat; a
// number out of range, or words, stays text.
func TestQuizByDigits(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 20)
	evs := newEvents()
	ctx := run(t, ch, evs)
	id := send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "First drug for PPH?",
		Options: []bot.Option{{Label: "Oxytocin", Data: "q:1"}, {Label: "Misoprostol", Data: "q:2"}}})
	if got := waitTexts(t, fake, brigitte.Number, 1); got[0] != "First drug for PPH?\n1. Oxytocin\n2. Misoprostol" {
		t.Errorf("the question reached Brigitte as %q", got[0])
	}
	for _, c := range []struct {
		text string
		kind bot.EventKind
		data string
	}{{" 2. ", bot.OptionChosen, "q:2"}, {"1)", bot.OptionChosen, "q:1"}, {"3", bot.Message, ""}, {"oxytocin", bot.Message, ""}} {
		testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool { return fake.Text(t, brigitte.Number, c.text) == 200 })
		ev := evs.next(t)
		if ev.Kind != c.kind || ev.Option != c.data || (c.kind == bot.OptionChosen && (ev.MessageID != id || ev.ChatID != ward.ID || ev.PressID == "")) {
			t.Errorf("%q: the bot heard %s %q under %q in %s; want %s %q under %q", c.text, ev.Kind, ev.Option, ev.MessageID, ev.ChatID, c.kind, c.data, id)
		}
		if err := ev.Check(); err != nil {
			t.Errorf("%q: %v", c.text, err)
		}
	}
}

// TestSplit: a text longer than MaxSegments goes as several, cut at
// sentence ends and numbered, each within the bound.
func TestSplit(t *testing.T) {
	sentence := "Check the fundus every fifteen minutes in the first hour. "
	for _, c := range []struct {
		name string
		text string
		max  int
	}{
		{"GSM-7", strings.Repeat(sentence, 12), 2},
		{"UCS-2", strings.Repeat("Vérifiez le fond utérin toutes les quinze minutes 👶. ", 8), 2},
		{"one long sentence", strings.Repeat("word ", 200), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts := sms.Split(strings.TrimSpace(c.text), c.max)
			if len(parts) < 2 {
				t.Fatalf("%d part", len(parts))
			}
			joined := ""
			for i, p := range parts {
				if n := smstext.Measure(p).Segments; n > c.max {
					t.Errorf("part %d takes %d segments, more than %d", i+1, n, c.max)
				}
				prefix := fmt.Sprintf("(%d/%d) ", i+1, len(parts))
				if !strings.HasPrefix(p, prefix) {
					t.Errorf("part %d starts %q", i+1, p[:10])
				}
				body := strings.TrimPrefix(p, prefix)
				if c.name != "one long sentence" && !strings.HasSuffix(body, ".") {
					t.Errorf("part %d does not end at a sentence's end: %q", i+1, body[max(0, len(body)-20):])
				}
				joined += body + " "
			}
			if strings.Join(strings.Fields(joined), " ") != strings.Join(strings.Fields(c.text), " ") {
				t.Error("the parts do not make the text")
			}
		})
	}
	if got := sms.Split("Short.", 1); !slices.Equal(got, []string{"Short."}) {
		t.Errorf("a short text split: %q", got)
	}
}

// TestPicturesAndFiles: a lesson's picture becomes its caption and a
// link to it (under PublicURL), which serves it; a member's picture is
// never linked, only named; a document is named; a forum topic is
// refused for good.
func TestPicturesAndFiles(t *testing.T) {
	ch, fake, db := overTwilio(t, sms.Config{Digest: time.Hour, PublicURL: selfURL}, 20)
	ctx := run(t, ch, newEvents())
	poster := []byte("\xff\xd8\xff\xe0 the five moments, as a JPEG")
	send(t, ctx, ch, bot.Outbound{ChatID: amina.Number, Text: "The five moments of hand hygiene, as a poster.",
		File: &bot.File{Name: "moments.jpg", MIMEType: "image/jpeg", Data: poster, Shared: true}})
	send(t, ctx, ch, bot.Outbound{ChatID: amina.Number, Text: "Photo of case #C3, checked by its author.",
		File: &bot.File{Name: "case.jpg", MIMEType: "image/jpeg", Data: []byte("\xff\xd8 a patient's wound")}})
	send(t, ctx, ch, bot.Outbound{ChatID: amina.Number, Text: "Your data.",
		File: &bot.File{Name: "huddle-mydata.json", MIMEType: "application/json", Data: []byte("{}")}})
	testkit.Eventually(t, 10*time.Second, "the texts to reach Amina", func() bool {
		return strings.Contains(strings.Join(bodies(fake.Texts(amina.Number)), "\n"), "Your data.")
	})
	got := strings.Join(bodies(fake.Texts(amina.Number)), "\n\n")
	link := regexp.MustCompile(`\[a picture: (http://127\.0\.0\.1:\d+/sms/media/[0-9a-f]{32})\]`).FindStringSubmatch(got)
	if link == nil || !strings.HasPrefix(got, "The five moments of hand hygiene, as a poster.\n[a picture: ") ||
		!strings.Contains(got, "Photo of case #C3, checked by its author.\n[a picture, which SMS cannot carry]") ||
		!strings.HasSuffix(got, "Your data.\n[a file, which SMS cannot carry]") {
		t.Fatalf("got %q", got)
	}
	resp, err := http.Get(link[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(body, poster) {
		t.Errorf("the link served %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	media, _ := db.Notes(ctx, sms.Name, "media/", 0)
	if len(media) != 1 {
		t.Errorf("%d files kept for links, want the lesson's alone", len(media))
	}
	other := link[1][:len(link[1])-1] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(link[1], "0")]
	if resp, err := http.Get(other); err != nil || resp.StatusCode != 404 {
		t.Errorf("another id: %v %v", resp.StatusCode, err)
	}
	if _, err := ch.Send(ctx, bot.Outbound{Channel: sms.Name, ChatID: ward.ID, Topic: "Case 4", Key: "topic"}); err == nil {
		t.Error("a topic was taken")
	}
}

// TestForgedWebhooks: a request not signed with Twilio's token, or not at
// Africa's Talking's secret address, is refused and reaches nobody.
func TestForgedWebhooks(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 20)
	evs := newEvents()
	run(t, ch, evs)
	testkit.Eventually(t, 5*time.Second, "the channel to run", func() bool { return ch.State().Detail != "not started" })
	if code := fake.Forged(t, amina.Number, "/forget"); code != 403 {
		t.Errorf("a forged Twilio request answered %d, want 403", code)
	}
	at, afake := overAfricasTalking(t, sms.Config{Digest: time.Hour}, 100)
	run(t, at, evs)
	testkit.Eventually(t, 5*time.Second, "the channel to run", func() bool { return at.State().Detail != "not started" })
	right := afake.Callback
	afake.Callback = strings.TrimSuffix(right, "0123456789") + "guessed"
	if code := afake.Text(t, amina.Number, "/forget"); code != 403 {
		t.Errorf("a request at a guessed address answered %d, want 403", code)
	}
	afake.Callback = right
	if code := afake.Text(t, amina.Number, "Morning"); code != 200 {
		t.Errorf("at the right address: %d", code)
	}
	if ev := evs.next(t); ev.Text != "Morning" {
		t.Errorf("the bot heard %+v", ev)
	}
	evs.none(t, "a forged request")
}

// TestStrangers: a text from a number in no cohort reaches no one unless
// the channel is open (then it is that number's private chat); HELP and
// STOP are answered either way.
func TestStrangers(t *testing.T) {
	stranger := "+254799999999"
	for _, open := range []bool{false, true} {
		t.Run(fmt.Sprintf("open=%v", open), func(t *testing.T) {
			ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour, Open: open}, 20)
			evs := newEvents()
			run(t, ch, evs)
			testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool { return fake.Text(t, stranger, "HELP") == 200 })
			waitTexts(t, fake, stranger, 1)
			fake.Text(t, stranger, "/progress")
			if open {
				ev := evs.next(t)
				if ev.ChatType != bot.Direct || ev.ChatID != stranger || ev.Text != "/progress" {
					t.Errorf("the bot heard %+v; want the stranger's private chat", ev)
				}
			}
			fake.Text(t, stranger, "STOP")
			if got := waitTexts(t, fake, stranger, 1); !strings.Contains(got[0], "STOP") {
				t.Errorf("HELP answered %q", got)
			}
			time.Sleep(200 * time.Millisecond)
			evs.none(t, "a stranger's keyword")
		})
	}
}

// TestAndroidPhone: through SMS Gateway for Android, a text the phone
// received (its sender as the network gives it, 0700…) reaches the bot
// from the member's number; a request signed with another key, or stamped
// ten minutes ago, is refused.
func TestAndroidPhone(t *testing.T) {
	ch, fake := overSMSGate(t, sms.Config{Digest: time.Hour}, 20)
	evs := newEvents()
	ctx := run(t, ch, evs)
	testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool { return fake.Text(t, "0700000001", "Morning, ward 7") == 200 })
	if ev := evs.next(t); ev.SenderID != amina.Number || ev.ChatID != ward.ID || ev.Text != "Morning, ward 7" {
		t.Errorf("the bot heard %+v", ev)
	}
	if code := fake.Forged(t, "0700000001", "/forget", "another-key-0123456789", time.Now()); code != 403 {
		t.Errorf("a request signed with another key: %d", code)
	}
	if code := fake.Forged(t, "0700000001", "/forget", fake.SigningKey, time.Now().Add(-10*time.Minute)); code != 403 {
		t.Errorf("a request ten minutes old: %d", code)
	}
	send(t, ctx, ch, bot.Outbound{ChatID: ward.ID, Text: "Lesson 6: cord care."})
	if got := waitTexts(t, fake, brigitte.Number, 1); got[0] != "Lesson 6: cord care." {
		t.Errorf("Brigitte got %q", got)
	}
	evs.none(t, "a refused request")
}

// TestHugeWebhook: a request to the webhook larger than any text (64 KB)
// is refused, and reaches no one; the channel goes on taking texts.
func TestHugeWebhook(t *testing.T) {
	ch, fake, _ := overTwilio(t, sms.Config{Digest: time.Hour}, 20)
	evs := newEvents()
	run(t, ch, evs)
	testkit.Eventually(t, 5*time.Second, "the channel to take texts", func() bool { return fake.Text(t, amina.Number, "first") == 200 })
	evs.next(t)
	if code := fake.Text(t, amina.Number, strings.Repeat("a", 100<<10)); code != http.StatusForbidden {
		t.Errorf("a 100 KB request answered %d, want 403", code)
	}
	if code := fake.Text(t, amina.Number, "after"); code != 200 {
		t.Errorf("a text after it answered %d", code)
	}
	if ev := evs.next(t); ev.Text != "after" {
		t.Errorf("the bot heard %q", ev.Text)
	}
}
