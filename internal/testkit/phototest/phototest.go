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
	return tagged(buf.Bytes(), exifBlock(6, binary.LittleEndian))
}

// Tag returns JPEG raw tagged with EXIF orientation o (and the serial
// number and GPS position Phone's photos carry), as a camera writes it.
func Tag(raw []byte, o int) []byte { return tagged(raw, exifBlock(uint16(o), binary.LittleEndian)) }

// tagged puts an EXIF block into a JPEG, in an APP1 segment right after
// the start-of-image marker, as cameras write it.
func tagged(raw, exif []byte) []byte {
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(exif)))
	out := append([]byte{}, raw[:2]...)
	out = append(out, seg...)
	out = append(out, exif...)
	return append(out, raw[2:]...)
}

// exifBlock is "Exif\0\0" and a TIFF structure in byte order le: IFD0
// with orientation o, the serial number and a pointer to the GPS IFD,
// which holds a latitude.
func exifBlock(o uint16, le binary.ByteOrder) []byte {
	var b bytes.Buffer
	if le == binary.BigEndian {
		b.WriteString("MM\x00*")
	} else {
		b.WriteString("II*\x00")
	}
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
		if typ == 3 && count == 1 { // a SHORT sits left in the value field
			binary.Write(&b, le, uint16(value))
			binary.Write(&b, le, uint16(0))
			return
		}
		binary.Write(&b, le, value)
	}
	binary.Write(&b, le, uint16(ifd0Entries))
	entry(0x0112, 3, 1, uint32(o))                          // Orientation
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

// Quadrants is the upright picture Oriented stores: 64 × 48, red at top
// left, green at top right, blue at bottom left, white at bottom right.
var Quadrants = [4]color.RGBA{{R: 230, A: 255}, {G: 230, A: 255}, {B: 230, A: 255}, {R: 255, G: 255, B: 255, A: 255}}

// Oriented returns Quadrants as a camera stores it with EXIF orientation
// o (1 to 8): the pixels turned or mirrored so that, turned as the tag
// says, they show the picture upright. Odd orientations are tagged in
// big-endian TIFF, even ones little-endian.
func Oriented(t testing.TB, o int) []byte {
	t.Helper()
	const w, h = 64, 48
	sw, sh := w, h
	if o >= 5 {
		sw, sh = h, w
	}
	img := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for y := range h {
		for x := range w {
			q := 0
			if x >= w/2 {
				q++
			}
			if y >= h/2 {
				q += 2
			}
			sx, sy := x, y
			switch o { // where the camera put upright pixel (x, y)
			case 2:
				sx = sw - 1 - x
			case 3:
				sx, sy = sw-1-x, sh-1-y
			case 4:
				sy = sh - 1 - y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, sh-1-x
			case 7:
				sx, sy = sw-1-y, sh-1-x
			case 8:
				sx, sy = sw-1-y, x
			}
			img.SetRGBA(sx, sy, Quadrants[q])
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if o%2 == 1 {
		bo = binary.BigEndian
	}
	return tagged(buf.Bytes(), exifBlock(uint16(o), bo))
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
