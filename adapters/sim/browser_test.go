package sim_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/browsertest"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/phototest"
	"github.com/huddlebot/huddle/internal/websec"
)

// browser starts headless Chromium with a phone-sized window.
func browser(t *testing.T) context.Context { return browsertest.Start(t, 420, 860) }

// TestSimulatorInBrowser plays the README's first run in a real browser:
// three members of a group, /lesson hand-hygiene, option buttons, typed
// answers, per-member feedback, the wait, the end, and /progress.
func TestSimulatorInBrowser(t *testing.T) {
	s := sim.New(nil)
	app := huddletest.Start(t, huddletest.Options{}, s)
	// Behind the server's protections, so the page runs under its CSP.
	srv := httptest.NewServer(websec.Handler(websec.Config{Listen: "127.0.0.1:0"}, s.Handler()))
	t.Cleanup(srv.Close) // after the browser is gone: cleanups run last first
	ctx := browser(t)

	as, send, waitText, pick := browsertest.SimAs, browsertest.SimSend, browsertest.SimWaitText, browsertest.SimPick

	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		as("brigitte"), send("Good morning"),
		as("chinedu"), send("Hello everyone"),
		as("amina"), send("/lesson hand-hygiene"),
		waitText("Which moment is this?"),
		// Each press is answered to the presser alone.
		pick(2), waitText("✅ Correct!"),
		as("brigitte"), pick(1), waitText("❌ Not quite. The answer: 2. After body fluid exposure risk."),
		waitText("That moment is before the contact, not after it."),
		as("chinedu"), pick(2),
		// The group hears one summary.
		waitText("Everyone has answered: 2 of 3 correct."),
		waitText("The answer: 2. After body fluid exposure risk."),
		waitText("Choose all that apply"),
		as("amina"), send("1 3 4"),
		as("brigitte"), pick(1), pick(3), pick(4), pick(5),
		as("chinedu"), send("1 3"),
		waitText("An alcohol hand rub should take how many seconds?"),
		as("amina"), send("25"),
		as("brigitte"), send("30"),
		as("chinedu"), send("60"),
		waitText("find the alcohol hand rub"),
	)
	if err != nil {
		t.Fatal(err)
	}
	app.Clock.Advance(2 * time.Minute) // the lesson's wait
	err = chromedp.Do(ctx,
		waitText("Five moments, every patient, every time."),
		as("chinedu"), send("/progress"),
		waitText("Your progress, Chinedu"),
	)
	if err != nil {
		t.Fatal(err)
	}
	log, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#log")))
	if err != nil {
		t.Fatal(err)
	}
	progress, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.msg[data-bot="true"] .text')].pop().innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Everyone has answered: 2 of 3 correct.", "The answer: 1. Before touching a patient; 3.",
		"The answer: 25 ± 5.", "🏁 Members who took part: 3; passed: 2.",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the page lacks %q:\n%s", want, log)
		}
	}
	// No member's verdict went to the group: presses were answered to the
	// presser alone (Chinedu, shown now, sees only his), typed answers got
	// a reaction.
	for _, leak := range []string{"Amina: correct", "Brigitte: not quite", "Brigitte: correct"} {
		if strings.Contains(log, leak) {
			t.Errorf("the group saw %q", leak)
		}
	}
	reactions, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.reactions')].map(e => e.textContent).join("")`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reactions, "✅") || !strings.Contains(reactions, "❌") {
		t.Errorf("typed answers got reactions %q; want ✅ and ❌", reactions)
	}
	if strings.Contains(log, "Let's go over them once more") {
		t.Error("the group scored above the pass mark, yet the recap ran")
	}
	if !strings.Contains(progress, "finished, 1/3 correct") {
		t.Errorf("Chinedu's progress = %q", progress)
	}

	// /mydata privately: the summary, then the file as a download link
	// whose target is Amina's data.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#chats button[data-chat="dm-amina"]`)),
		send("/mydata"),
		waitText("What Huddle holds about you"),
		chromedp.WaitVisible(chromedp.CSS(`a.file[download]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	link, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`a.file`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "📎 huddle-mydata-") || !strings.Contains(link, ".json (") {
		t.Errorf("the file's link reads %q", link)
	}
	file, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch(document.querySelector("a.file").href).then(r => r.json()).then(d => d.profile.name + ", " + d.lesson_runs[0].lesson + ", " + d.lesson_runs[0].answers.length + " answers")`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if file != "Amina, hand-hygiene, 3 answers" {
		t.Errorf("the downloaded file says %q", file)
	}
	if path := os.Getenv("HUDDLE_SCREENSHOT"); path != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(path, png, 0o644)
		}
	}
}

