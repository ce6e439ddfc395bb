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

// sample is one case text of testdata/corpus.txt, its planted identifiers
// taken out of their ⟦ ⟧ marks.
type sample struct {
	text    string
	planted []string
	spans   [][2]int // byte offsets of planted in text
}

// withContext returns planted identifier i with the few bytes before it in
// the text: a bare number such as 448120 also turns up by chance inside
// the database's own numbers, but never after the words it followed.
func (s sample) withContext(i int) string {
	start := max(s.spans[i][0]-4, 0)
	for start > 0 && !utf8.RuneStart(s.text[start]) {
		start--
	}
	return s.text[start:s.spans[i][1]]
}

func loadCorpus(t *testing.T) []sample {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "corpus.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		raw := strings.TrimSpace(sc.Text())
		if raw == "" || strings.HasPrefix(raw, "#") {
			continue
		}
		var s sample
		for {
			before, rest, ok := strings.Cut(raw, "⟦")
			s.text += before
			if !ok {
				break
			}
			id, after, ok := strings.Cut(rest, "⟧")
			if !ok {
				t.Fatalf("corpus.txt:%d: ⟦ without ⟧", line)
			}
			s.spans = append(s.spans, [2]int{len(s.text), len(s.text) + len(id)})
			s.planted = append(s.planted, id)
			s.text += id
			raw = after
		}
		out = append(out, s)
	}
	return out
}

// TestCorpus checks deid.Scan on the corpus: every planted identifier is
// found, whole, and gone from the redacted text; at most two clean cases
// are flagged.
func TestCorpus(t *testing.T) {
	corpus := loadCorpus(t)
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
			covered := false
			for _, f := range fs {
				covered = covered || (f.Start <= sp[0] && sp[1] <= f.End)
			}
			if !covered || strings.Contains(redacted, s.planted[i]) {
				t.Errorf("%q missed in %q: redacted %q", s.planted[i], s.text, redacted)
			}
		}
	}
	if withIDs < 50 || clean < 50 || len(corpus) < 100 {
		t.Fatalf("corpus has %d cases with identifiers and %d clean; want at least 100, 50 of each", withIDs, clean)
	}
	if falseAlarms > 2 {
		t.Errorf("%d of %d clean cases flagged; want at most 2", falseAlarms, clean)
	}
	t.Logf("%d cases with %d identifiers, all caught; %d of %d clean cases flagged", withIDs, countPlanted(corpus), falseAlarms, clean)
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
