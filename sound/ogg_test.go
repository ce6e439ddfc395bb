package sound_test

import (
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit/mediatest"
	"github.com/huddlebot/huddle/sound"
)

// TestReadOgg: an Opus stream's codec and length (its last granule, less
// the pre-skip, at 48 kHz), and a waveform that rises where its packets
// grow; a Vorbis stream's codec and length at its own rate; what is not
// Ogg is said to be not Ogg.
func TestReadOgg(t *testing.T) {
	rising := mediatest.Opus(6.2, func(at float64) int { return 10 + int(at*100) })
	o, err := sound.ReadOgg(rising)
	if err != nil {
		t.Fatal(err)
	}
	if o.Codec != sound.Opus || o.Duration != 6200*time.Millisecond {
		t.Errorf("Opus: %s, %v; want opus, 6.2s", o.Codec, o.Duration)
	}
	if len(o.Waveform) != sound.WaveformLen || o.Waveform[0] >= o.Waveform[32] || o.Waveform[32] >= o.Waveform[63] || o.Waveform[63] != 100 {
		t.Errorf("the waveform of a sound growing louder: %v", o.Waveform)
	}
	for _, v := range o.Waveform {
		if v > 100 {
			t.Fatalf("a waveform value over 100: %v", o.Waveform)
		}
	}
	v, err := sound.ReadOgg(mediatest.Vorbis(3))
	if err != nil || v.Codec != sound.Vorbis || v.Duration != 3*time.Second || v.Waveform != nil {
		t.Errorf("Vorbis: %+v, %v", v, err)
	}
	if _, err := sound.ReadOgg([]byte("ID3 an MP3")); err != sound.ErrNotOgg {
		t.Errorf("an MP3: %v", err)
	}
	if _, err := sound.ReadOgg(rising[:len(rising)-30]); err == nil {
		t.Error("a stream cut short was read")
	}
}
