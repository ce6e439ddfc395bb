package flows

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huddlebot/huddle/internal/testkit/mediatest"
)

// noisy returns a w×h image of fine detail, which compresses badly.
func noisy(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8((x*7 + y*13 + x*y) % 251)
			img.Set(x, y, color.RGBA{v, 255 - v, uint8(x ^ y), 255})
		}
	}
	return img
}

// withExif inserts an APP1 Exif segment holding a GPS tag's name and a
// camera serial after a JPEG's start marker.
func withExif(t *testing.T, jpg []byte) []byte {
	t.Helper()
	payload := []byte("Exif\x00\x00GPSLatitude -1.2921 SerialNumber CAM-778812")
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

// TestImages: a lesson's images are read from beside it, scaled to the
// long side and compressed within the budget, with their metadata gone;
// a missing file, a wrong type, a file that is no image and one too big
// are each a problem at the image: line, and the lesson is refused.
func TestImages(t *testing.T) {
	var big, photo bytes.Buffer
	if err := png.Encode(&big, noisy(3000, 2000)); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&photo, noisy(800, 600), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	lesson := `id: rdt
title: "Reading a test"
steps:
  - say: "Look at this test."
    image: img/big.png
  - id: q
    image: photo.jpg
    quiz:
      question: "Positive or negative?"
      options: [Positive, Negative]
      correct: 1
`
	fsys := fstest.MapFS{
		"rdt.yaml":    {Data: []byte(lesson)},
		"img/big.png": {Data: big.Bytes()},
		"photo.jpg":   {Data: withExif(t, photo.Bytes())},
	}
	lib, err := Load(fsys, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := lib.Get("rdt")
	for i, want := range []struct{ w, h int }{{1280, 853}, {800, 600}} {
		m := l.Steps[i].Media
		if m == nil {
			t.Fatalf("step %d has no image", i)
		}
		if m.Width != want.w || m.Height != want.h || len(m.Data) > ImageBudget || len(m.Hash) != 64 {
			t.Errorf("image %s: %dx%d, %d bytes", m.Name, m.Width, m.Height, len(m.Data))
		}
		if _, err := jpeg.Decode(bytes.NewReader(m.Data)); err != nil {
			t.Errorf("image %s does not read back as JPEG: %v", m.Name, err)
		}
		for _, leak := range []string{"Exif", "GPSLatitude", "CAM-778812"} {
			if bytes.Contains(m.Data, []byte(leak)) {
				t.Errorf("image %s keeps %q", m.Name, leak)
			}
		}
	}
	// The engine shows the image before the step's text.
	e := &Engine{}
	_, res := e.Start(l, 1, "", Input{Now: time.Now()})
	if len(res.Messages) < 3 || res.Messages[1].File == nil || res.Messages[1].File.MIMEType != "image/jpeg" ||
		res.Messages[1].File.Name != "big.jpg" || res.Messages[2].Text != "Look at this test." {
		t.Errorf("first messages: %+v", res.Messages[:min(3, len(res.Messages))])
	}

	bad := fstest.MapFS{
		"bad.yaml": {Data: []byte(`id: bad
title: "Bad images"
steps:
  - say: "One."
    image: missing.png
  - say: "Two."
    image: picture.bmp
  - say: "Three."
    image: notes.png
  - say: "Four."
    image: huge.png
  - say: "Five."
    image: ../outside.png
  - wait: 1m
    image: big.png
  - say: "Six."
    audio: talk.flac
  - say: "Seven."
    video: clip.mp4
  - say: "Eight."
    audio: talk.mp3
    document: handout.pdf
`)},
		"talk.mp3":  {Data: []byte("ID3 a sound")},
		"notes.png": {Data: []byte("not an image at all")},
		"huge.png":  {Data: make([]byte, MaxImageFile+1)},
		"big.png":   {Data: big.Bytes()},
	}
	lib, err = Load(bad, ".", "lessons")
	ps, ok := IsProblems(err)
	if !ok || lib.Len() != 0 {
		t.Fatalf("broken images: %v; %d lessons loaded", err, lib.Len())
	}
	want := []string{
		"lessons/bad.yaml:5: image missing.png: no such file beside the lesson",
		"lessons/bad.yaml:7: image \"picture.bmp\": use a .gif, .jpeg, .jpg, .png or .webp file",
		"lessons/bad.yaml:9: image notes.png: not an image this program can read",
		"lessons/bad.yaml:11: image huge.png: the file is 11 MB; give one of at most 10 MB",
		"lessons/bad.yaml:13: image \"../outside.png\": give a path beside the lesson file",
		"lessons/bad.yaml:15: image is for say, quiz and ask steps",
		"lessons/bad.yaml:17: audio \"talk.flac\": use a .m4a, .mp3, .ogg, .opus or .wav file",
		"lessons/bad.yaml:19: video clip.mp4: no such file beside the lesson",
		"lessons/bad.yaml:22: step 9 has audio and document: one file a step",
	}
	got := strings.Split(ps.Error(), "\n")
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("no problem %q in:\n%s", w, ps.Error())
		}
	}
}

