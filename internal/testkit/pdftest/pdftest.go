// Package pdftest reads PDFs back in tests, with poppler's pdftotext
// (Debian's poppler-utils, which .ci/run installs).
package pdftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Text returns the text of a PDF, its words separated by single spaces.
// The test skips where pdftotext is missing, and fails under CI.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing: .ci/run installs poppler-utils")
		}
		t.Skip("pdftotext is not installed (Debian: poppler-utils)")
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("not a PDF: it starts %q", pdf[:min(len(pdf), 8)])
	}
	file := filepath.Join(t.TempDir(), "read.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
