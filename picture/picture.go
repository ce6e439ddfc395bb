// Package picture makes pictures light and clean: decoded the right way
// up, scaled to a long side, and compressed as JPEG to a byte budget. The
// re-encoding keeps nothing of the source's metadata (EXIF, with its GPS
// position and camera serial number, XMP, comments): only pixels pass.
package picture

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"

	// Decoders of the picture types members and lessons send.
	_ "image/gif"
	_ "image/png"

	"github.com/disintegration/imaging"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// A member's photo is kept at most PhotoLongSide pixels on its long side
// and PhotoBudget bytes: clinical detail (a test's faint line, a wound's
// edge) at a size a group pays for without thinking twice.
const (
	PhotoLongSide = 1600
	PhotoBudget   = 250 << 10
)

// MaxPixels bounds the pictures Decode reads: a 48-megapixel phone photo
// passes; a small file that claims to be enormous (which would take
// gigabytes to decode) does not.
const MaxPixels = 50_000_000

// Decode reads a picture, turned upright by its EXIF orientation (a
// phone's photo is stored sideways and tagged): once the tag is gone with
// the rest of the metadata, the pixels must already stand right.
func Decode(data []byte) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not an image this program can read (%v)", err)
	}
	if cfg.Width*cfg.Height > MaxPixels {
		return nil, fmt.Errorf("the picture is %d×%d pixels; give one of at most %d megapixels", cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, fmt.Errorf("not an image this program can read (%v)", err)
	}
	return img, nil
}

// Picture is a picture made light: a JPEG and its size in pixels.
type Picture struct {
	Data          []byte
	Width, Height int
}

// Lighten scales img to longSide pixels at most on its long side and
// encodes it as JPEG at the best quality that fits budget bytes.
func Lighten(img image.Image, longSide, budget int) (Picture, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > longSide {
		w, h = max(1, w*longSide/long), max(1, h*longSide/long)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// White under transparency: a PNG's clear background stays light.
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	for _, q := range []int{85, 75, 65, 55, 45, 35} {
		buf.Reset()
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: q}); err != nil {
			return Picture{}, err
		}
		if buf.Len() <= budget {
			break
		}
	}
	if buf.Len() > budget {
		return Picture{}, fmt.Errorf("it does not fit in %d KB even compressed: give a simpler or smaller image", budget>>10)
	}
	return Picture{Data: bytes.Clone(buf.Bytes()), Width: w, Height: h}, nil
}

// Clean decodes data and makes it light (Lighten): what a member's photo
// becomes before anything stores or relays it.
func Clean(data []byte, longSide, budget int) (Picture, error) {
	img, err := Decode(data)
	if err != nil {
		return Picture{}, err
	}
	return Lighten(img, longSide, budget)
}
