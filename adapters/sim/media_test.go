package sim_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
	"github.com/huddlebot/huddle/report"
)

// TestLightOnData: a group that sent /data light gets a lesson's picture
// as a small preview with a "Full size" button; a press sends the whole
// picture to the member privately, or in the group to one who never wrote
// to the bot; /data full brings whole pictures back.
func TestLightOnData(t *testing.T) {
	s := sim.New(nil)
	app := huddletest.Start(t, huddletest.Options{Lessons: huddletest.PictureLessons(t), Staff: []bot.StaffRef{{Channel: sim.Name, ID: "lead"}}}, s)
	c := simtest.Chats{T: t, Sim: s}
	width := func(m sim.Message) int {
		t.Helper()
		f, ok := s.File(m.ID)
		if !ok {
			t.Fatalf("message %q has no file", m.Text)
		}
		img, err := jpeg.Decode(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatal(err)
		}
		return img.Bounds().Dx()
	}
	picture := func(after int64) sim.Message {
		t.Helper()
		for _, m := range s.Messages(context.Background(), "ward", after, 0) {
			if m.Bot && m.File != nil {
				return m
			}
		}
		t.Fatal("no picture")
		return sim.Message{}
	}
	seq := c.Post("dm-amina", "amina", "/start")
	c.Wait("dm-amina", seq, "Welcome")
	seq = c.Post("ward", "amina", "/data light")
	c.Wait("ward", seq, "Only program staff and the group's admins")
	seq = c.Post("ward", "lead", "/data light")
	c.Wait("ward", seq, "This group is now light on data")

	seq = c.Post("ward", "amina", "/lesson picture")
	c.Wait("ward", seq, "Two lines: positive.")
	pv := picture(seq)
	f, _ := s.File(pv.ID)
	if width(pv) != flows.PreviewLongSide || len(f.Data) > flows.PreviewBudget || len(pv.Options) != 1 || pv.Options[0].Label != "🔍 Full size" {
		t.Fatalf("preview %s, %d bytes, options %v", f.Name, len(f.Data), pv.Options)
	}
	dm := c.Last("dm-amina")
	c.Press("ward", "amina", pv, 0)
	full := c.Wait("dm-amina", dm, "")
	if width(full) != flows.ImageLongSide {
		t.Errorf("Amina got a picture %d wide privately", width(full))
	}
	ward := c.Last("ward")
	c.Press("ward", "baraka", pv, 0) // never wrote to the bot privately
	if m := c.Wait("ward", ward, ""); m.File == nil || width(m) != flows.ImageLongSide {
		t.Errorf("Baraka got %q in the group; want the whole picture", m.Text)
	}

	seq = c.Post("ward", "lead", "/data full")
	c.Wait("ward", seq, "Pictures now come in full")
	seq = c.Post("ward", "amina", "/lesson picture")
	c.Wait("ward", seq, "Two lines: positive.")
	if w := width(picture(seq)); w != flows.ImageLongSide {
		t.Errorf("after /data full, a picture %d wide", w)
	}

	// The dashboard's figures count the bytes the group was sent: the
	// preview and the two whole pictures, not the one sent privately.
	var sent int64
	for _, m := range s.Messages(context.Background(), "ward", 0, 0) {
		if m.Bot && m.File != nil {
			f, _ := s.File(m.ID)
			sent += int64(len(f.Data))
		}
	}
	var got int64
	testkit.Until(5*time.Second, func() bool {
		groups, err := app.DB.Reports().Overview(context.Background(), report.Range{From: app.Clock.Now().Add(-time.Hour), To: app.Clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if g.PlatformID == "ward" {
				got = g.MediaBytes
			}
		}
		return got == sent
	})
	if got != sent || sent < flows.PreviewBudget/4 {
		t.Errorf("the group's media bytes: %d, want the %d it was sent", got, sent)
	}
}

// TestVoiceAnswer answers an ask step by voice: a voice note the channel
// could not fetch is asked for again and not recorded; a whole one is the
// answer, kept in the data folder as sent.
func TestVoiceAnswer(t *testing.T) {
	s := sim.New(nil)
	app := huddletest.Start(t, huddletest.Options{}, s)
	c := simtest.Chats{T: t, Sim: s}
	seq := c.Post("dm-amina", "amina", "/start")
	c.Wait("dm-amina", seq, "Welcome")
	seq = c.Post("dm-amina", "amina", "/lesson solo-quiz")
	c.Wait("dm-amina", seq, "Which ward do you work on?")
	seq = c.Send("dm-amina", "amina", sim.Post{File: &bot.File{Name: "v.ogg", MIMEType: "audio/ogg"}})
	c.Wait("dm-amina", seq, "I could not receive that voice note")
	voice := []byte("OggS\x00\x02 Maternity, night shifts")
	seq = c.Send("dm-amina", "amina", sim.Post{File: &bot.File{Name: "v.ogg", MIMEType: "audio/ogg", Data: voice}})
	c.Wait("dm-amina", seq, "Name the uterotonic")
	kept, err := os.ReadFile(filepath.Join(app.DB.MediaDir(), sha(voice)[:2], sha(voice)))
	if err != nil || !bytes.Equal(kept, voice) {
		t.Errorf("the kept voice note: %q, %v", kept, err)
	}
}

// sha is data's SHA-256 in hex: a kept file's name.
func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestPictureQuiz runs the built-in malaria lesson's picture quiz: its
// four drawn cassettes come first, one by one, labelled A to D, then the
// question with the options by letter; a press and a typed letter are
// both answers, and the verdict names the right picture by its letter.
func TestPictureQuiz(t *testing.T) {
	s := sim.New(nil)
	huddletest.Start(t, huddletest.Options{}, s)
	c := simtest.Chats{T: t, Sim: s}
	seq := c.Post("dm-amina", "amina", "/start")
	c.Wait("dm-amina", seq, "Welcome")
	seq = c.Post("dm-amina", "amina", "/lesson malaria-rdt")
	c.Wait("dm-amina", seq, "After how many minutes")
	c.Post("dm-amina", "amina", "17")
	inv := c.Wait("dm-amina", seq, "there is no control line")
	c.Press("dm-amina", "amina", inv, 2)
	pos := c.Wait("dm-amina", inv.Seq, "Which of these read as POSITIVE")
	c.Post("dm-amina", "amina", "1 3")
	q := c.Wait("dm-amina", pos.Seq, "Which one is NEGATIVE?")

	var letters []string
	for _, m := range s.Messages(context.Background(), "dm-amina", pos.Seq, 0) {
		if m.Bot && m.File != nil && m.Seq < q.Seq {
			if m.File.MIMEType != "image/jpeg" {
				t.Errorf("picture %s is %s", m.Text, m.File.MIMEType)
			}
			letters = append(letters, m.Text)
		}
	}
	if strings.Join(letters, "") != "ABCD" {
		t.Errorf("pictures labelled %q before the question, want A, B, C, D", letters)
	}
	var labels []string
	for _, o := range q.Options {
		labels = append(labels, o.Label)
	}
	if strings.Join(labels, ",") != "A,B,C,D" || !strings.Contains(q.Text, "\nA\nB\nC\nD\n") {
		t.Fatalf("the question %q offers %v", q.Text, labels)
	}
	seq = c.Last("dm-amina")
	c.Post("dm-amina", "amina", "d")
	c.Wait("dm-amina", seq, "Not quite. The answer: B.")
}

// TestPictureQuizLight: in a group light on data, a picture quiz's
// options come as previews, each with Full size, which sends that
// option's whole picture privately.
func TestPictureQuizLight(t *testing.T) {
	dir := huddletest.PictureLessons(t)
	// The options' own picture, unlike the other lesson's.
	pic := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for y := range 1200 {
		for x := range 1600 {
			pic.Set(x, y, color.RGBA{200, uint8(x / 7), uint8(y / 5), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, pic); err != nil {
		t.Fatal(err)
	}
	quiz := "id: pq\ntitle: \"Read it\"\nsteps:\n  - quiz:\n      question: \"Which is positive?\"\n" +
		"      options:\n        - image: cassette.png\n        - {image: cassette.png, text: \"the same\"}\n      correct: 1\n"
	for name, data := range map[string][]byte{"pq.yaml": []byte(quiz), "cassette.png": buf.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := sim.New(nil)
	huddletest.Start(t, huddletest.Options{Lessons: dir, Staff: []bot.StaffRef{{Channel: sim.Name, ID: "lead"}}}, s)
	c := simtest.Chats{T: t, Sim: s}
	seq := c.Post("dm-amina", "amina", "/start")
	c.Wait("dm-amina", seq, "Welcome")
	seq = c.Post("ward", "lead", "/data light")
	c.Wait("ward", seq, "This group is now light on data")
	seq = c.Post("ward", "amina", "/lesson pq")
	q := c.Wait("ward", seq, "Which is positive?")
	if labels := []string{q.Options[0].Label, q.Options[1].Label}; labels[0] != "A" || labels[1] != "B. the same" {
		t.Errorf("options %v", labels)
	}
	var previews []sim.Message
	for _, m := range s.Messages(context.Background(), "ward", seq, 0) {
		if m.Bot && m.File != nil {
			previews = append(previews, m)
		}
	}
	if len(previews) != 2 || previews[1].Text != "B" || len(previews[1].Options) != 1 || previews[1].File.Size > flows.PreviewBudget {
		t.Fatalf("the options' pictures: %+v", previews)
	}
	dm := c.Last("dm-amina")
	c.Press("ward", "amina", previews[1], 0)
	full := c.Wait("dm-amina", dm, "")
	f, _ := s.File(full.ID)
	img, err := jpeg.Decode(bytes.NewReader(f.Data))
	if err != nil || img.Bounds().Dx() != flows.ImageLongSide {
		t.Errorf("Full size sent %v, %v; want the whole picture", err, img)
	}
}