// TestSoundsAndDocuments: a step's audio, video or document is read from
// beside the lesson as it is, sent with its media type.
func TestSoundsAndDocuments(t *testing.T) {
	voice := mediatest.Opus(2, func(float64) int { return 40 })
	fsys := fstest.MapFS{
		"talk.yaml": {Data: []byte(`id: talk
title: "A talk"
steps:
  - say: "Listen."
    audio: media/talk.ogg
  - say: "Read."
    document: handout.pdf
`)},
		"media/talk.ogg": {Data: voice},
		"handout.pdf":    {Data: []byte("%PDF-1.4 a handout")},
	}
	lib, err := Load(fsys, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := lib.Get("talk")
	for i, want := range []struct{ kind, name, mime, data string }{
		{MediaAudio, "talk.ogg", "audio/ogg", string(voice)},
		{MediaDocument, "handout.pdf", "application/pdf", "%PDF-1.4 a handout"},
	} {
		m := l.Steps[i].Media
		f := m.File()
		if m.Kind != want.kind || f.Name != want.name || f.MIMEType != want.mime || string(f.Data) != want.data {
			t.Errorf("step %d: %s %s %s %q", i, m.Kind, f.Name, f.MIMEType, f.Data)
		}
	}
}

// TestOggMustBeOpus: an Ogg sound goes as a voice note, which phones play
// only in Opus: Ogg Vorbis, or a file that is no Ogg at all, is refused at
// its line, saying what to give instead.
func TestOggMustBeOpus(t *testing.T) {
	for name, data := range map[string][]byte{"vorbis": mediatest.Vorbis(3), "not Ogg": []byte("ID3 an MP3 named .ogg")} {
		fsys := fstest.MapFS{
			"talk.yaml": {Data: []byte("id: talk\ntitle: \"A talk\"\nsteps:\n  - say: \"Listen.\"\n    audio: talk.ogg\n")},
			"talk.ogg":  {Data: data},
		}
		_, err := Load(fsys, ".", "lessons")
		ps, ok := IsProblems(err)
		if !ok || len(ps) != 1 || ps[0].Line != 5 || !strings.Contains(ps[0].Msg, "Ogg Opus") {
			t.Errorf("%s: %v; want one problem at line 5 saying to give Ogg Opus", name, err)
		}
	}
}

// TestPicturesMadeOnce: a folder read again with the same kinds takes
// each unchanged picture from the first reading rather than scaling it
// again; the package's own Load, which keeps nothing, scales it anew.
func TestPicturesMadeOnce(t *testing.T) {
	var src bytes.Buffer
	if err := png.Encode(&src, noisy(600, 400)); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte("id: a\ntitle: A\nsteps:\n  - say: Look.\n    image: p.png\n")},
		"b.yaml": {Data: []byte("id: b\ntitle: B\nsteps:\n  - say: Again.\n    image: p.png\n")},
		"p.png":  {Data: src.Bytes()},
	}
	k := NewKinds()
	first, err := k.Load(fsys, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	again, err := k.Load(fsys, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := first.Get("a")
	a2, _ := again.Get("a")
	b2, _ := again.Get("b")
	if &a1.Steps[0].Media.Data[0] != &a2.Steps[0].Media.Data[0] || &a2.Steps[0].Media.Data[0] != &b2.Steps[0].Media.Data[0] {
		t.Error("the picture was made again")
	}
	if a2.Steps[0].Media.Name != "p.png" || b2.Steps[0].Media.Kind != MediaImage {
		t.Errorf("cached picture: %+v", a2.Steps[0].Media)
	}
	plain, err := Load(fsys, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := plain.Get("a"); &p.Steps[0].Media.Data[0] == &a1.Steps[0].Media.Data[0] {
		t.Error("the package's Load shared the kinds' pictures")
	}
}
