package certificate

import (
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/pdftest"
)

// TestPDF: the certificate reads back as a PDF stating the name, the
// course, the hours, the date and the code.
func TestPDF(t *testing.T) {
	c := bot.Certificate{Code: "7KQ4-MZ2P-XR9C", Name: "Amina Wanjiru Odhiambo", Title: "Newborn care in three weeks", Hours: 3,
		Issued: time.Date(2026, 3, 16, 11, 0, 0, 0, time.UTC)}
	p := Page{Program: "Kisumu nurses' learning program", VerifyURL: "https://huddle.example.org/"}
	data, err := p.PDF(c)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, data)
	for _, want := range []string{"Kisumu nurses' learning program", "Certificate of completion", "Amina Wanjiru Odhiambo",
		"Newborn care in three weeks", "earning 3 hours of continuing professional development", "Issued on 16 March 2026",
		"Verification code: 7KQ4-MZ2P-XR9C", "https://huddle.example.org/verify/7KQ4-MZ2P-XR9C"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}

// TestCodes: new codes are well formed and differ; typed codes are
// tidied, and what cannot be a code is refused.
func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := Normalize(c); !ok || n != c || seen[c] {
			t.Fatalf("code %q: normalized %q %v, seen %v", c, n, ok, seen[c])
		}
		seen[c] = true
	}
	for _, tt := range []struct{ in, want string }{
		{"7kq4 mz2p xr9c", "7KQ4-MZ2P-XR9C"},
		{"7KQ4MZ2PXR9C", "7KQ4-MZ2P-XR9C"},
		{"7KQ4-MZ2P-XR9", ""},  // short
		{"7KQ4-MZ2P-XR90", ""}, // 0 is never in a code
		{"<script>", ""},
	} {
		got, ok := Normalize(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}
