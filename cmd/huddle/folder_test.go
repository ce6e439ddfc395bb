package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLessonsFolderLinks: a link in the lessons folder to a file outside
// it is refused by huddle lessons validate as file:line: message, and the
// running binary's dashboard preview neither lists its content nor serves
// it, while the folder's real lesson loads.
func TestLessonsFolderLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	outside := t.TempDir()
	secret := "id: secret\ntitle: Outside the folder\nsteps:\n  - say: \"root:x:0:0 from outside\"\n"
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "lessons")
	os.Mkdir(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "good.yaml"), []byte("id: good\ntitle: Good\nsteps:\n  - say: \"Hello.\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "evil.yaml")); err != nil {
		t.Fatal(err)
	}

	out, err := execute(t, "lessons", "validate", dir)
	if err == nil || !strings.Contains(out, "evil.yaml:1: is a link to a file outside the lessons folder") || strings.Contains(out, "root:x") {
		t.Errorf("validate: %v\n%s", err, out)
	}

	port := freePort(t)
	serving(t, "HUDDLE_LESSONS="+dir, fmt.Sprintf("HUDDLE_HTTP_LISTEN=127.0.0.1:%d", port))
	for _, path := range []string{"/dashboard/preview/", "/dashboard/preview/evil.yaml", "/dashboard/preview/good.yaml"} {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "root:x") || strings.Contains(string(body), "Outside the folder") {
			t.Errorf("%s: %d\n%s", path, resp.StatusCode, body)
		}
		if path == "/dashboard/preview/evil.yaml" && !strings.Contains(string(body), "outside the lessons folder") {
			t.Errorf("%s does not say why the file is refused:\n%s", path, body)
		}
	}
}
