// Package archtest keeps Huddle's architecture true: imports point at bot,
// only cmd wires adapters, only config reads configuration, only store
// speaks SQL, only source is in git, and no file grows past 600 lines.
package archtest

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/huddlebot/huddle"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func list(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// ours lists the paths of Huddle's own packages, relative to the module
// ("." for the application core at its root).
func ours(paths []string) []string {
	var out []string
	for _, p := range paths {
		if p == module {
			out = append(out, ".")
		} else if strings.HasPrefix(p, module+"/") {
			out = append(out, strings.TrimPrefix(p, module+"/"))
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	// What each package may import of Huddle's own, directly.
	allowed := map[string][]string{
		// The application core wires the rest; never an adapter (the
		// program that embeds it chooses its channels).
		".": {"bot", "catalog", "router", "outbox", "schedule", "store", "flows", "learning", "privacy", "cases", "review", "course", "certificate", "motivation", "dashboard", "lessons", "cluster", "transcode", "internal/websec"},
		// The domain and its extension points import nothing of ours.
		"bot":    {},
		"router": {"bot", "catalog", "picture"},
		// Features know the domain, never the router: they plug in through
		// bot.Feature.
		"learning": {"bot", "catalog"},
		"privacy":  {"bot", "catalog"},
		"cluster":  {"bot"},
		// Configuration becomes the App's options; it wires no adapter.
		"config": {".", "bot", "cases", "certificate", "course", "review", "internal/redact", "internal/websec"},
		// The sender and the scheduler know the domain alone.
		"outbox":                       {"bot"},
		"schedule":                     {"bot"},
		"bot/channeltest":              {"bot"},
		"store":                        {"bot", "report", "internal/filelock", "internal/privfile"},
		"internal/testkit/storetest":   {"bot", "outbox", "schedule", "store", "report", "cluster", "internal/testkit", "internal/testkit/huddletest", "internal/demo"},
		"report":                       {"internal/csvsafe"},
		"flows":                        {"bot", "store", "catalog", "picture", "sound", "smstext", "terms"},
		"picture":                      {},
		"sound":                        {},
		"transcode":                    {},
		"clip":                         {},
		"internal/testkit/mediatest":   {},
		"internal/testkit":             {},
		"internal/testkit/phototest":   {},
		"internal/testkit/pgtest":      {"internal/filelock"},
		"internal/testkit/quizbench":   {"bot", "flows"},
		"cases":                        {"bot", "deid", "catalog", "terms"},
		"deid":                         {},
		"terms":                        {},
		"smstext":                      {},
		"review":                       {"bot", "flows", "catalog"},
		"course":                       {"bot", "flows", "certificate", "catalog"},
		"certificate":                  {"bot"},
		"motivation":                   {"bot", "catalog"},
		"catalog":                      {},
		"lessons":                      {},
		"adapters/sim":                 {"bot"},
		"adapters/telegram":            {"bot", "internal/lograte"},
		"adapters/sms":                 {"bot", "deid", "smstext"},
		"adapters/sms/twilio":          {"adapters/sms", "bot"},
		"adapters/sms/africastalking":  {"adapters/sms", "bot"},
		"adapters/sms/smsgate":         {"adapters/sms", "bot"},
		"internal/testkit/smsfake":     {"smstext"},
		"adapters/whatsapp":            {"bot", "clip", "picture", "sound", "internal/filelock", "internal/privfile", "internal/redact"},
		"internal/filelock":            {},
		"internal/privfile":            {},
		"internal/redact":              {},
		"internal/testkit/browsertest": {},
		"dashboard":                    {"bot", "store", "report", "flows", "internal/csvsafe"},
		"internal/csvsafe":             {},
		"internal/websec":              {"internal/lograte"},
		"internal/lograte":             {},
		"xapi":                         {"bot", "store", "report", "flows", "certificate"},
		"internal/testkit/xapitest":    {"internal/testkit/npmtest"},
		"internal/testkit/simtest":     {"bot", "adapters/sim", "internal/testkit", "internal/testkit/huddletest"},
		"internal/testkit/pdftest":     {},
		"internal/testkit/npmtest":     {},
		"internal/demo":                {".", "bot", "router", "store", "flows", "lessons", "cases"},
		"internal/archtest":            {},
		"internal/testkit/tgemu":       {"internal/testkit", "internal/testkit/npmtest"},
		"internal/testkit/botapifake":  {},
		"internal/testkit/wafake":      {},
		"internal/testkit/huddletest":  {".", "bot", "router", "outbox", "store", "flows", "lessons", "cases", "review", "internal/testkit/pgtest"},
	}
	for _, p := range list(t) {
		name := ours([]string{p.ImportPath})[0]
		if strings.HasPrefix(name, "cmd/") || strings.HasPrefix(name, "examples/") {
			for _, dep := range p.Deps {
				if strings.HasPrefix(dep, "github.com/chromedp/") {
					t.Errorf("%s depends on %s: chromedp is for tests alone", name, dep)
				}
			}
			continue // cmd (and an example program) wires everything
		}
		ok, known := allowed[name]
		if !known {
			t.Errorf("%s: new package; add its import rule to this test", name)
			continue
		}
		// Only store speaks SQL: nothing else imports database/sql or the
		// driver. Packages that read reports go through store's Reader (so
		// they depend on SQL through store); store's conformance suite
		// reads a source database's raw rows; the WhatsApp adapter
		// registers the drivers for whatsmeow's own session store (a
		// SQLite file, or PostgreSQL).
		for _, imp := range p.Imports {
			isSQL := imp == "database/sql" || strings.HasPrefix(imp, "modernc.org/sqlite") || strings.HasPrefix(imp, "github.com/jackc/pgx")
			driverOnly := name == "adapters/whatsapp" && (imp == "modernc.org/sqlite" || imp == "github.com/jackc/pgx/v5/stdlib")
			if isSQL && !driverOnly && name != "store" && name != "internal/testkit/storetest" && !strings.HasPrefix(name, "internal/") {
				t.Errorf("%s imports %s: only store speaks SQL", name, imp)
			}
		}
		for _, imp := range ours(p.Imports) {
			if !contains(ok, imp) {
				t.Errorf("%s imports %s; it may import only %v", name, imp, ok)
			}
			// Harnesses serve tests alone.
			if strings.HasPrefix(imp, "internal/testkit") && !strings.HasPrefix(name, "internal/testkit") {
				t.Errorf("%s imports the harness %s: only tests may", name, imp)
			}
		}
		// A harness (a package whose code, not only its tests, imports
		// testing) lives in internal/testkit; bot/channeltest is the
		// public kit for those who write a channel.
		if contains(p.Imports, "testing") && !strings.HasPrefix(name, "internal/testkit") && name != "bot/channeltest" {
			t.Errorf("%s imports testing outside its tests: a harness belongs in internal/testkit", name)
		}
		for _, dep := range p.Deps {
			switch {
			case strings.HasPrefix(dep, module+"/adapters/") && !strings.HasPrefix(name, "adapters/") && name != "internal/testkit/simtest":
				// (simtest is the tests' hand on the simulator's chats.)
				t.Errorf("%s depends on adapter %s: only cmd may", name, dep)
			case (dep == "database/sql" || strings.HasPrefix(dep, "modernc.org/sqlite")) && (name == "bot" || name == "router" || name == "flows" || name == "cases"):
				// The domain and the engines never touch a database, even
				// through store's reports.
				t.Errorf("%s depends on %s: the domain stays free of SQL", name, dep)
			case strings.HasPrefix(dep, "github.com/spf13/viper") && name != "config":
				t.Errorf("%s depends on viper: only config reads configuration", name)
			case strings.HasPrefix(dep, "github.com/chromedp/") && !testOnly[name]:
				// A headless browser drives the tests of web pages; the
				// program never ships it.
				t.Errorf("%s depends on %s: chromedp is for tests alone", name, dep)
			}
		}
	}
}

// testOnly are the packages only tests import: what they depend on never
// reaches the program.
var testOnly = map[string]bool{"internal/testkit/browsertest": true}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestOnlySourceInGit: no binaries, databases or lock files are tracked,
// and git ignores the ones the tests and builds leave behind. It needs a
// git checkout; outside one (an exported tree) it is skipped.
func TestOnlySourceInGit(t *testing.T) {
	root, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	top := strings.TrimSpace(string(root))
	ls := exec.Command("git", "ls-files", "-z")
	ls.Dir = top
	out, err := ls.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		for _, bad := range []string{".test", ".db", ".db-wal", ".db-shm", ".lock", ".exe"} {
			if strings.HasSuffix(f, bad) {
				t.Errorf("%s is tracked: only source belongs in git", f)
			}
		}
		head := make([]byte, 4)
		if fh, err := os.Open(filepath.Join(top, f)); err == nil {
			n, _ := fh.Read(head)
			fh.Close()
			if n == 4 && string(head) == "\x7fELF" {
				t.Errorf("%s is a binary (ELF): only source belongs in git", f)
			}
		}
	}
	for _, f := range []string{"store/store.test", "cmd/huddle/huddle.test", "data/huddle.db", "x.db-wal", "internal/testkit/tgemu/node/.install.lock", "huddle"} {
		cmd := exec.Command("git", "check-ignore", "-q", "--no-index", f)
		cmd.Dir = top
		if err := cmd.Run(); err != nil {
			t.Errorf("git does not ignore %s", f)
		}
	}
}

// maxLines is the most lines a non-test Go file may have: a longer one
// mixes concerns that want files of their own.
const maxLines = 600

// TestFileSizes: no non-test Go file is longer than maxLines.
func TestFileSizes(t *testing.T) {
	for _, p := range list(t) {
		dir := filepath.Join("..", "..", strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/"))
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(data), "\n"); n > maxLines {
				t.Errorf("%s has %d lines; split it (at most %d)", filepath.ToSlash(strings.TrimPrefix(f, "../../")), n, maxLines)
			}
		}
	}
}
