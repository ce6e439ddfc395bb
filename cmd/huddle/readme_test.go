package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeBlock is a shell block of the README with the tag before it.
type readmeBlock struct {
	line int
	kind string // run, server or skip
	why  string
	body string
}

var tourTag = regexp.MustCompile(`^\s*<!-- tour: (run|server|skip)\b\s*(.*?)\s*-->\s*$`)

// readmeBlocks reads every ```sh block of the README with its tag.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out  []readmeBlock
		tag  []string
		cur  *readmeBlock
		body strings.Builder
		n    int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur != nil && trimmed == "```":
			cur.body = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(strings.TrimPrefix(line, "   ") + "\n")
		case trimmed == "```sh":
			cur = &readmeBlock{line: n}
			if tag != nil {
				cur.kind, cur.why = tag[1], tag[2]
			}
			body.Reset()
		case tourTag.MatchString(line):
			tag = tourTag.FindStringSubmatch(line)
			continue
		}
		if trimmed != "" {
			tag = nil
		}
	}
	return out
}

// TestReadmeTour runs the README's shell examples as a new user would, on
// a fresh huddle started as the README says (on a free port): every block
// marked run must succeed, and what the tour says happens must happen.
// Every shell block carries a tag, so an example cannot be added untested
// without saying why (a block that needs a Telegram token or a phone).
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	blocks := readmeBlocks(t)
	for _, b := range blocks {
		if b.kind == "" {
			t.Errorf("README.md:%d: a shell block without a <!-- tour: run|server|skip WHY --> tag", b.line)
		}
		if b.kind != "run" && b.why == "" {
			t.Errorf("README.md:%d: a %s block must say why it is not run", b.line, b.kind)
		}
	}
	repo, _ := filepath.Abs("../..")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	// The defaults (consent asked, built-in lessons), with the database
	// where the blocks, run in work, look for it: ./data/huddle.db.
	work := t.TempDir()
	p := serving(t, "HUDDLE_HTTP_LISTEN="+addr, "HUDDLE_DATABASE="+filepath.Join(work, "data", "huddle.db"))
	bin := build(t)
	os.Symlink(filepath.Join(repo, "lessons"), filepath.Join(work, "lessons"))
	binDir := filepath.Dir(bin)

	rewrite := strings.NewReplacer(
		"go build -o huddle ./cmd/huddle", `go -C "$REPO" build -o "$PWD/huddle" ./cmd/huddle`,
		"go run ./cmd/huddle", "huddle",
		"localhost:8080", addr,
	)
	ran := 0
	for _, b := range blocks {
		if b.kind != "run" {
			continue
		}
		ran++
		script := rewrite.Replace(b.body)
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "REPO="+repo)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README.md:%d failed (%v) after %s:\n%s\n%s", b.line, err, time.Since(start).Round(time.Millisecond), script, out)
			continue
		}
		t.Logf("README.md:%d ran in %s", b.line, time.Since(start).Round(time.Millisecond))
	}
	if ran < 4 {
		t.Errorf("only %d blocks ran", ran)
	}

	// What the tour says happens: the notice, accepted, then the lesson,
	// whose first question closes once both members answered.
	var texts []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp := probeReq{path: "/api/messages?chat=ward-7"}.do(t, "http://"+addr)
		var msgs []struct{ Text string }
		json.NewDecoder(resp.Body).Decode(&msgs)
		resp.Body.Close()
		texts = texts[:0]
		for _, m := range msgs {
			texts = append(texts, m.Text)
		}
		all := strings.Join(texts, "\n---\n")
		if strings.Contains(all, "Everyone has answered: 1 of 2 correct") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tour's lesson did not go as the README says; the group saw:\n%s\nhuddle's log:\n%s", all, p.log)
		}
	}
	for _, f := range []string{"huddle", "report.csv", "data/demo.db"} {
		if _, err := os.Stat(filepath.Join(work, f)); err != nil {
			t.Errorf("the tour should have made %s: %v", f, err)
		}
	}
	if csv, _ := os.ReadFile(filepath.Join(work, "report.csv")); !strings.HasPrefix(string(csv), "group,members,") {
		t.Errorf("report.csv = %q", csv)
	}
}
