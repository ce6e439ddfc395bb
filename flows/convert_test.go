package flows

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/huddlebot/huddle/internal/testkit/mediatest"
)

// converter stands in for ffmpeg (transcode tests the real one): it
// counts its calls and gives a fixed Opus voice note and a poster.
type converter struct {
	voice, posters atomic.Int32
	fail           bool
}

func (c *converter) VoiceNote(context.Context, []byte) ([]byte, error) {
	c.voice.Add(1)
	if c.fail {
		return nil, errors.New("ffmpeg: Invalid data found when processing input")
	}
	return mediatest.Opus(3, func(float64) int { return 40 }), nil
}

func (c *converter) Poster(context.Context, []byte) ([]byte, error) {
	c.posters.Add(1)
	var b bytes.Buffer
	err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 640, 360)), nil)
	return b.Bytes(), err
}

// TestConverted: with a Converter, an Ogg Vorbis sound and a WAV become
// Opus voice notes (the WAV named .ogg), a video without a poster: gets
// one from its frames, and one with a poster: shows that picture; a
// folder read again converts nothing again. A conversion that fails is a
// problem at the key's line, and a poster: on a step without a video is
// refused.
func TestConverted(t *testing.T) {
	var poster bytes.Buffer
	if err := png.Encode(&poster, noisy(200, 100)); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"talk.yaml": {Data: []byte(`id: talk
title: "A talk"
steps:
  - say: "Listen."
    audio: talk.ogg
  - say: "And this."
    audio: note.wav
  - say: "Watch."
    video: demo.mp4
  - say: "Watch again."
    video: demo.mp4
    poster: still.png
`)},
		"talk.ogg":  {Data: mediatest.Vorbis(3)},
		"note.wav":  {Data: []byte("RIFF....WAVEfmt ")},
		"demo.mp4":  {Data: mediatest.MP4(640, 360, 12)},
		"still.png": {Data: poster.Bytes()},
	}
	c := &converter{}
	kinds := NewKinds()
	kinds.SetConverter(c)
	lib, err := load(kinds, fsys, ".", "lessons")
	if err != nil {
		t.Fatal(err)
	}
	l, ok := lib.Get("talk")
	if !ok {
		t.Fatal("no lesson talk")
	}
	steps := l.Steps
	for i, want := range []string{"talk.ogg", "note.ogg"} {
		f := steps[i].Media.File()
		if f.MIMEType != "audio/ogg" || f.Name != want || !bytes.HasPrefix(f.Data, []byte("OggS")) {
			t.Errorf("step %d sends %s as %s (%d bytes); want an Ogg Opus voice note named %s", i+1, f.Name, f.MIMEType, len(f.Data), want)
		}
	}
	made, err := jpeg.DecodeConfig(bytes.NewReader(steps[2].Media.File().Poster))
	if err != nil || made.Width != 640 {
		t.Errorf("the video's poster from its frames: %+v, %v", made, err)
	}
	given, err := jpeg.DecodeConfig(bytes.NewReader(steps[3].Media.File().Poster))
	if err != nil || given.Width != 200 {
		t.Errorf("the video's poster: %+v, %v; want still.png's 200 pixels", given, err)
	}
	if _, err := load(kinds, fsys, ".", "lessons"); err != nil {
		t.Fatal(err)
	}
	if v, p := c.voice.Load(), c.posters.Load(); v != 2 || p != 1 {
		t.Errorf("%d sounds and %d videos converted over two readings; want 2 and 1, once each", v, p)
	}

	failing := NewKinds()
	failing.SetConverter(&converter{fail: true})
	_, err = load(failing, fsys, ".", "lessons")
	ps, ok := IsProblems(err)
	if !ok || len(ps) != 2 || ps[0].Line != 5 || !strings.Contains(ps[0].Msg, "could not be made a voice note") {
		t.Errorf("failing conversions: %v; want problems at lines 5 and 7", err)
	}

	bad := fstest.MapFS{
		"p.yaml":    {Data: []byte("id: p\ntitle: P\nsteps:\n  - say: Look.\n    poster: still.png\n")},
		"still.png": {Data: poster.Bytes()},
	}
	_, err = load(kinds, bad, ".", "lessons")
	if ps, ok := IsProblems(err); !ok || len(ps) != 1 || ps[0].Line != 5 || !strings.Contains(ps[0].Msg, "poster is a video's picture") {
		t.Errorf("a poster without a video: %v", err)
	}
}
