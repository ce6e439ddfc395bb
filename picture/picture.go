// Package picture makes pictures light and clean: decoded the right way
// up, scaled to a long side, and compressed as JPEG to a byte budget. The
// re-encoding keeps nothing of the source's metadata (EXIF, with its GPS
// position and camera serial number, XMP, comments): only pixels pass.
package picture

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"runtime/debug"

	// Decoders of the picture types members and lessons send.
	_ "image/gif"
	_ "image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"
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

// DecodeBudget bounds the memory decodes take at once: a picture's cost
// is its pixels times the bytes each takes decoded (a phone's JPEG 1.5, an
// 8-bit PNG 4, a 16-bit one 8). A picture that costs more than the
// whole budget is refused; several small ones decode at once, a large one
// alone. So no accepted picture takes the process much past the budget:
// docs/when-things-fail.md has the figures (a 16-bit PNG of 49 megapixels
// took the process to 1.5 GB before).
const DecodeBudget = 200 << 20

// largeDecode is the cost past which a decode is large (see Decode).
const largeDecode = 64 << 20

// TooLargeError says a picture has more pixels, or costs more memory to
// decode, than Huddle reads.
type TooLargeError struct {
	// Pixels is the picture's; Limit the most that a picture of its kind
	// may have.
	Pixels, Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the picture has %d million pixels; the limit for its kind is %d million", (e.Pixels+500_000)/1_000_000, e.Limit/1_000_000)
}

// decoding holds the budget of decodes under way.
var decoding = semaphore.NewWeighted(DecodeBudget)

// bytesPerPixel is what one pixel takes once decoded, by color model.
func bytesPerPixel(m color.Model) float64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.YCbCrModel:
		return 1.5 // a phone's JPEG, chroma subsampled 4:2:0
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// Cost is the memory decoding a picture of cfg takes: its pixels
// decoded. Scaling it (Lighten) takes little beside, and a photo stored
// sideways is turned once scaled, where it is small.
func Cost(cfg image.Config) int64 {
	return int64(float64(cfg.Width) * float64(cfg.Height) * bytesPerPixel(cfg.ColorModel))
}

// Decode reads a picture, turned upright by its EXIF orientation (a
// phone's photo is stored sideways and tagged): once the tag is gone with
// the rest of the metadata, the pixels must already stand right. It waits
// for its share of DecodeBudget (or ctx's end) first, and refuses with a
// *TooLargeError a picture that costs more than the whole budget or has
// more than MaxPixels. The caller calls done once it no longer needs the
// picture (after Lighten): until then its share of the budget is held.
func Decode(ctx context.Context, data []byte) (img image.Image, done func(), err error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("not an image this program can read (%v)", err)
	}
	px := cfg.Width * cfg.Height
	cost := Cost(cfg)
	if cfg.Width <= 0 || cfg.Height <= 0 || px > MaxPixels || cost > DecodeBudget {
		per := float64(Cost(image.Config{ColorModel: cfg.ColorModel, Width: 1000, Height: 1000})) / 1e6
		return nil, nil, &TooLargeError{Pixels: px, Limit: min(MaxPixels, int(float64(DecodeBudget)/per)/1_000_000*1_000_000)}
	}
	if err := decoding.Acquire(ctx, cost); err != nil {
		return nil, nil, err
	}
	done = func() { decoding.Release(cost) }
	if cost > largeDecode {
		// Go's collector lets the heap grow to twice what is live before
		// it runs: with a picture of a hundred MB or more live, that
		// slack is the process's peak. While a large picture is held
		// (one at a time, by the budget), it runs sooner.
		old := debug.SetGCPercent(20)
		done = func() { debug.SetGCPercent(old); decoding.Release(cost) }
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("not an image this program can read (%v)", err)
	}
	if o := orientation(data); o > 1 {
		img = &upright{src: img, o: o}
	}
	return img, done, nil
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
	// A photo stored sideways is scaled as stored, and turned once small.
	src, o, sw, sh := img, 1, w, h
	if u, ok := img.(*upright); ok {
		src, o = u.src, u.o
		if o >= 5 {
			sw, sh = h, w
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// White under transparency: a PNG's clear background stays light.
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	// Scaled in two cheap steps, bilinear to twice the size wanted, then
	// halved (each pixel the mean of four): x/image/draw's kernels keep a
	// buffer of the destination's width times the source's height in
	// float64s (154 MB for a phone's 12 megapixels, 358 MB for 49).
	mid := image.NewRGBA(image.Rect(0, 0, 2*sw, 2*sh)) // RGBA: x/image/draw's fast paths write it
	draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, src.Bounds(), draw.Src, nil)
	draw.Draw(dst, dst.Bounds(), turn(halve(mid), o), image.Point{}, draw.Over)
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
func Clean(ctx context.Context, data []byte, longSide, budget int) (Picture, error) {
	img, done, err := Decode(ctx, data)
	if err != nil {
		return Picture{}, err
	}
	defer done()
	return Lighten(img, longSide, budget)
}

// halve returns img at half its width and height, each pixel the mean of
// the four it covers (a box filter: no detail is lost to aliasing; the
// colors are premultiplied by alpha, so the mean is weighted by it).
func halve(img *image.RGBA) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx()/2, b.Dy()/2
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		top, bottom := img.PixOffset(0, 2*y), img.PixOffset(0, 2*y+1)
		for x := range w {
			i := out.PixOffset(x, y)
			for c := range 4 {
				sum := uint32(img.Pix[top+8*x+c]) + uint32(img.Pix[top+8*x+4+c]) + uint32(img.Pix[bottom+8*x+c]) + uint32(img.Pix[bottom+8*x+4+c])
				out.Pix[i+c] = uint8((sum + 2) / 4)
			}
		}
	}
	return out
}
