//go:build ignore

// gen_media draws the sample lessons' pictures and makes their sound, so
// that every file in media/ comes from source in this repository: four
// malaria rapid tests (drawn, not photographed: no brand, no patient)
// and ten seconds of a fast pulse. Run it with go generate ./lessons.
package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// A cassette's result lines: the strength of the Pf, pan and control
// lines, 0 for none.
type lines struct{ pf, pan, c float64 }

func main() {
	tests := map[string]lines{
		"rdt-pf-faint.png": {pf: 0.3, c: 1},
		"rdt-negative.png": {c: 1},
		"rdt-pan.png":      {pan: 0.9, c: 1},
		"rdt-invalid.png":  {pf: 0.9},
	}
	for name, l := range tests {
		write(name, encode(cassette(l)))
	}
	write("pulse-120.wav", pulse(120, 10))
}

func write(name string, data []byte) {
	if err := os.WriteFile(filepath.Join("media", name), data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func encode(img image.Image) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

// cassette draws a rapid test seen from above on a table: the sample
// well (S), the buffer well, the result window with its lines, and the
// labels printed on the plastic.
func cassette(l lines) image.Image {
	const w, h = 1200, 520
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{226, 222, 212, 255}), image.Point{}, draw.Src)
	// Shadow, then the white plastic.
	roundRect(img, 88, 128, 1128, 408, 36, color.RGBA{196, 190, 178, 255})
	roundRect(img, 80, 116, 1120, 396, 36, color.RGBA{250, 250, 248, 255})
	// The sample and buffer well.
	circle(img, 230, 256, 46, color.RGBA{210, 210, 206, 255})
	circle(img, 230, 256, 34, color.RGBA{236, 232, 226, 255})
	// The result window: the strip, faintly pink.
	roundRect(img, 470, 206, 930, 306, 10, color.RGBA{200, 200, 196, 255})
	roundRect(img, 476, 212, 924, 300, 8, color.RGBA{247, 240, 240, 255})
	band := func(x int, strength float64) {
		if strength <= 0 {
			return
		}
		a := uint8(255 * strength)
		c := color.NRGBA{128, 24, 64, a}
		draw.Draw(img, image.Rect(x-8, 214, x+8, 298), image.NewUniform(c), image.Point{}, draw.Over)
	}
	band(590, l.pf)
	band(700, l.pan)
	band(810, l.c)
	bold, regular := face(gobold.TTF, 34), face(goregular.TTF, 24)
	text(img, bold, 205, 196, "S", color.RGBA{60, 60, 60, 255})
	for _, t := range []struct {
		x int
		s string
	}{{568, "Pf"}, {668, "Pan"}, {798, "C"}} {
		text(img, bold, t.x, 196, t.s, color.RGBA{60, 60, 60, 255})
	}
	text(img, regular, 480, 356, "Malaria Ag Pf/Pan", color.RGBA{90, 90, 90, 255})
	text(img, regular, 24, 500, "Drawing for Huddle's sample lesson, not a real test", color.RGBA{120, 116, 108, 255})
	return img
}

func face(ttf []byte, size float64) font.Face {
	f, err := opentype.Parse(ttf)
	if err != nil {
		log.Fatal(err)
	}
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		log.Fatal(err)
	}
	return fc
}

func text(img draw.Image, f font.Face, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// roundRect fills a rectangle with rounded corners, antialiased.
func roundRect(img draw.Image, x0, y0, x1, y1, r int, c color.Color) {
	b := img.Bounds()
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	fx0, fy0, fx1, fy1, fr := float32(x0), float32(y0), float32(x1), float32(y1), float32(r)
	const k = 0.5523 // a quarter circle by a cubic Bézier
	z.MoveTo(fx0+fr, fy0)
	z.LineTo(fx1-fr, fy0)
	z.CubeTo(fx1-fr+k*fr, fy0, fx1, fy0+fr-k*fr, fx1, fy0+fr)
	z.LineTo(fx1, fy1-fr)
	z.CubeTo(fx1, fy1-fr+k*fr, fx1-fr+k*fr, fy1, fx1-fr, fy1)
	z.LineTo(fx0+fr, fy1)
	z.CubeTo(fx0+fr-k*fr, fy1, fx0, fy1-fr+k*fr, fx0, fy1-fr)
	z.LineTo(fx0, fy0+fr)
	z.CubeTo(fx0, fy0+fr-k*fr, fx0+fr-k*fr, fy0, fx0+fr, fy0)
	z.ClosePath()
	z.Draw(img, b, image.NewUniform(c), image.Point{})
}

func circle(img draw.Image, cx, cy, r int, c color.Color) {
	roundRect(img, cx-r, cy-r, cx+r, cy+r, r, c)
}

// pulse makes seconds of a pulse at bpm beats a minute as a listener
// hears it through a stethoscope at the wrist's artery: each beat a short
// low thump, over a little noise. 8 kHz, 8-bit mono WAV: about 8 KB a
// second.
func pulse(bpm, seconds int) []byte {
	const rate = 8000
	n := rate * seconds
	samples := make([]byte, n)
	rng := rand.New(rand.NewPCG(1, 2))
	period := float64(rate) * 60 / float64(bpm)
	for i := range n {
		t := math.Mod(float64(i), period) / rate // seconds since the beat
		v := 0.0
		if t < 0.12 {
			// A thump: a falling low tone under a quick rise and decay.
			env := math.Sin(math.Pi*t/0.12) * math.Exp(-t*18)
			v = 0.9 * env * math.Sin(2*math.Pi*(70-120*t)*t)
		}
		v += 0.02 * (rng.Float64()*2 - 1)
		samples[i] = uint8(128 + 127*math.Max(-1, math.Min(1, v)))
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate), uint16(1), uint16(8)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(n))
	b.Write(samples)
	return b.Bytes()
}
