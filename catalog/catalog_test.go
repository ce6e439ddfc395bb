package catalog

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// shipped are the languages Huddle ships: each package's catalog has a
// file for every one.
var shipped = []string{"en", "es", "fr", "pt", "sw"}

// catalogPackages lists the module's packages with a locales folder: a
// new one is checked without being named here.
func catalogPackages(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("../*/locales")
	if err != nil || len(dirs) < 5 {
		t.Fatalf("catalogs found: %v (%v)", dirs, err)
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Base(filepath.Dir(d)))
	}
	return out
}

// TestShippedCatalogsComplete: every package's catalog has a file for each
// shipped language, with every key of the English one and no other, and
// the same fmt verbs in each message.
func TestShippedCatalogsComplete(t *testing.T) {
	for _, pkg := range catalogPackages(t) {
		t.Run(pkg, func(t *testing.T) {
			c, err := Load(os.DirFS("../"+pkg), "locales")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Languages(); !slices.Equal(got, shipped) {
				t.Errorf("languages %v, want %v", got, shipped)
			}
			for _, gap := range c.Gaps() {
				t.Error(gap)
			}
		})
	}
}

// TestText: a message in the member's language, its base language for a
// regional code, English for a language without a file or a key a file
// lacks, and the key itself for a key no file has.
func TestText(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"l/en.json": {Data: []byte(`{"hello": "Hello, %s.", "bye": "Bye."}`)},
		"l/sw.json": {Data: []byte(`{"hello": "Habari, %s."}`)},
	}, "l")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"sw", "hello", []any{"Amina"}, "Habari, Amina."},
		{"sw-KE", "hello", []any{"Amina"}, "Habari, Amina."},
		{"SW_tz", "hello", []any{"Amina"}, "Habari, Amina."},
		{"am", "hello", []any{"Amina"}, "Hello, Amina."},
		{"sw", "bye", nil, "Bye."},
		{"sw", "nothing", nil, "nothing"},
	} {
		if got := c.Text(tc.lang, tc.key, tc.args...); got != tc.want {
			t.Errorf("Text(%s, %s) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	gaps := strings.Join(c.Gaps(), "\n")
	if !strings.Contains(gaps, "sw: lacks bye") {
		t.Errorf("gaps:\n%s", gaps)
	}
}

// TestGapsInVerbs: a translation that drops, adds or changes a verb is a
// gap; one that reorders them with indexes is not.
func TestGapsInVerbs(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"l/en.json": {Data: []byte(`{"a": "%s scored %d", "b": "%s scored %d", "c": "%d%% of %s", "d": "%s and %s"}`)},
		"l/pt.json": {Data: []byte(`{"a": "%[2]d pontos para %[1]s", "b": "%s marcou", "c": "%d%% de %d", "d": "%s e %s", "e": "extra"}`)},
	}, "l")
	if err != nil {
		t.Fatal(err)
	}
	gaps := c.Gaps()
	for _, want := range []string{"pt: b has verbs", "pt: c has verbs", "pt: has e, which en lacks"} {
		if !slices.ContainsFunc(gaps, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("gaps %q lack %q", gaps, want)
		}
	}
	if len(gaps) != 3 {
		t.Errorf("gaps %q, want 3 (a reordered is no gap)", gaps)
	}
}

// TestLoadRefuses: a catalog without English, or with a file that is not
// go-i18n JSON, is refused.
func TestLoadRefuses(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no English": {"l/fr.json": {Data: []byte(`{"a": "b"}`)}},
		"broken":     {"l/en.json": {Data: []byte(`{"a": `)}},
	} {
		if _, err := Load(fsys, "l"); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// keyCall finds the message keys written out in calls of the packages'
// text functions: tr(lang, "key"), engineText(lang, "key"), c.tr("key"),
// helpText("key"); not a key made up at run time ("status_"+s).
var keyCall = regexp.MustCompile(`(?:\btr\([^,()]+,\s*|engineText\([^,()]+,\s*|\bc\.tr\(|helpText\(|Phrase\()"([a-z0-9_]+)"\s*[,)]`)

// TestKeysInCode: every key the code names has an English text (a
// missing one would reach members as the bare key).
func TestKeysInCode(t *testing.T) {
	for _, pkg := range catalogPackages(t) {
		c, err := Load(os.DirFS("../"+pkg), "locales")
		if err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		n := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyCall.FindAllStringSubmatch(string(src), -1) {
				n++
				if _, ok := c.texts[Fallback][m[1]]; !ok {
					t.Errorf("%s names %q, which %s/locales/en.json lacks", filepath.Base(f), m[1], pkg)
				}
			}
		}
		if n < 5 {
			t.Errorf("%s: found only %d keys in the code; the pattern is wrong", pkg, n)
		}
	}
}

