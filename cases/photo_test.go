package cases_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/phototest"
)

// send posts a member's photo or voice note (with a caption) in reply to
// replyTo, and returns the message posted.
func (w *world) send(chat, who, caption, replyTo string, f *bot.File) sim.Message {
	w.t.Helper()
	typ := bot.Group
	if strings.HasPrefix(chat, "dm-") {
		typ = bot.Direct
	}
	m, err := w.sim.Post(context.Background(), sim.Post{Chat: chat, ChatType: typ, ChatTitle: title(chat), Sender: who,
		Name: strings.ToUpper(who[:1]) + who[1:], Text: caption, ReplyTo: replyTo, File: f})
	if err != nil {
		w.t.Fatalf("%s sends a file: %v", who, err)
	}
	return m
}

// press presses option i of message m as who.
func (w *world) press(chat, who string, m sim.Message, i int) {
	w.t.Helper()
	if err := w.sim.Press(context.Background(), sim.Press{Chat: chat, Sender: who, MessageID: m.ID, Data: m.Options[i].Data}); err != nil {
		w.t.Fatal(err)
	}
}

// media lists the files in the media folder beside the database.
func (w *world) media() map[string][]byte {
	w.t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(w.app.DB.MediaDir(), func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		out[e.Name()] = data
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// takenDown waits until the member's message m is taken down from its
// chat: its text and file gone, the file no longer served.
func (w *world) takenDown(m sim.Message) {
	w.t.Helper()
	testkit.Eventually(w.t, 5*time.Second, fmt.Sprintf("%s's photo %s taken down from %s", m.FromName, m.ID, m.Chat), func() bool {
		for _, got := range w.sim.Messages(context.Background(), m.Chat, m.Seq-1, 0) {
			if _, served := w.sim.File(m.ID); got.ID == m.ID && got.Removed && got.File == nil && got.Text == "" && !served {
				return true
			}
		}
		return false
	})
}

func photo(t *testing.T, w, h int) *bot.File {
	return &bot.File{Name: "IMG_2041.jpg", MIMEType: "image/jpeg", Data: phototest.Phone(t, w, h)}
}

// TestCasePhotos follows photos through a case: one sent with /case is
// kept with its metadata gone (read back from the data folder) and shown
// to the group only once its author has checked it privately, the
// original taken down from the group at once; one sent
// into the thread likewise, another discarded (its file deleted); a
// member with no private chat is asked to open one; the mentor gets the
// photos with the case, and answers by voice, which the group hears.
func TestCasePhotos(t *testing.T) {
	w := newWorld(t)
	dm := w.last("dm-amina")
	w.say("dm-amina", "amina", "/start", "")
	ward := w.last("ward")
	w.say("ward", "amina", "Morning", "")
	w.say("ward", "zola", "Morning", "")

	// 0. A "photo" that is no picture: she is asked to send it again.
	bad := w.send("ward", "amina", "/case Woman of 30, rash on the forearm for 3 days, itchy. What is it?", "",
		&bot.File{Name: "IMG_0.jpg", MIMEType: "image/jpeg", Data: []byte("not a JPEG at all")})
	w.expect("ward", ward, "I could not read that photo")
	w.takenDown(bad)
	ward = w.last("ward")

	// 1. A photo with /case: held for Amina's check.
	// The original is taken down from the group at once: the group
	// sees only the copy she checks.
	orig := w.send("ward", "amina", "/case Woman of 30, rash on the forearm for 3 days, itchy. What is it?", "", photo(t, 640, 360))
	w.expect("ward", ward, "Amina, I have sent you your photo privately")
	w.takenDown(orig)
	check := w.expect("dm-amina", dm, "Before your case is shared in Ward 3", "Woman of 30, rash")
	if check.File == nil || check.File.MIMEType != "image/jpeg" || len(check.Options) != 2 {
		t.Fatalf("the check: file %+v, options %v", check.File, check.Options)
	}
	files := w.media()
	if len(files) != 1 {
		t.Fatalf("media files while held: %d, want 1", len(files))
	}
	for name, data := range files {
		if got := phototest.Clean(data); got != "" {
			t.Errorf("the kept photo %s still holds %s", name, got)
		}
		if !phototest.Upright(t, data) {
			t.Errorf("the kept photo is not upright")
		}
		shown, _ := w.sim.File(check.ID)
		if string(shown.Data) != string(data) {
			t.Errorf("Amina was shown %d bytes, the kept photo is %d: she must check what is kept", len(shown.Data), len(data))
		}
	}
	if msgs := w.sim.Messages(context.Background(), "ward", ward, 0); slices.ContainsFunc(msgs, func(m sim.Message) bool { return m.Bot && m.File != nil }) {
		t.Fatal("the photo reached the group before Amina checked it")
	}
	w.press("dm-amina", "amina", check, 0)
	post := w.expect("ward", ward, "Case #C1, shared by Amina", "rash on the forearm")
	shared := w.expect("ward", ward, "📷 Photo for case #C1, shared by Amina")
	if shared.File == nil {
		t.Fatal("the photo post carries no photo")
	}
	w.expect("dm-amina", check.Seq, "Posted as case #C1 in Ward 3")

	// 2. Zola, who never wrote privately, sends a photo into the thread.
	before := len(w.media())
	unchecked := w.send("ward", "zola", "", post.ID, photo(t, 320, 200))
	w.expect("ward", shared.Seq, "Zola, a photo is shared only after you check it privately")
	w.takenDown(unchecked)
	if got := len(w.media()); got != before {
		t.Errorf("a photo nobody checked was kept: %d files, want %d", got, before)
	}
	// Once she has, she sends it again, and discards it.
	zdm := w.last("dm-zola")
	w.say("dm-zola", "zola", "/start", "")
	w.send("ward", "zola", "Same on my ward last week", post.ID, photo(t, 320, 200))
	zcheck := w.expect("dm-zola", zdm, "Before your photo is added to case #C1 in Ward 3")
	if got := len(w.media()); got != before+1 {
		t.Errorf("media files while Zola's photo is held: %d, want %d", got, before+1)
	}
	w.press("dm-zola", "zola", zcheck, 1)
	w.expect("dm-zola", zcheck.Seq, "Discarded: the photo was not shared")
	if got := len(w.media()); got != before {
		t.Errorf("media files after Zola discarded hers: %d, want %d", got, before)
	}

	// 3. Amina adds a second photo into the thread, with a caption.
	seq := w.last("ward")
	second := w.send("ward", "amina", "Day 4: spreading", post.ID, photo(t, 500, 300))
	acheck := w.expect("dm-amina", check.Seq, "Before your photo is added to case #C1")
	w.takenDown(second)
	w.press("dm-amina", "amina", acheck, 0)
	w.expect("ward", seq, "📷 Photo for case #C1, shared by Amina", "Day 4: spreading")

	// 4. Escalated, the case reaches a mentor with both photos.
	mdm := w.last("dm-mentor1")
	w.say("dm-mentor1", "mentor1", "/start", "")
	w.say("ward", "amina", "/escalate 1", "")
	copyMsg := w.expect("dm-mentor1", mdm, "Case #C1 from Ward 3", "📷 Day 4: spreading")
	n := 0
	testkit.Until(5*time.Second, func() bool {
		n = 0 // the photos follow the case's text
		for _, m := range w.sim.Messages(context.Background(), "dm-mentor1", mdm, 0) {
			if m.Bot && m.File != nil && m.File.MIMEType == "image/jpeg" {
				n++
			}
		}
		return n >= 2
	})
	if n != 2 {
		t.Errorf("the mentor got %d photos with the case, want 2", n)
	}

	// 5. The mentor answers by voice, replying to the case's copy.
	seq = w.last("ward")
	voice := &bot.File{Name: "voice.ogg", MIMEType: "audio/ogg", Data: []byte("OggS\x00\x02 a mentor's voice note")}
	w.send("dm-mentor1", "mentor1", "", copyMsg.ID, voice)
	heard := w.expect("ward", seq, "A mentor's answer to case #C1 (Mentor1), by voice")
	if heard.File == nil || heard.File.MIMEType != "audio/ogg" {
		t.Fatalf("the group's answer carries %+v, want the voice note", heard.File)
	}
	if got, _ := w.sim.File(heard.ID); string(got.Data) != string(voice.Data) {
		t.Errorf("the group heard %q, want the mentor's voice note", got.Data)
	}
	if c := w.caseByID(1); c.Status != bot.CaseAnswered {
		t.Errorf("case #C1 is %s after the voice answer, want answered", c.Status)
	}
	if got := len(w.media()); got != 3 {
		t.Errorf("media files at the end: %d, want Amina's 2 photos and the voice note", got)
	}

	// 6. The archive shows the case with its photos and the voice answer.
	seq = w.last("dm-amina")
	w.say("dm-amina", "amina", "/case 1", "")
	w.expect("dm-amina", seq, "Case #C1, Ward 3")
	w.expect("dm-amina", seq, "🎤 The mentor's voice answer to case #C1")
	var kinds []string
	for _, m := range w.sim.Messages(context.Background(), "dm-amina", seq, 0) {
		if m.Bot && m.File != nil {
			kinds = append(kinds, m.File.MIMEType)
		}
	}
	if strings.Join(kinds, " ") != "image/jpeg image/jpeg audio/ogg" {
		t.Errorf("the archive's case came with %v, want its 2 photos and the voice answer", kinds)
	}
}
