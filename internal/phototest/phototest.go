// Package phototest makes the photos a phone sends, for tests: a JPEG
// whose EXIF block says it is stored sideways and holds the camera's
// serial number and the GPS position where it was taken.
package phototest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// Serial is the camera serial number Phone writes into the EXIF block,
// and Latitude the degrees of its GPS latitude: neither may survive.
const (
	Serial   = "SN-4711-HUDDLE"
	Latitude = 1
)

// Phone returns a w×h JPEG (red on its left half, blue on its right) as a
// phone stores a photo taken upright in portrait: the pixels sideways and
// EXIF orientation 6 ("turn 90° clockwise to show"), with the camera's
// serial number and a GPS position. Shown right, it is h wide and w
// tall, red on top.
func Phone(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	exif := exifBlock()
	// APP1 right after the start-of-image marker, as cameras write it.
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(exif)))
	out := append([]byte{}, raw[:2]...)
	out = append(out, seg...)
	out = append(out, exif...)
	return append(out, raw[2:]...)
}

// exifBlock is "Exif\0\0" and a little-endian TIFF structure: IFD0 with
// the orientation, the serial number and a pointer to the GPS IFD, which
// holds a latitude.
func exifBlock() []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II*\x00")
	binary.Write(&b, le, uint32(8))
	serial := Serial + "\x00"
	const ifd0 = 8
	const ifd0Entries = 3
	gpsAt := ifd0 + 2 + ifd0Entries*12 + 4
	const gpsEntries = 2
	serialAt := gpsAt + 2 + gpsEntries*12 + 4
	ratAt := serialAt + len(serial)
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&b, le, tag)
		binary.Write(&b, le, typ)
		binary.Write(&b, le, count)
		binary.Write(&b, le, value)
	}
	binary.Write(&b, le, uint16(ifd0Entries))
	entry(0x0112, 3, 1, 6)                                  // Orientation: rotate 90° CW
	entry(0x8825, 4, 1, uint32(gpsAt))                      // GPS IFD
	entry(0xA431, 2, uint32(len(serial)), uint32(serialAt)) // BodySerialNumber
	binary.Write(&b, le, uint32(0))
	binary.Write(&b, le, uint16(gpsEntries))
	entry(0x0001, 2, 2, uint32('S'))   // GPSLatitudeRef "S"
	entry(0x0002, 5, 3, uint32(ratAt)) // GPSLatitude
	binary.Write(&b, le, uint32(0))
	b.WriteString(serial)
	for _, v := range []uint32{Latitude, 1, 17, 1, 42, 1} {
		binary.Write(&b, le, v)
	}
	return append([]byte("Exif\x00\x00"), b.Bytes()...)
}

// Clean reports what of a phone's metadata data still holds: "" when
// nothing (no APP1 segment, no serial number), else what was found.
func Clean(data []byte) string {
	switch {
	case bytes.Contains(data, []byte(Serial)):
		return "the camera's serial number"
	case bytes.Contains(data, []byte("Exif\x00")):
		return "an EXIF block"
	case bytes.Contains(data, []byte{0xFF, 0xE1}):
		return "an APP1 segment"
	}
	return ""
}

// Upright reports whether data, a JPEG made from Phone's photo, stands
// the way it was taken: taller than wide, red on top and blue below.
func Upright(t testing.TB, data []byte) bool {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	b := img.Bounds()
	if b.Dy() <= b.Dx() {
		return false
	}
	top, bottom := img.At(b.Dx()/2, b.Dy()/8), img.At(b.Dx()/2, b.Dy()*7/8)
	r1, _, b1, _ := top.RGBA()
	r2, _, b2, _ := bottom.RGBA()
	return r1 > b1 && b2 > r2
}
