package mediatest

import "encoding/binary"

// box is one MP4 box of kind holding body.
func box(kind string, body ...[]byte) []byte {
	var b []byte
	for _, p := range body {
		b = append(b, p...)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(b)))
	return append(append(out, kind...), b...)
}

// MP4 is an MP4 file's boxes as a muxer writes them (ftyp, moov with its
// movie header and a sound track before a picture's, mdat), for a video
// width by height of seconds, with made-up media bytes.
func MP4(width, height int, seconds float64) []byte {
	mvhd := make([]byte, 100)
	binary.BigEndian.PutUint32(mvhd[12:], 1000)
	binary.BigEndian.PutUint32(mvhd[16:], uint32(seconds*1000))
	track := func(w, h int) []byte {
		tkhd := make([]byte, 84)
		binary.BigEndian.PutUint32(tkhd[76:], uint32(w)<<16)
		binary.BigEndian.PutUint32(tkhd[80:], uint32(h)<<16)
		return box("trak", box("tkhd", tkhd))
	}
	out := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	out = append(out, box("moov", box("mvhd", mvhd), track(0, 0), track(width, height))...)
	return append(out, box("mdat", make([]byte, 256))...)
}
