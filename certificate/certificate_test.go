package certificate

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/pdftest"
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

// TestVerifyPage: the page states a certificate's name, title, hours,
// date and code, refuses an unknown code and what is no code, and shows
// nothing else (no member id).
func TestVerifyPage(t *testing.T) {
	cert := bot.Certificate{Code: "7KQ4-MZ2P-XR9C", MemberID: 4821, Name: "Amina Otieno", Title: "Safe care basics", Hours: 2,
		Issued: time.Date(2026, 3, 16, 11, 0, 0, 0, time.UTC)}
	lookup := func(_ context.Context, code string) (bot.Certificate, error) {
		if code == cert.Code {
			return cert, nil
		}
		return bot.Certificate{}, bot.ErrNotFound
	}
	noMatch := func(context.Context, string, string) (bool, error) { return false, nil }
	h := Page{Program: "Kisumu nurses"}.Handler(lookup, noMatch, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tests := []struct {
		url    string
		status int
		want   []string
	}{
		{"/verify/7kq4mz2pxr9c", 200, []string{"This certificate is valid", "Amina Otieno", "Safe care basics", "16 March 2026", ">2<", "7KQ4-MZ2P-XR9C"}},
		{"/verify?code=7KQ4-MZ2P-XR9D", 404, []string{"No certificate has the code 7KQ4-MZ2P-XR9D"}},
		{"/verify/%3Cb%3Ehi", 404, []string{"&lt;b&gt;hi is not a certificate code"}},
		{"/verify", 200, []string{"Verify a certificate", `name="code"`}},
		{"/verify/", 200, []string{"Verify a certificate", `name="code"`}},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.url, nil))
		body := rec.Body.String()
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.url, rec.Code, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page lacks %q", tt.url, w)
			}
		}
		if strings.Contains(body, "4821") {
			t.Errorf("%s: the page shows the member's id", tt.url)
		}
	}
}

// TestVerifyForgotten: a certificate whose holder was forgotten still
// verifies, showing no name; a verifier who types the name printed on it
// (posted, not in the address) is told whether it matches.
func TestVerifyForgotten(t *testing.T) {
	cert := bot.Certificate{Code: "3HNW-Q8TD-LC4V", Title: "Safe care basics", Hours: 2, Forgotten: true,
		Issued: time.Date(2026, 3, 16, 11, 0, 0, 0, time.UTC)}
	lookup := func(_ context.Context, code string) (bot.Certificate, error) {
		if code == cert.Code {
			return cert, nil
		}
		return bot.Certificate{}, bot.ErrNotFound
	}
	matches := func(_ context.Context, code, name string) (bool, error) {
		return code == cert.Code && name == "Zawadi Wekesa", nil
	}
	h := Page{Program: "Kisumu nurses"}.Handler(lookup, matches, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tests := []struct {
		method, body string
		want, not    []string
	}{
		{"GET", "", []string{"This certificate is valid", "Safe care basics", "its holder had their data erased", `method="post"`}, []string{"id=\"match\""}},
		{"POST", "name=Zawadi+Wekesa", []string{"✅ The name you typed is the name on this certificate"}, []string{"Zawadi"}},
		{"POST", "name=Amina+Otieno", []string{"❌ The name you typed is not the name on this certificate"}, []string{"Amina"}},
		{"POST", "name=", []string{"This certificate is valid"}, []string{"id=\"match\""}},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, "/verify/3HNW-Q8TD-LC4V", strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != 200 {
			t.Errorf("%s %q: status %d", tt.method, tt.body, rec.Code)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %q: the page lacks %q", tt.method, tt.body, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(body, w) {
				t.Errorf("%s %q: the page shows %q", tt.method, tt.body, w)
			}
		}
	}
	// Another site's page cannot post names to it.
	req := httptest.NewRequest("POST", "/verify/3HNW-Q8TD-LC4V", strings.NewReader("name=Zawadi+Wekesa"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("a cross-site post: status %d; want 403", rec.Code)
	}
}

// TestVerifyLink: a certificate's address is base/verify/CODE whatever
// the configured address ends in.
func TestVerifyLink(t *testing.T) {
	for _, base := range []string{"https://huddle.example.org", "https://huddle.example.org/", "https://huddle.example.org/verify", "https://huddle.example.org/verify/"} {
		if got := VerifyLink(base, "7KQ4-MZ2P-XR9C"); got != "https://huddle.example.org/verify/7KQ4-MZ2P-XR9C" {
			t.Errorf("VerifyLink(%q) = %q", base, got)
		}
	}
	if got := VerifyLink("https://example.org/huddle", "X"); got != "https://example.org/huddle/verify/X" {
		t.Errorf("under a path: %q", got)
	}
}
