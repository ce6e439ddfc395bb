package picture_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/phototest"
	"github.com/huddlebot/huddle/picture"
)

// maxProcess is the most memory a process cleaning one accepted picture
// may hold at its peak.
const maxProcess = 400 << 20

// TestPeakMemory cleans each of the largest pictures Decode accepts, of
// each kind (a phone's 49-megapixel JPEG stored sideways, a 49-megapixel
// 8-bit PNG, a 26-megapixel 16-bit PNG), in a process of its own, and
// reads that process's peak resident memory (VmHWM): none goes past 400
// MB. Before the decode budget and the scaling without kernel buffers,
// the 8-bit PNG took 691 MB.
func TestPeakMemory(t *testing.T) {
	if path := os.Getenv("PICTURE_PEAK_FILE"); path != "" {
		// The child: clean the file, print the peak.
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := picture.Clean(context.Background(), data, picture.PhotoLongSide, picture.PhotoBudget); err != nil {
			t.Fatal(err)
		}
		status, _ := os.ReadFile("/proc/self/status")
		m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
		if m == nil {
			t.Skip("no /proc/self/status")
		}
		fmt.Printf("PEAK %s\n", m[1])
		return
	}
	if testing.Short() {
		t.Skip("makes pictures of up to 49 megapixels")
	}
	dir := t.TempDir()
	pngOf := func(w, h int, sixteen bool) []byte {
		var img image.Image
		if sixteen {
			im := image.NewNRGBA64(image.Rect(0, 0, w, h))
			for y := range h {
				for x := range w {
					im.SetNRGBA64(x, y, color.NRGBA64{R: uint16(x * 13), G: uint16(y * 7), B: 40000, A: 65535})
				}
			}
			img = im
		} else {
			im := image.NewNRGBA(image.Rect(0, 0, w, h))
			for i := 0; i < len(im.Pix); i += 4 {
				im.Pix[i], im.Pix[i+1], im.Pix[i+2], im.Pix[i+3] = uint8(i>>4), 120, 200, 255
			}
			img = im
		}
		var b bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, tt := range []struct {
		name string
		data func() []byte
	}{
		{"49-megapixel phone JPEG, sideways", func() []byte { return phototest.Phone(t, 8100, 6000) }},
		{"49-megapixel 8-bit PNG", func() []byte { return pngOf(7000, 7000, false) }},
		{"26-megapixel 16-bit PNG", func() []byte { return pngOf(5100, 5100, true) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "picture")
			data := tt.data()
			if len(data) > 16<<20 {
				t.Fatalf("the picture is %d MB: more than a member can send (16 MB)", len(data)>>20)
			}
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestPeakMemory$", "-test.v")
			cmd.Env = append(os.Environ(), "PICTURE_PEAK_FILE="+path)
			out, err := cmd.CombinedOutput()
			m := regexp.MustCompile(`PEAK (\d+)`).FindSubmatch(out)
			if err != nil || m == nil {
				t.Fatalf("the child: %v\n%s", err, out)
			}
			kb, _ := strconv.Atoi(string(m[1]))
			t.Logf("%s (%.1f MB): the process's peak %d MB", tt.name, float64(len(data))/(1<<20), kb>>10)
			if kb<<10 > maxProcess {
				t.Errorf("%s took the process to %d MB; want at most %d", tt.name, kb>>10, maxProcess>>20)
			}
		})
	}
}
