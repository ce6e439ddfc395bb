// Package mediatest makes sound and video files for tests: Ogg streams
// whose pages, granule positions and packet sizes are what an encoder
// writes, and MP4 files whose boxes are what a muxer writes, each with
// made-up media bytes (nothing decodes them here).
package mediatest

import (
	"encoding/binary"
	"hash/crc32"
)

// crcTable is Ogg's CRC-32: polynomial 0x04c11db7, not reflected.
var crcTable = func() *crc32.Table {
	var t crc32.Table
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return &t
}()

// checksum is Ogg's page checksum.
func checksum(page []byte) uint32 {
	var crc uint32
	for _, b := range page {
		crc = crc<<8 ^ crcTable[byte(crc>>24)^b]
	}
	return crc
}

// page writes one Ogg page holding packets, which must each be shorter
// than 255 bytes.
func page(serial, seq uint32, flags byte, granule int64, packets ...[]byte) []byte {
	h := make([]byte, 27, 27+len(packets))
	copy(h, "OggS")
	h[5] = flags
	binary.LittleEndian.PutUint64(h[6:14], uint64(granule))
	binary.LittleEndian.PutUint32(h[14:18], serial)
	binary.LittleEndian.PutUint32(h[18:22], seq)
	h[26] = byte(len(packets))
	for _, p := range packets {
		h = append(h, byte(len(p)))
	}
	for _, p := range packets {
		h = append(h, p...)
	}
	binary.LittleEndian.PutUint32(h[22:26], checksum(h))
	return h
}

// Opus is an Ogg Opus stream of seconds of sound, one 20 ms packet at a
// time, each of the size sizes gives for its place (0 to 1 in the sound),
// with a pre-skip of 312 samples as libopus writes.
func Opus(seconds float64, sizes func(at float64) int) []byte {
	const preSkip = 312
	head := []byte("OpusHead\x01\x01")
	head = binary.LittleEndian.AppendUint16(head, preSkip)
	head = binary.LittleEndian.AppendUint32(head, 48000)
	head = append(head, 0, 0, 0)
	tags := append([]byte("OpusTags"), 0, 0, 0, 0, 0, 0, 0, 0)
	out := append(page(7, 0, 2, 0, head), page(7, 1, 0, 0, tags)...)
	frames := int(seconds * 50)
	var seq uint32 = 2
	for i := 0; i < frames; i += 10 {
		var packets [][]byte
		for j := i; j < min(i+10, frames); j++ {
			packets = append(packets, make([]byte, sizes(float64(j)/float64(frames))))
		}
		var flags byte
		n := min(i+10, frames)
		if n == frames {
			flags = 4 // the last page
		}
		out = append(out, page(7, seq, flags, preSkip+int64(n)*960, packets...)...)
		seq++
	}
	return out
}

// Vorbis is the start of an Ogg Vorbis stream of seconds at 44.1 kHz:
// enough for a reader to know it is not Opus, and how long it is.
func Vorbis(seconds float64) []byte {
	id := append([]byte{1}, "vorbis"...)
	id = binary.LittleEndian.AppendUint32(id, 0)
	id = append(id, 2)
	id = binary.LittleEndian.AppendUint32(id, 44100)
	id = append(id, make([]byte, 13)...)
	return append(page(9, 0, 2, 0, id), page(9, 1, 4, int64(seconds*44100), make([]byte, 100))...)
}
