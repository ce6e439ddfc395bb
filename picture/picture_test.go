package picture_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/phototest"
	"github.com/huddlebot/huddle/picture"
)

func TestCleanDropsMetadataKeepsOrientation(t *testing.T) {
	photo := phototest.Phone(t, 640, 360)
	if got := phototest.Clean(photo); got == "" {
		t.Fatal("the phone's photo carries no metadata: the test proves nothing")
	}
	p, err := picture.Clean(context.Background(), photo, 1280, 150<<10)
	if err != nil {
		t.Fatal(err)
	}
	if got := phototest.Clean(p.Data); got != "" {
		t.Errorf("the clean picture still holds %s", got)
	}
	if p.Width != 360 || p.Height != 640 {
		t.Errorf("size %d×%d, want 360×640 (turned upright)", p.Width, p.Height)
	}
	if !phototest.Upright(t, p.Data) {
		t.Error("the picture is not upright: red should be on top")
	}
}

// TestEveryOrientation: a JPEG stored in each of EXIF's eight
// orientations (turned, mirrored, both; tagged in either byte order) is
// cleaned into the picture upright: 64 × 48, its four quadrants where
// they belong, and no EXIF block left.
func TestEveryOrientation(t *testing.T) {
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprint("orientation ", o), func(t *testing.T) {
			p, err := picture.Clean(context.Background(), phototest.Oriented(t, o), 1280, 150<<10)
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != 64 || p.Height != 48 {
				t.Fatalf("size %d×%d, want 64×48", p.Width, p.Height)
			}
			if got := phototest.Clean(p.Data); got != "" {
				t.Errorf("the clean picture still holds %s", got)
			}
			img, err := jpeg.Decode(bytes.NewReader(p.Data))
			if err != nil {
				t.Fatal(err)
			}
			for q, at := range []image.Point{{16, 12}, {48, 12}, {16, 36}, {48, 36}} {
				r, g, b, _ := img.At(at.X, at.Y).RGBA()
				want := phototest.Quadrants[q]
				if near := func(got uint32, want uint8) bool { d := int(got>>8) - int(want); return d > -40 && d < 40 }; !near(r, want.R) || !near(g, want.G) || !near(b, want.B) {
					t.Errorf("at %v: %d,%d,%d; want %v", at, r>>8, g>>8, b>>8, want)
				}
			}
		})
	}
}

func TestLightenFitsBudget(t *testing.T) {
	tests := []struct {
		name             string
		w, h             int
		long, budget     int
		wantW, wantH     int
		wantErrSubstring string
	}{
		{"scaled down", 4000, 3000, 1280, 150 << 10, 1280, 960, ""},
		{"small stays", 300, 200, 1280, 150 << 10, 300, 200, ""},
		{"preview", 4000, 3000, 480, 30 << 10, 480, 360, ""},
		{"budget impossible", 4000, 3000, 1280, 100, 0, 0, "does not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := noisy(tt.w, tt.h)
			p, err := picture.Lighten(img, tt.long, tt.budget)
			if tt.wantErrSubstring != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSubstring) {
					t.Fatalf("err %v, want %q", err, tt.wantErrSubstring)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != tt.wantW || p.Height != tt.wantH || len(p.Data) > tt.budget {
				t.Errorf("%d×%d, %d bytes; want %d×%d within %d", p.Width, p.Height, len(p.Data), tt.wantW, tt.wantH, tt.budget)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.Data))
			if err != nil || cfg.Width != tt.wantW || cfg.Height != tt.wantH {
				t.Errorf("reads back as %+v, %v", cfg, err)
			}
		})
	}
}

func TestDecodeRefusesNonPictures(t *testing.T) {
	if _, _, err := picture.Decode(context.Background(), []byte("%PDF-1.4 not a picture")); err == nil {
		t.Fatal("a PDF decoded as a picture")
	}
}

// noisy is a w×h picture with detail, which compresses like a photo.
func noisy(w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	seed := uint32(7)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			img.Pix[y*w+x] = uint8((x*200/w + y*40/h) + int(seed>>28))
		}
	}
	return img
}

// TestDecodeRefusesHugePictures: a picture whose header says it takes
// more memory to decode than the budget (its pixels times the bytes each
// takes, by kind) is refused from its header, saying how many pixels it
// has and the limit for its kind; one within the limit is read.
func TestDecodeRefusesHugePictures(t *testing.T) {
	png := func(w, h uint32, depth, colorType byte) []byte {
		var b bytes.Buffer
		b.WriteString("\x89PNG\r\n\x1a\n")
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr[0:], w)
		binary.BigEndian.PutUint32(ihdr[4:], h)
		ihdr[8], ihdr[9] = depth, colorType
		binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
		chunk := append([]byte("IHDR"), ihdr...)
		b.Write(chunk)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
		return b.Bytes()
	}
	for _, tt := range []struct {
		name          string
		data          []byte
		pixels, limit int // in millions; 0: not refused for its size
	}{
		{"100 megapixels, 8-bit RGBA", png(10000, 10000, 8, 6), 100, 50},
		{"49 megapixels, 16-bit RGBA", png(7000, 7000, 16, 6), 49, 26},
		{"49 megapixels, 8-bit RGBA", png(7000, 7000, 8, 6), 0, 0},
		{"49 megapixels, 8-bit gray", png(7000, 7000, 8, 0), 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, done, err := picture.Decode(context.Background(), tt.data)
			if err == nil {
				done()
			}
			var tooLarge *picture.TooLargeError
			switch {
			case tt.limit == 0 && errors.As(err, &tooLarge):
				t.Errorf("refused for its size: %v", err)
			case tt.limit != 0 && !errors.As(err, &tooLarge):
				t.Errorf("not refused for its size: %v", err)
			case tt.limit != 0 && (tooLarge.Pixels/1_000_000 != tt.pixels || tooLarge.Limit/1_000_000 != tt.limit):
				t.Errorf("%v; want %d million pixels, limit %d million", err, tt.pixels, tt.limit)
			}
		})
	}
}

// BenchmarkCleanPhoto cleans a 12-megapixel phone photo (4000 × 3000,
// EXIF-tagged sideways), as the router does with each photo a member
// shares with a case.
func BenchmarkCleanPhoto(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	seed := uint32(7)
	for y := range 3000 {
		for x := range 4000 {
			seed = seed*1664525 + 1013904223
			n := uint8(seed >> 28)
			img.Set(x, y, color.RGBA{uint8(x*200/4000) + n, uint8(y*180/3000) + n, 120 + n, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	data := phototest.Tag(buf.Bytes(), 6)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		if _, err := picture.Clean(context.Background(), data, picture.PhotoLongSide, picture.PhotoBudget); err != nil {
			b.Fatal(err)
		}
	}
}
