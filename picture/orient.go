package picture

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
)

// A phone stores a photo the way its sensor read it and tags the JPEG
// with how to turn it for showing: the EXIF orientation, 1 to 8 (EXIF
// 2.32, CIPA DC-008-2019, tag 0x0112). Huddle drops all metadata when it
// re-encodes a picture, so it turns the pixels itself, after scaling,
// where the picture is small.

// orientation returns the EXIF orientation of a JPEG (1 to 8): 1 when it
// has none, or data is no JPEG or a damaged one.
func orientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		switch marker := data[i+1]; {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD8: // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9: // the image data: no metadata after
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		if seg := data[i+4 : i+2+n]; data[i+1] == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// exifOrientation reads the orientation from an EXIF block's TIFF
// structure: IFD0's entry 0x0112, a SHORT.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int(bo.Uint32(tiff[4:]))
	if bo.Uint16(tiff[2:]) != 42 || ifd < 8 || ifd+2 > len(tiff) {
		return 1
	}
	for k := range int(bo.Uint16(tiff[ifd:])) {
		e := ifd + 2 + 12*k
		if e+12 > len(tiff) {
			return 1
		}
		if bo.Uint16(tiff[e:]) == 0x0112 && bo.Uint16(tiff[e+2:]) == 3 {
			if v := int(bo.Uint16(tiff[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// source maps a pixel (x, y) of the picture shown upright to the pixel
// of the stored one (w × h) it shows, for orientation o.
func source(o, x, y, w, h int) (int, int) {
	switch o {
	case 2: // mirrored
		return w - 1 - x, y
	case 3: // upside down
		return w - 1 - x, h - 1 - y
	case 4: // mirrored upside down
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // stored turned a quarter to the left: show it turned right
		return y, h - 1 - x
	case 7: // transversed
		return w - 1 - y, h - 1 - x
	case 8: // stored turned a quarter to the right
		return w - 1 - y, x
	}
	return x, y
}

// upright is a stored picture seen the right way up: what Decode returns
// for a tagged JPEG. Lighten turns it cheaply, after scaling; anything
// else reads it pixel by pixel, right all the same.
type upright struct {
	src image.Image
	o   int
}

func (u *upright) ColorModel() color.Model { return u.src.ColorModel() }

func (u *upright) Bounds() image.Rectangle {
	b := u.src.Bounds()
	if u.o >= 5 {
		return image.Rect(0, 0, b.Dy(), b.Dx())
	}
	return image.Rect(0, 0, b.Dx(), b.Dy())
}

func (u *upright) At(x, y int) color.Color {
	b := u.src.Bounds()
	sx, sy := source(u.o, x, y, b.Dx(), b.Dy())
	return u.src.At(b.Min.X+sx, b.Min.Y+sy)
}

// turn returns img shown with orientation o: img itself for 1, else a
// copy turned.
func turn(img *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewRGBA((&upright{src: img, o: o}).Bounds())
	ow, oh := out.Bounds().Dx(), out.Bounds().Dy()
	for y := range oh {
		for x := range ow {
			sx, sy := source(o, x, y, w, h)
			copy(out.Pix[out.PixOffset(x, y):][:4], img.Pix[img.PixOffset(b.Min.X+sx, b.Min.Y+sy):][:4])
		}
	}
	return out
}
