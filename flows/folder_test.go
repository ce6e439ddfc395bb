package flows

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFolderKeepsInside: a lessons folder holding links that lead out of
// it (a lesson file, and a lesson's document) loads every lesson but
// those, each refused with file:line: message, and nothing outside the
// folder is read; links that stay inside work, and a dangling link is
// named as such.
func TestFolderKeepsInside(t *testing.T) {
	outside := t.TempDir()
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, path string) {
		t.Helper()
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	// What lies outside: a valid lesson, which os.DirFS would load, and
	// a private file.
	write(filepath.Join(outside, "secret.yaml"), "id: secret\ntitle: Outside\nsteps:\n  - say: \"read from outside\"\n")
	write(filepath.Join(outside, "private.pdf"), "%PDF-1.4 somebody's payslip")

	dir := filepath.Join(t.TempDir(), "lessons")
	write(filepath.Join(dir, "good.yaml"), "id: good\ntitle: Good\nsteps:\n  - say: \"Read.\"\n    document: shared/handout.pdf\n")
	write(filepath.Join(dir, "shared", "real.pdf"), "%PDF-1.4 a handout")
	link("real.pdf", filepath.Join(dir, "shared", "handout.pdf")) // inside: fine
	link(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "evil.yaml"))
	write(filepath.Join(dir, "leaky.yaml"), "id: leaky\ntitle: Leaky\nsteps:\n  - say: \"Here.\"\n    document: payslip.pdf\n")
	link(filepath.Join(outside, "private.pdf"), filepath.Join(dir, "payslip.pdf"))
	link("../../"+filepath.Base(outside)+"/private.pdf", filepath.Join(dir, "relative.pdf"))
	write(filepath.Join(dir, "relative.yaml"), "id: relative\ntitle: Relative\nsteps:\n  - say: \"Here.\"\n    document: relative.pdf\n")
	link("gone.yaml", filepath.Join(dir, "dangling.yaml"))

	lib, err := Load(Folder(dir), ".", "lessons")
	ps, ok := IsProblems(err)
	if !ok {
		t.Fatalf("Load: %v; want problems", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	slices.Sort(got)
	want := []string{
		"lessons/dangling.yaml:1: is a link to a file that does not exist",
		"lessons/evil.yaml:1: is a link to a file outside the lessons folder",
		"lessons/leaky.yaml:5: ",
		"lessons/relative.yaml:5: ",
	}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %q; want it to start %q", got[i], want[i])
		}
	}
	for _, p := range got[2:] {
		if !strings.Contains(p, "outside the lessons folder") {
			t.Errorf("problem %q does not say the document leads outside", p)
		}
	}
	var ids []string
	for _, l := range lib.All() {
		ids = append(ids, l.ID)
	}
	if !slices.Equal(ids, []string{"good"}) {
		t.Errorf("lessons loaded: %v; want only good", ids)
	}
	l, _ := lib.Get("good")
	if f := l.Steps[0].Media.File(); string(f.Data) != "%PDF-1.4 a handout" {
		t.Errorf("the handout linked inside the folder: %q", f.Data)
	}
	for _, l := range lib.All() {
		for _, s := range l.Steps {
			if s.Media != nil && strings.Contains(string(s.Media.File().Data), "payslip") {
				t.Errorf("lesson %s carries the file from outside", l.ID)
			}
		}
	}
}
