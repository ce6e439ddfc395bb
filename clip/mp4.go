// Package clip reads what Huddle needs of a video without decoding it:
// its picture's size and its length, from the MP4 file's headers (the
// movie header, mvhd, and the first video track's header, tkhd: ISO/IEC
// 14496-12), so that a member on slow data sees the video's box at its
// size, and its length, before it downloads.
package clip

import (
	"encoding/binary"
	"errors"
	"time"
)

// MP4 is what is known of an MP4 video.
type MP4 struct {
	Width, Height int
	Duration      time.Duration
}

// ErrNotMP4 says the data holds no MP4 movie header.
var ErrNotMP4 = errors.New("not an MP4 file with a movie header")

// ReadMP4 reads an MP4 video's size and length.
func ReadMP4(data []byte) (MP4, error) {
	var v MP4
	moov, ok := box(data, "moov")
	if !ok {
		return v, ErrNotMP4
	}
	mvhd, ok := box(moov, "mvhd")
	if !ok || len(mvhd) < 20 {
		return v, ErrNotMP4
	}
	var scale, length uint64
	if mvhd[0] == 1 { // version 1: 64-bit times
		if len(mvhd) < 32 {
			return v, ErrNotMP4
		}
		scale, length = uint64(binary.BigEndian.Uint32(mvhd[20:24])), binary.BigEndian.Uint64(mvhd[24:32])
	} else {
		scale, length = uint64(binary.BigEndian.Uint32(mvhd[12:16])), uint64(binary.BigEndian.Uint32(mvhd[16:20]))
	}
	if scale > 0 {
		v.Duration = time.Duration(length) * time.Second / time.Duration(scale)
	}
	// The first track with a picture: a sound track's size is zero.
	for rest := moov; ; {
		trak, after, ok := next(rest, "trak")
		if !ok {
			break
		}
		rest = after
		tkhd, ok := box(trak, "tkhd")
		if !ok || len(tkhd) < 84 {
			continue
		}
		// Width and height close the header, each 16.16 fixed point.
		w := int(binary.BigEndian.Uint32(tkhd[len(tkhd)-8:]) >> 16)
		h := int(binary.BigEndian.Uint32(tkhd[len(tkhd)-4:]) >> 16)
		if w > 0 && h > 0 {
			v.Width, v.Height = w, h
			break
		}
	}
	return v, nil
}

// box returns the body of the first box of kind among the boxes in data.
func box(data []byte, kind string) ([]byte, bool) {
	body, _, ok := next(data, kind)
	return body, ok
}

// next returns the body of the first box of kind in data, and what
// follows it.
func next(data []byte, kind string) (body, rest []byte, ok bool) {
	for len(data) >= 8 {
		size := uint64(binary.BigEndian.Uint32(data[:4]))
		head := uint64(8)
		switch size {
		case 0: // to the end of the file
			size = uint64(len(data))
		case 1: // a 64-bit size follows the kind
			if len(data) < 16 {
				return nil, nil, false
			}
			size, head = binary.BigEndian.Uint64(data[8:16]), 16
		}
		if size < head || size > uint64(len(data)) {
			return nil, nil, false
		}
		if string(data[4:8]) == kind {
			return data[head:size], data[size:], true
		}
		data = data[size:]
	}
	return nil, nil, false
}
