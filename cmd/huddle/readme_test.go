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

	"github.com/huddlebot/huddle/internal/testkit"
)

// readmeBlock is a shell block of the README or a page of docs/ with the
// tag before it.
type readmeBlock struct {
	file string
	line int
	kind string // run, server or skip
	why  string
	body string
}

var tourTag = regexp.MustCompile(`^\s*<!-- tour: (run|server|skip)\b\s*(.*?)\s*-->\s*$`)

// tourPages are the pages whose shell blocks the tour runs, in order: the
// README, then every page of docs/ by name.
func tourPages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(docs) < 10 {
		t.Fatalf("docs pages: %v %v", docs, err)
	}
	return append([]string{"../../README.md"}, docs...)
}

// readmeBlocks reads every ```sh block of the tour's pages with its tag.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	var out []readmeBlock
	for _, page := range tourPages(t) {
		out = append(out, pageBlocks(t, page)...)
	}
	return out
}

// pageBlocks reads every ```sh block of one page with its tag.
func pageBlocks(t *testing.T, page string) []readmeBlock {
	t.Helper()
	f, err := os.Open(page)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := strings.TrimPrefix(page, "../../")
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
			cur = &readmeBlock{file: name, line: n}
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

// TestReadmeTour runs the shell examples of the README and the docs as a
// new user would, on
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
			t.Errorf("%s:%d: a shell block without a <!-- tour: run|server|skip WHY --> tag", b.file, b.line)
		}
		if b.kind != "run" && b.why == "" {
			t.Errorf("%s:%d: a %s block must say why it is not run", b.file, b.line, b.kind)
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
			t.Errorf("%s:%d failed (%v) after %s:\n%s\n%s", b.file, b.line, err, time.Since(start).Round(time.Millisecond), script, out)
			continue
		}
		t.Logf("%s:%d ran in %s", b.file, b.line, time.Since(start).Round(time.Millisecond))
	}
	if ran < 4 {
		t.Errorf("only %d blocks ran", ran)
	}

	// What the tour says happens: the notice, accepted, then the lesson,
	// whose first question closes once both members answered.
	var texts []string
	testkit.Eventually(t, 10*time.Second, "the tour's lesson to go as the README says", func() bool {
		resp := probeReq{path: "/api/messages?chat=ward-7"}.do(t, "http://"+addr)
		defer resp.Body.Close()
		var msgs []struct{ Text string }
		json.NewDecoder(resp.Body).Decode(&msgs)
		texts = texts[:0]
		for _, m := range msgs {
			texts = append(texts, m.Text)
		}
		return strings.Contains(strings.Join(texts, "\n"), "Everyone has answered: 1 of 2 correct")
	}, func() string {
		return fmt.Sprintf("the group saw:\n%s\nhuddle's log:\n%s", strings.Join(texts, "\n---\n"), p.log)
	})
	for _, f := range []string{"huddle", "report.csv", "data/demo.db"} {
		if _, err := os.Stat(filepath.Join(work, f)); err != nil {
			t.Errorf("the tour should have made %s: %v", f, err)
		}
	}
	if csv, _ := os.ReadFile(filepath.Join(work, "report.csv")); !strings.HasPrefix(string(csv), "group,members,") {
		t.Errorf("report.csv = %q", csv)
	}
}

// mdLink is a Markdown link's target.
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestReadmeShortAndLinked: the README is at most 200 lines, and every
// link of the README, the changelog and the docs to a file of the
// repository (or a heading of a page) leads somewhere.
func TestReadmeShortAndLinked(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(readme), "\n"); n > 200 {
		t.Errorf("README.md has %d lines; at most 200, the rest in docs/", n)
	}
	pages := append(tourPages(t), "../../CHANGELOG.md")
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(text), -1) {
			target := m[1]
			if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), file)
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s links to %s, which is not there", strings.TrimPrefix(page, "../../"), target)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(path, ".md") && !hasHeading(t, path, anchor) {
				t.Errorf("%s links to %s, a heading %s lacks", strings.TrimPrefix(page, "../../"), target, file)
			}
		}
	}
}

// hasHeading reports whether the Markdown page has a heading whose
// GitHub anchor is anchor.
func hasHeading(t *testing.T, page, anchor string) bool {
	t.Helper()
	text, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(text), "\n") {
		title, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ' || r == '-':
				b.WriteRune('-')
			case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r > 127:
				b.WriteRune(r)
			}
		}
		if b.String() == anchor {
			return true
		}
	}
	return false
}