// TestCount: a message with plural forms takes the form of the count by
// the language's own rules (French counts 0 and 1 as one, English only
// 1; a decimal is other), falls back to English for a language without
// it, and a message without forms is plain Text.
func TestCount(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"l/en.json": {Data: []byte(`{"hours": {"one": "%s CPD hour", "other": "%s CPD hours"}, "plain": "%d cases"}`)},
		"l/fr.json": {Data: []byte(`{"hours": {"one": "%s heure de FPC", "other": "%s heures de FPC"}}`)},
	}, "l")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, key string
		n         any
		args      []any
		want      string
	}{
		{"en", "hours", 1, []any{"1"}, "1 CPD hour"},
		{"en", "hours", 0, []any{"0"}, "0 CPD hours"},
		{"en", "hours", "1.5", []any{"1.5"}, "1.5 CPD hours"},
		{"en", "hours", 12, []any{"12"}, "12 CPD hours"},
		{"fr", "hours", 0, []any{"0"}, "0 heure de FPC"},
		{"fr", "hours", 1, []any{"1"}, "1 heure de FPC"},
		{"fr-CA", "hours", 2, []any{"2"}, "2 heures de FPC"},
		{"sw", "hours", 1, []any{"1"}, "1 CPD hour"},
		{"fr", "plain", 1, []any{1}, "1 cases"},
	} {
		if got := c.Count(tc.lang, tc.key, tc.n, tc.args...); got != tc.want {
			t.Errorf("Count(%s, %s, %v) = %q, want %q", tc.lang, tc.key, tc.n, got, tc.want)
		}
	}
	if got := c.Text("en", "hours", "3"); got != "3 CPD hours" {
		t.Errorf("Text of a plural message = %q, want its other form", got)
	}
}

// TestWith: a program's files laid over the built-in ones replace a
// sentence in one language, leave the rest, and add a language, which
// falls back to English for what it lacks; the built-in catalog is
// unchanged.
func TestWith(t *testing.T) {
	base, err := Load(fstest.MapFS{
		"l/en.json": {Data: []byte(`{"hello": "Hello, %s.", "bye": "Bye."}`)},
		"l/sw.json": {Data: []byte(`{"hello": "Habari, %s.", "bye": "Kwaheri."}`)},
	}, "l")
	if err != nil {
		t.Fatal(err)
	}
	own, err := base.With(fstest.MapFS{
		"mine/en.json": {Data: []byte(`{"hello": "Welcome, %s!"}`)},
		"mine/ha.json": {Data: []byte(`{"hello": "Sannu, %s."}`)},
	}, "mine")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c               *Catalog
		lang, key, want string
	}{
		{own, "en", "hello", "Welcome, Amina!"},
		{own, "en", "bye", "Bye."},
		{own, "sw", "hello", "Habari, Amina."},
		{own, "ha", "hello", "Sannu, Amina."},
		{own, "ha", "bye", "Bye."},
		{base, "en", "hello", "Hello, Amina."},
		{base, "ha", "hello", "Hello, Amina."},
	} {
		var args []any
		if strings.Contains(tc.want, "Amina") {
			args = []any{"Amina"}
		}
		if got := tc.c.Text(tc.lang, tc.key, args...); got != tc.want {
			t.Errorf("Text(%s, %s) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	if got := own.Languages(); !slices.Equal(got, []string{"en", "ha", "sw"}) {
		t.Errorf("languages %v", got)
	}
	if same, err := base.With(fstest.MapFS{}, "none"); err != nil || same != base {
		t.Errorf("With an empty folder = %v, %v; want the catalog itself", same, err)
	}
}
