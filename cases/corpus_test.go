package cases_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/deid"
)

// sample is one case text of a corpus file (testdata/corpus/LANG.txt),
// its planted identifiers taken out of their ⟦ ⟧ marks.
type sample struct {
	lang    string
	text    string
	planted []string
	kinds   []string // each planted identifier's kind, "" where not given
	spans   [][2]int // byte offsets of planted in text
}

// kinds maps a corpus file's kind names to deid's.
var kinds = map[string]string{"name": deid.KindName, "phone": deid.KindPhone, "record": deid.KindRecord,
	"date": deid.KindDate, "email": deid.KindEmail, "address": deid.KindAddress}

// withContext returns planted identifier i with the few bytes before it in
// the text (after it, for one that opens the text): a bare number such as
// 448120 also turns up by chance inside the database's own numbers, and a
// name such as Juma inside other words (Jumatatu), but never beside the
// words it stood with.
func (s sample) withContext(i int) string {
	start, end := max(s.spans[i][0]-4, 0), s.spans[i][1]
	for start > 0 && !utf8.RuneStart(s.text[start]) {
		start--
	}
	if start == 0 {
		end = min(end+4, len(s.text))
		for end < len(s.text) && !utf8.RuneStart(s.text[end]) {
			end++
		}
	}
	return s.text[start:end]
}

// loadCorpus reads every corpus file, one language each.
func loadCorpus(t *testing.T) []sample {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	var out []sample
	for _, file := range files {
		out = append(out, loadFile(t, file)...)
	}
	return out
}

func loadFile(t *testing.T, file string) []sample {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lang := strings.TrimSuffix(filepath.Base(file), ".txt")
	var out []sample
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		raw := strings.TrimSpace(sc.Text())
		if raw == "" || strings.HasPrefix(raw, "#") {
			continue
		}
		s := sample{lang: lang}
		for {
			before, rest, ok := strings.Cut(raw, "⟦")
			s.text += before
			if !ok {
				break
			}
			id, after, ok := strings.Cut(rest, "⟧")
			if !ok {
				t.Fatalf("%s:%d: ⟦ without ⟧", file, line)
			}
			kind := ""
			if k, v, found := strings.Cut(id, "|"); found {
				if kind = kinds[k]; kind == "" {
					t.Fatalf("%s:%d: unknown kind %q", file, line, k)
				}
				id = v
			}
			s.spans = append(s.spans, [2]int{len(s.text), len(s.text) + len(id)})
			s.planted = append(s.planted, id)
			s.kinds = append(s.kinds, kind)
			s.text += id
			raw = after
		}
		out = append(out, s)
	}
	return out
}

// TestCorpus checks deid.Scan on the corpus, language by language: every
// planted identifier is found, whole, of the kind the file gives, and is
// gone from the redacted text; at most two clean cases of a language are
// flagged. Each shipped language has at least 60 texts, 25 of each sort.
func TestCorpus(t *testing.T) {
	byLang := map[string][]sample{}
	for _, s := range loadCorpus(t) {
		byLang[s.lang] = append(byLang[s.lang], s)
	}
	for _, lang := range []string{"en", "fr", "sw", "pt", "es"} {
		t.Run(lang, func(t *testing.T) {
			corpus := byLang[lang]
			var withIDs, clean, falseAlarms int
			for _, s := range corpus {
				fs, redacted := deid.Scan(s.text)
				if len(s.planted) == 0 {
					clean++
					if len(fs) > 0 {
						falseAlarms++
						t.Logf("clean case flagged (%s): %s", strings.Join(deid.Summary(fs), ", "), redacted)
					}
					continue
				}
				withIDs++
				for i, sp := range s.spans {
					var found *deid.Finding
					for j, f := range fs {
						if f.Start <= sp[0] && sp[1] <= f.End {
							found = &fs[j]
						}
					}
					switch {
					case found == nil || strings.Contains(redacted, s.planted[i]):
						t.Errorf("%q missed in %q: redacted %q", s.planted[i], s.text, redacted)
					case s.kinds[i] != "" && found.Kind != s.kinds[i]:
						t.Errorf("%q found as a %s in %q; it is a %s", s.planted[i], found.Kind, s.text, s.kinds[i])
					}
				}
			}
			if withIDs < 25 || clean < 25 || len(corpus) < 60 {
				t.Fatalf("corpus has %d cases with identifiers and %d clean; want at least 60, 25 of each", withIDs, clean)
			}
			if falseAlarms > 2 {
				t.Errorf("%d of %d clean cases flagged; want at most 2", falseAlarms, clean)
			}
			t.Logf("%d cases with %d identifiers; %d of %d clean cases flagged", withIDs, countPlanted(corpus), falseAlarms, clean)
		})
	}
}

func countPlanted(corpus []sample) int {
	n := 0
	for _, s := range corpus {
		n += len(s.planted)
	}
	return n
}

// TestCorpusNeverStored shares every case of the corpus that holds an
// identifier in a group, as members would: each is held back, its author
// posts the redacted version, and afterwards no planted identifier is
// anywhere in the database files.
func TestCorpusNeverStored(t *testing.T) {
	w := newWorld(t)
	w.say("dm-amina", "amina", "/start", "")
	corpus := loadCorpus(t)
	n := 0
	for _, s := range corpus {
		if len(s.planted) == 0 {
			continue
		}
		n++
		dm := w.last("dm-amina")
		w.say("ward", "amina", "/case "+s.text, "")
		offer := w.expect("dm-amina", dm, "[removed]")
		if err := w.sim.Press(context.Background(), sim.Press{Chat: "dm-amina", Sender: "amina", MessageID: offer.ID, Data: offer.Options[0].Data}); err != nil {
			t.Fatal(err)
		}
		w.expect("dm-amina", offer.Seq, "Posted as case")
	}
	if c := w.caseByID(int64(n)); c.Text == "" {
		t.Fatalf("case %d not stored", n)
	}
	w.app.Stop()
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(w.app.Path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, s := range corpus {
			for i := range s.planted {
				if id := s.withContext(i); bytes.Contains(data, []byte(id)) {
					t.Errorf("%s holds %q", filepath.Base(w.app.Path+suffix), id)
				}
			}
		}
	}
}
