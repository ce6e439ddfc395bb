package transcode

import (
	"bytes"
	"context"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/sound"
)

// ffmpeg returns the installed ffmpeg; in CI (which installs it) a
// missing one fails the test, elsewhere it skips.
func ffmpeg(t *testing.T) *FFmpeg {
	t.Helper()
	f, ok := Find()
	if !ok {
		if os.Getenv("CI") != "" {
			t.Fatal("no ffmpeg on the PATH: .ci/run installs it")
		}
		t.Skip("no ffmpeg on the PATH")
	}
	return f
}

// generate makes a file with ffmpeg's own test sources (lavfi), as a
// lesson author's tools would make one.
func generate(t *testing.T, f *FFmpeg, name string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command(f.Path, append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v: %s", name, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestVoiceNote: an Ogg Vorbis sound and a WAV become Ogg Opus voice
// notes of the same length, which the sound package reads as such.
func TestVoiceNote(t *testing.T) {
	f := ffmpeg(t)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"talk.ogg (Vorbis)", []string{"-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libvorbis", "-f", "ogg"}},
		{"talk.wav", []string{"-f", "lavfi", "-i", "sine=frequency=300:duration=3", "-f", "wav"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := generate(t, f, "in", tt.args...)
			if o, err := sound.ReadOgg(in); err == nil && o.Codec == sound.Opus {
				t.Fatal("the input is Opus already")
			}
			out, err := f.VoiceNote(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			o, err := sound.ReadOgg(out)
			if err != nil || o.Codec != sound.Opus {
				t.Fatalf("converted to %v (%v); want Ogg Opus", o.Codec, err)
			}
			if o.Duration < 2900*time.Millisecond || o.Duration > 3100*time.Millisecond {
				t.Errorf("a 3 s sound became %s", o.Duration)
			}
		})
	}
}

// TestPoster: a video's poster is a JPEG of its size; a file that is no
// video is an error that says what ffmpeg said.
func TestPoster(t *testing.T) {
	f := ffmpeg(t)
	video := generate(t, f, "demo.mp4", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2", "-c:v", "mpeg4", "-f", "mp4")
	poster, err := f.Poster(context.Background(), video)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(poster))
	if err != nil || cfg.Width != 320 || cfg.Height != 240 {
		t.Errorf("poster %+v (%v); want a JPEG of 320 by 240", cfg, err)
	}
	if _, err := f.Poster(context.Background(), []byte("not a video at all")); err == nil || !strings.Contains(err.Error(), "ffmpeg") {
		t.Errorf("a file that is no video: %v", err)
	}
}
