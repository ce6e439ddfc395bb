package deid

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestScan runs the fixtures in testdata/redact.txt.
func TestScan(t *testing.T) {
	f, err := os.Open("testdata/redact.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type fixture struct{ in, out, found string }
	var (
		all []fixture
		cur fixture
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "in: "):
			cur = fixture{in: line[4:]}
		case strings.HasPrefix(line, "out: "):
			cur.out = line[5:]
		case strings.HasPrefix(line, "found: "):
			cur.found = line[7:]
			all = append(all, cur)
		}
	}
	if len(all) == 0 {
		t.Fatal("no fixtures")
	}
	for _, fx := range all {
		t.Run(fx.in[:min(len(fx.in), 40)], func(t *testing.T) {
			fs, out := Scan(fx.in)
			if out != fx.out {
				t.Errorf("redacted:\n got %s\nwant %s", out, fx.out)
			}
			found := strings.Join(Summary(fs), ", ")
			if found == "" {
				found = "-"
			}
			if found != fx.found {
				t.Errorf("found %q; want %q", found, fx.found)
			}
		})
	}
}

// FuzzCheck checks that Check never panics and that its redaction keeps
// the text around the findings.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"Mrs Jane Doe 0722123456", "née le 2024-01-15", "", "😀 patient Ω", "MRN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, out := Scan(s)
		if len(fs) == 0 && out != s {
			t.Fatalf("nothing found but text changed: %q -> %q", s, out)
		}
		for i, x := range fs {
			if x.Start < 0 || x.End > len(s) || x.Start >= x.End || (i > 0 && x.Start < fs[i-1].End) {
				t.Fatalf("bad span %+v in %q", x, s)
			}
		}
	})
}
