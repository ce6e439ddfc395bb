// Package sound reads what Huddle needs of a sound file without decoding
// it: whether an Ogg file holds Opus (what phones play as a voice note) or
// another codec, how long it lasts (from the Ogg pages' granule
// positions), and a rough waveform for WhatsApp's voice-note bubble (from
// the size of its packets: Opus spends more bytes on louder, busier
// sound). The format is RFC 3533 (Ogg) and RFC 7845 (Opus in Ogg).
package sound

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Codecs an Ogg stream may hold.
const (
	Opus   = "opus"
	Vorbis = "vorbis"
)

// WaveformLen is how many values a waveform has: WhatsApp's 64.
const WaveformLen = 64

// Ogg is what is known of an Ogg sound.
type Ogg struct {
	// Codec is Opus, Vorbis, or another's first packet's name.
	Codec    string
	Duration time.Duration
	// Waveform is WaveformLen values from 0 to 100, the sound's loudness
	// over its length as far as packet sizes tell (Opus only; nil
	// otherwise).
	Waveform []byte
}

// ErrNotOgg says the data is no Ogg stream.
var ErrNotOgg = errors.New("not an Ogg file")

// ReadOgg reads an Ogg sound's codec, duration and waveform.
func ReadOgg(data []byte) (Ogg, error) {
	var (
		o       Ogg
		packets [][]byte
		cur     []byte
		granule int64
		serial  uint32
	)
	for off, page := 0, 0; off < len(data); page++ {
		if len(data)-off < 27 || string(data[off:off+4]) != "OggS" {
			if page == 0 {
				return o, ErrNotOgg
			}
			return o, fmt.Errorf("Ogg page %d: no capture pattern at byte %d", page, off)
		}
		h := data[off : off+27]
		if page == 0 {
			serial = binary.LittleEndian.Uint32(h[14:18])
		}
		segments := int(h[26])
		if len(data)-off < 27+segments {
			return o, fmt.Errorf("Ogg page %d: cut short", page)
		}
		lacing := data[off+27 : off+27+segments]
		body := off + 27 + segments
		size := 0
		for _, l := range lacing {
			size += int(l)
		}
		if len(data)-body < size {
			return o, fmt.Errorf("Ogg page %d: cut short", page)
		}
		// The first logical stream alone: a chained or multiplexed file
		// is read as far as its first sound goes.
		if binary.LittleEndian.Uint32(h[14:18]) == serial {
			if g := int64(binary.LittleEndian.Uint64(h[6:14])); g >= 0 {
				granule = g
			}
			pos := body
			for _, l := range lacing {
				cur = append(cur, data[pos:pos+int(l)]...)
				pos += int(l)
				if l < 255 {
					packets = append(packets, cur)
					cur = nil
				}
			}
		}
		off = body + size
	}
	if len(packets) == 0 {
		return o, fmt.Errorf("an Ogg file without a packet")
	}
	head := packets[0]
	switch {
	case len(head) >= 19 && string(head[:8]) == "OpusHead":
		o.Codec = Opus
		preSkip := int64(binary.LittleEndian.Uint16(head[10:12]))
		// Opus's granule positions count samples at 48 kHz, whatever the
		// input's rate.
		o.Duration = time.Duration(max(granule-preSkip, 0)) * time.Second / 48000
		if len(packets) > 2 {
			o.Waveform = waveform(packets[2:])
		}
	case len(head) >= 16 && head[0] == 1 && string(head[1:7]) == "vorbis":
		o.Codec = Vorbis
		if rate := int64(binary.LittleEndian.Uint32(head[12:16])); rate > 0 {
			o.Duration = time.Duration(granule) * time.Second / time.Duration(rate)
		}
	default:
		name := head[:min(len(head), 8)]
		o.Codec = fmt.Sprintf("%q", name)
	}
	return o, nil
}

// waveform lays the packets' sizes over WaveformLen buckets, each the
// mean size of its packets, scaled so that the largest is 100.
func waveform(packets [][]byte) []byte {
	out := make([]byte, WaveformLen)
	sums := make([]float64, WaveformLen)
	counts := make([]int, WaveformLen)
	for i, p := range packets {
		b := i * WaveformLen / len(packets)
		sums[b] += float64(len(p))
		counts[b]++
	}
	var top float64
	for b := range sums {
		if counts[b] > 0 {
			sums[b] /= float64(counts[b])
		} else if b > 0 {
			sums[b] = sums[b-1] // fewer packets than buckets: stretched
		}
		top = max(top, sums[b])
	}
	if top == 0 {
		return out
	}
	for b, s := range sums {
		out[b] = byte(s/top*100 + 0.5)
	}
	return out
}