// TestPictureInBrowser: a lesson's image is shown in the page, before
// its text, as the small JPEG made at load.
func TestPictureInBrowser(t *testing.T) {
	dir := huddletest.PictureLessons(t)
	s := sim.New(nil)
	huddletest.Start(t, huddletest.Options{Lessons: dir}, s)
	srv := httptest.NewServer(websec.Handler(websec.Config{Listen: "127.0.0.1:0"}, s.Handler()))
	t.Cleanup(srv.Close)
	// A short screen, so that the log scrolls and the picture, loading
	// after its message was shown, grows it.
	ctx := browsertest.Start(t, 420, 420)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		browsertest.SimAs("amina"), browsertest.SimSend("/lesson picture"),
		browsertest.SimWaitText("Two lines: positive."),
	)
	if err != nil {
		t.Fatal(err)
	}
	var width int
	testkit.Until(5*time.Second, func() bool {
		if width, err = chromedp.Run(ctx, chromedp.Evaluate[int](`(document.querySelector(".msg img.photo") || {}).naturalWidth || 0`)); err != nil {
			t.Fatal(err)
		}
		return width != 0
	})
	if width != flows.ImageLongSide {
		t.Errorf("the picture shown is %d pixels wide, want %d", width, flows.ImageLongSide)
	}
	// Once it has loaded, the newest message is still in view: the log
	// is scrolled to its end though the picture grew it.
	// (naturalWidth is set as the picture decodes; its load event, which
	// scrolls, is dispatched a moment later.)
	var gap int
	testkit.Until(2*time.Second, func() bool {
		if gap, err = chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const l = document.getElementById("log"); return Math.round(l.scrollHeight - l.scrollTop - l.clientHeight); })()`)); err != nil {
			t.Fatal(err)
		}
		return gap <= 2
	})
	if gap > 2 {
		t.Errorf("after the picture loaded, the log is %d pixels short of its end: the newest message is out of view", gap)
	}
}

// TestPhotoCaseInBrowser: in the page, Amina attaches a phone's photo
// (📎) with /case as its caption; the bot holds it and shows it to her
// privately, cleaned; she confirms there, and the group sees it.
func TestPhotoCaseInBrowser(t *testing.T) {
	s := sim.New(nil)
	huddletest.Start(t, huddletest.Options{Cases: &cases.Config{}}, s)
	srv := httptest.NewServer(websec.Handler(websec.Config{Listen: "127.0.0.1:0"}, s.Handler()))
	t.Cleanup(srv.Close)
	photo := filepath.Join(t.TempDir(), "IMG_2041.jpg")
	if err := os.WriteFile(photo, phototest.Phone(t, 640, 360), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		browsertest.SimChat("dm-amina"), browsertest.SimSend("/start"),
		browsertest.SimWaitText("Welcome"),
		browsertest.SimChat("ward-7"), browsertest.SimAs("amina"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS("#attached")),
		browsertest.SimSend("/case Woman of 30, rash on the forearm for 3 days. What is it?"),
		browsertest.SimWaitText("I have sent you your photo privately"),
		browsertest.SimChat("dm-amina"),
		browsertest.SimWaitText("Before your case is shared in Ward 7 midwives"),
		browsertest.SimPick(1),
		browsertest.SimChat("ward-7"),
		browsertest.SimWaitText("📷 Photo for case #C1, shared by Amina"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Her own message was taken down (the original, unchecked photo);
	// the group sees the bot's clean copy alone, its pixels turned
	// upright (it has no EXIF tag to turn it by).
	var widths []int
	testkit.Until(5*time.Second, func() bool {
		if widths, err = chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll(".msg img.photo")].map(i => i.naturalWidth)`)); err != nil {
			t.Fatal(err)
		}
		if len(widths) == 1 && widths[0] > 0 {
			return true
		}
		return false
	})
	if len(widths) != 1 || widths[0] != 360 {
		t.Errorf("pictures in the group are %v wide: want the bot's alone, upright (360)", widths)
	}
	checkRemoved := func(when string) {
		removed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".msg.removed")].map(d => d.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(removed) != 1 || !strings.Contains(removed[0], "Amina") || !strings.Contains(removed[0], "Taken down by Huddle") ||
			strings.Contains(removed[0], "rash") {
			t.Errorf("%s, removed messages in the page: %q, want Amina's, taken down, nothing of it left", when, removed)
		}
	}
	checkRemoved("as it happened")
	if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#attached").hidden`)); !hidden {
		t.Error("the attachment is still shown after sending")
	}
	// A page opened afterwards shows it taken down too (the removal
	// follows the message in the transcript).
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#text")), browsertest.SimChat("ward-7"),
		browsertest.SimWaitText("📷 Photo for case #C1, shared by Amina")); err != nil {
		t.Fatal(err)
	}
	checkRemoved("after a reload")
}
