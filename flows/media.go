package flows

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"path"
	"strings"

	// Decoders of the image types lessons may use.
	_ "image/gif"
	_ "image/png"

	"github.com/huddlebot/huddle/bot"
	"go.yaml.in/yaml/v3"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Image limits: a lesson's image file may be up to MaxImageFile; at load
// it is scaled to at most ImageLongSide pixels on its long side and
// compressed as JPEG to fit ImageBudget (members pay for their data), its
// metadata (EXIF, GPS) dropped by the re-encoding.
const (
	MaxImageFile  = 10 << 20
	ImageLongSide = 1280
	ImageBudget   = 150 << 10
)

// imageTypes are the image files a lesson may show, by extension.
var imageTypes = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true}

// Media is an image a step shows before its text: read from beside its
// lesson file and made light at load.
type Media struct {
	// Name is the file's name as the lesson gives it.
	Name string
	// Data is the image as sent (JPEG); Hash its SHA-256, hex, by which
	// a channel may upload it once.
	Data []byte
	Hash string
	// Width and Height are its size in pixels.
	Width, Height int
}

// File is the image as an outbound message's attachment.
func (m *Media) File() *bot.File {
	name := strings.TrimSuffix(path.Base(m.Name), path.Ext(m.Name)) + ".jpg"
	return &bot.File{Name: name, MIMEType: "image/jpeg", Data: m.Data}
}

// pendingImage is an image a step names, read once the lesson's folder
// is known.
type pendingImage struct {
	step *Step
	name string
	line int
}

// imageKey reads a step's image: key: a file path relative to the lesson
// file, on a say, quiz or ask step.
func (p *parser) imageKey(n *yaml.Node, st *Step) {
	name, ok := p.str(n, "image")
	if !ok {
		return
	}
	switch {
	case st.Kind != "say" && st.Kind != "quiz" && st.Kind != "ask":
		p.errf(n, "image is for say, quiz and ask steps")
	case path.IsAbs(name) || strings.Contains(name, "\\\\") || !fs.ValidPath(path.Clean(name)):
		p.errf(n, "image %q: give a path beside the lesson file, such as images/rdt.png", name)
	case !imageTypes[strings.ToLower(path.Ext(name))]:
		p.errf(n, "image %q: use a .jpg, .png, .gif or .webp file", name)
	default:
		p.images = append(p.images, pendingImage{step: st, name: path.Clean(name), line: n.Line})
	}
}

// readImages reads the images the parsed lesson names from dir in fsys
// and makes each light; each problem is at its image: line.
func (p *parser) readImages(fsys fs.FS, dir string) {
	for _, pi := range p.images {
		if fsys == nil {
			continue // parsed alone: the images are read with the folder
		}
		m, err := readImage(fsys, path.Join(dir, pi.name))
		if err != nil {
			p.problems = append(p.problems, Problem{File: p.file, Line: pi.line, Msg: fmt.Sprintf("image %s: %v", pi.name, err)})
			continue
		}
		m.Name = pi.name
		pi.step.Image = m
	}
}

// readImage reads, checks, scales and compresses one image file.
func readImage(fsys fs.FS, name string) (*Media, error) {
	info, err := fs.Stat(fsys, name)
	switch {
	case err != nil:
		return nil, fmt.Errorf("no such file beside the lesson")
	case info.IsDir():
		return nil, fmt.Errorf("is a folder, not an image")
	case info.Size() > MaxImageFile:
		return nil, fmt.Errorf("the file is %d MB; give one of at most %d MB", (info.Size()+1<<20-1)>>20, MaxImageFile>>20)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not an image this program can read (%v)", err)
	}
	out, w, h, err := lighten(src)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(out)
	return &Media{Data: out, Hash: hex.EncodeToString(sum[:]), Width: w, Height: h}, nil
}

// lighten scales img to ImageLongSide at most and encodes it as JPEG at
// the best quality that fits ImageBudget.
func lighten(img image.Image) ([]byte, int, int, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > ImageLongSide {
		w, h = max(1, w*ImageLongSide/long), max(1, h*ImageLongSide/long)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// White under transparency: a PNG's clear background stays light.
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	for _, q := range []int{85, 75, 65, 55, 45, 35} {
		buf.Reset()
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: q}); err != nil {
			return nil, 0, 0, err
		}
		if buf.Len() <= ImageBudget {
			break
		}
	}
	if buf.Len() > ImageBudget {
		return nil, 0, 0, fmt.Errorf("it does not fit in %d KB even compressed: give a simpler or smaller image", ImageBudget>>10)
	}
	return bytes.Clone(buf.Bytes()), w, h, nil
}
