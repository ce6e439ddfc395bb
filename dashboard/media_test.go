package dashboard_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/dashboard"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/phototest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
)

// tone is a second of a 440 Hz tone as a WAV file: a sound a browser
// plays, standing in for a voice note.
func tone() []byte {
	const rate = 8000
	var pcm bytes.Buffer
	for i := range rate {
		binary.Write(&pcm, binary.LittleEndian, int16(8000*math.Sin(2*math.Pi*440*float64(i)/rate)))
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+pcm.Len()))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(pcm.Len()))
	b.Write(pcm.Bytes())
	return b.Bytes()
}

// TestMediaPageInBrowser: through the simulator a member shares a case
// with a photo (checked), a mentor answers it by voice and a member
// answers a lesson's question by voice; a second photo waits for its
// author. The dashboard's media page shows the photo and plays both
// voice notes in a browser; the photo still waiting is neither listed
// nor served.
func TestMediaPageInBrowser(t *testing.T) {
	s := sim.New(nil)
	mentor := bot.StaffRef{Channel: sim.Name, ID: "mentor1"}
	app := huddletest.Start(t, huddletest.Options{Cases: &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {mentor}}}}, s)
	c := simtest.Chats{T: t, Sim: s}
	seq := c.Post("dm-amina", "amina", "/start")
	c.Wait("dm-amina", seq, "Welcome")
	c.Post("dm-mentor1", "mentor1", "/start")

	ward := c.Send("ward", "amina", sim.Post{Text: "/case Woman of 30, rash on the forearm for 3 days, itchy. What is it?",
		File: &bot.File{Name: "IMG_1.jpg", MIMEType: "image/jpeg", Data: phototest.Phone(t, 640, 360)}})
	check := c.Wait("dm-amina", seq, "Before your case is shared")
	c.Press("dm-amina", "amina", check, 0)
	post := c.Wait("ward", ward, "Case #C1")
	c.Wait("ward", ward, "📷 Photo for case #C1")
	// A second photo, into the thread, not checked yet.
	c.Send("ward", "amina", sim.Post{ReplyTo: post.ID, File: &bot.File{Name: "IMG_2.jpg", MIMEType: "image/jpeg", Data: phototest.Phone(t, 300, 500)}})
	held := c.Wait("dm-amina", check.Seq, "Before your photo is added to case #C1")
	heldFile, _ := s.File(held.ID)

	voice := tone()
	seq = c.Send("dm-mentor1", "mentor1", sim.Post{Text: "/answer 1", File: &bot.File{Name: "answer.wav", MIMEType: "audio/wav", Data: voice}})
	c.Wait("dm-mentor1", seq, "your answer is posted in Ward 3")
	seq = c.Post("dm-amina", "amina", "/lesson solo-quiz")
	c.Wait("dm-amina", seq, "Which ward do you work on?")
	c.Send("dm-amina", "amina", sim.Post{File: &bot.File{Name: "ward.wav", MIMEType: "audio/wav", Data: voice}})
	c.Wait("dm-amina", seq, "Name the uterotonic")

	day := app.Clock.Now().Format("2006-01-02")
	srv, ctx := serve(t, dashboard.Config{Reports: app.DB.Reports()}, 1400)
	page := srv.URL + dashboard.Path + "media/?from=" + day + "&to=" + day
	err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#photos")))
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		Photos, Widths, Voices, Playable int
		Text                             string
	}
	var got state
	testkit.Until(10*time.Second, func() bool {
		got, err = chromedp.Run(ctx, chromedp.Evaluate[state](`({
			Photos: document.querySelectorAll("#photos img").length,
			Widths: [...document.querySelectorAll("#photos img")].filter(i => i.naturalWidth > 0).length,
			Voices: document.querySelectorAll("#voices audio").length,
			Playable: [...document.querySelectorAll("#voices audio")].filter(a => a.duration > 0.9).length,
			Text: document.querySelector("main").innerText})`))
		if err != nil {
			t.Fatal(err)
		}
		if got.Widths == 1 && got.Playable == 2 {
			return true
		}
		return false
	})
	if got.Photos != 1 || got.Widths != 1 {
		t.Errorf("the page shows %d photos, %d of them loaded; want the one Amina checked", got.Photos, got.Widths)
	}
	if got.Voices != 2 || got.Playable != 2 {
		t.Errorf("the page has %d voice notes, %d playable; want the mentor's answer and the lesson answer", got.Voices, got.Playable)
	}
	for _, want := range []string{"Case #C1", "mentor's answer", "answer to solo-quiz · ward"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("the page does not say %q:\n%s", want, got.Text)
		}
	}

	// The photo waiting for Amina's check is not served.
	resp, err := http.Get(srv.URL + dashboard.Path + "media/" + sha(heldFile.Data))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the photo still held is served: %s", resp.Status)
	}
}

// sha is data's SHA-256 in hex: a kept file's name.
func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
