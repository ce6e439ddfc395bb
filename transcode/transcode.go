// Package transcode makes what phones play from what a lesson gives,
// with ffmpeg where it is installed: a voice note in Ogg Opus from
// another sound (Ogg Vorbis, WAV), and a still picture from a video, its
// preview. Without ffmpeg, Huddle sends what phones play as it is and
// says at validation what to give instead.
package transcode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// FFmpeg converts with the ffmpeg program at Path.
type FFmpeg struct {
	Path string
}

// Find returns the ffmpeg on the PATH, or false when there is none.
func Find() (*FFmpeg, bool) {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, false
	}
	return &FFmpeg{Path: p}, true
}

// Limits: one conversion runs at most maxTime, and its output may be at
// most maxOutput (WhatsApp's 16 MB for a voice note).
const (
	maxTime   = 2 * time.Minute
	maxOutput = 16 << 20
)

// VoiceNote converts a sound to a voice note: Ogg Opus, mono, 48 kHz, at
// 24 kbit/s, the form WhatsApp's and Telegram's own apps record (Opus in
// "voip" mode for speech).
func (f *FFmpeg) VoiceNote(ctx context.Context, sound []byte) ([]byte, error) {
	out, err := f.run(ctx, sound, "voice.ogg",
		"-vn", "-map_metadata", "-1", "-c:a", "libopus", "-b:a", "24k", "-ac", "1", "-ar", "48000", "-application", "voip", "-f", "ogg")
	if err != nil {
		return nil, fmt.Errorf("convert to a voice note: %w", err)
	}
	return out, nil
}

// Poster returns a JPEG of a frame that stands for a video (ffmpeg's
// thumbnail filter picks the most typical of its first 50 frames, not a
// black first one), at most 1280 pixels wide, shown before it plays.
func (f *FFmpeg) Poster(ctx context.Context, video []byte) ([]byte, error) {
	out, err := f.run(ctx, video, "poster.jpg",
		"-an", "-vf", "thumbnail=50,scale='min(1280,iw)':-2", "-frames:v", "1", "-update", "1",
		"-c:v", "mjpeg", "-q:v", "4", "-f", "image2")
	if err == nil && len(out) == 0 {
		err = errors.New("no frame decoded")
	}
	if err != nil {
		return nil, fmt.Errorf("a video's poster: %w", err)
	}
	return out, nil
}

// run runs ffmpeg on in (written to a file: an MP4 whose index is at its
// end cannot be read from a pipe) with args, and returns what it writes
// to out, a file named so in a folder of its own.
func (f *FFmpeg) run(ctx context.Context, in []byte, out string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	defer cancel()
	dir, err := os.MkdirTemp("", "huddle-transcode-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	src, dst := filepath.Join(dir, "in"), filepath.Join(dir, out)
	if err := os.WriteFile(src, in, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, f.Path, append(append([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", src}, args...),
		"-fs", fmt.Sprint(maxOutput), dst)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:] // its last word on it
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ffmpeg took over %s", maxTime)
		}
		return nil, fmt.Errorf("ffmpeg: %v: %s", err, msg)
	}
	return os.ReadFile(dst)
}
