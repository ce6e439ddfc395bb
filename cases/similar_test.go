package cases_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/store"
)

// similarCorpus is one language's file of testdata/similar.
type similarCorpus struct {
	Pairs []struct {
		Archived, Answer, New string
	}
	None []string
}

// archive is a store whose archive holds answered cases, one group per
// language.
type archive struct {
	db    *store.DB
	chats map[string]bot.Chat
	// ids are the archived cases' ids by their text.
	ids map[string]int64
}

// newArchive opens a SQLite file (a PostgreSQL database when pg) and
// archives, answered, every case of corpora in its language's group, its
// mentor's answer in its thread, plus filler more cases of other topics.
func newArchive(tb testing.TB, corpora map[string]similarCorpus, filler int, pg bool) *archive {
	tb.Helper()
	ctx := context.Background()
	var db *store.DB
	var err error
	if pg {
		db, err = store.OpenPostgres(ctx, pgtest.URL(tb), filepath.Join(tb.TempDir(), "media"))
	} else {
		db, err = store.Open(ctx, filepath.Join(tb.TempDir(), "huddle.db"))
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	a := &archive{db: db, chats: map[string]bot.Chat{}, ids: map[string]int64{}}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	err = db.Update(ctx, func(tx bot.Tx) error {
		nurse, err := tx.EnsureMember("sim", "nurse", "Nurse", now)
		if err != nil {
			return err
		}
		mentor, err := tx.EnsureMember("sim", "mentor", "Mentor", now)
		if err != nil {
			return err
		}
		add := func(chat bot.Chat, text, answer string) (int64, error) {
			c := bot.Case{ChatID: chat.ID, AuthorID: nurse.ID, Text: text, Status: bot.CaseAnswered, Created: now, FirstAnswer: now}
			if err := tx.CreateCase(&c); err != nil {
				return 0, err
			}
			if err := tx.AddCasePost(bot.CasePost{CaseID: c.ID, MemberID: mentor.ID, Kind: bot.PostAnswer, Text: answer, At: now}); err != nil {
				return 0, err
			}
			return c.ID, tx.IndexCase(c.ID, text+"\n"+answer)
		}
		for lang, corpus := range corpora {
			chat, err := tx.EnsureChat("sim", "ward-"+lang, bot.Group, "Ward "+lang, now)
			if err != nil {
				return err
			}
			if err := tx.SetChatLang(chat.ID, lang); err != nil {
				return err
			}
			chat.Lang = lang
			a.chats[lang] = chat
			for _, p := range corpus.Pairs {
				id, err := add(chat, p.Archived, p.Answer)
				if err != nil {
					return err
				}
				a.ids[p.Archived] = id
			}
			for i := range filler {
				if _, err := add(chat, fillerCase(i), "Refer to the district hospital and record it in the register."); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// fillerCase is the i-th of the archive's other cases: made of clinical
// words in other combinations than the corpus's.
func fillerCase(i int) string {
	words := []string{"vaccination", "schedule", "measles", "polio", "growth", "chart", "weight", "stunting", "family", "planning",
		"implant", "injection", "tuberculosis", "cough", "sputum", "hypertension", "diabetes", "insulin", "wound", "dressing",
		"stitches", "epilepsy", "seizure", "asthma", "inhaler", "scabies", "rash", "ear", "discharge", "conjunctivitis"}
	var b strings.Builder
	for k := range 12 {
		b.WriteString(words[(i*7+k*(i%5+1))%len(words)])
		b.WriteString(" ")
	}
	return fmt.Sprintf("Case %d: %s", i, b.String())
}

func loadSimilarCorpora(tb testing.TB) map[string]similarCorpus {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "similar", "*.yaml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("corpus files: %v", err)
	}
	out := map[string]similarCorpus{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var c similarCorpus
		if err := yaml.Unmarshal(data, &c); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = c
	}
	return out
}

// TestSimilarCorpus measures the similar cases offered for the corpus's
// new cases (testdata/similar, written for the project in the languages
// Huddle ships), on SQLite and on PostgreSQL: the archived case that
// answers a new one must be among the three offered for at least 80% of
// the pairs, and nothing must be offered for at least 90% of the new
// cases the archive has no answer for (docs/staff-guide.md reports both
// figures).
func TestSimilarCorpus(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) { testSimilarCorpus(t, pg) })
	}
}

func testSimilarCorpus(t *testing.T, pg bool) {
	corpora := loadSimilarCorpora(t)
	a := newArchive(t, corpora, 0, pg)
	sv := cases.New(cases.Config{})
	var pairs, found, none, quiet int
	langs := make([]string, 0, len(corpora))
	for lang := range corpora {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		corpus, chat := corpora[lang], a.chats[lang]
		var langFound, langQuiet int
		err := a.db.Update(context.Background(), func(tx bot.Tx) error {
			for _, p := range corpus.Pairs {
				hits, err := sv.Similar(tx, chat, p.New, 0, cases.SimilarProgram)
				if err != nil {
					return err
				}
				if slices.ContainsFunc(hits, func(h bot.CaseHit) bool { return h.ID == a.ids[p.Archived] }) {
					langFound++
				} else {
					t.Logf("%s: missed %q (offered %d)", lang, p.New, len(hits))
				}
			}
			for _, text := range corpus.None {
				hits, err := sv.Similar(tx, chat, text, 0, cases.SimilarProgram)
				if err != nil {
					return err
				}
				if len(hits) == 0 {
					langQuiet++
				} else {
					t.Logf("%s: offered %d for %q, which has no answer: first %q", lang, len(hits), text, hits[0].Text)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d of %d pairs found, %d of %d without an answer offered nothing", lang, langFound, len(corpus.Pairs), langQuiet, len(corpus.None))
		pairs, found, none, quiet = pairs+len(corpus.Pairs), found+langFound, none+len(corpus.None), quiet+langQuiet
	}
	if pairs < 60 {
		t.Errorf("the corpus has %d pairs, want at least 60", pairs)
	}
	t.Logf("all: the right case among those offered for %d of %d pairs (%.0f%%); nothing offered for %d of %d without an answer (%.0f%%)",
		found, pairs, 100*float64(found)/float64(pairs), quiet, none, 100*float64(quiet)/float64(none))
	if float64(found) < 0.8*float64(pairs) {
		t.Errorf("the right archived case was offered for %d of %d pairs, want at least 80%%", found, pairs)
	}
	if float64(quiet) < 0.9*float64(none) {
		t.Errorf("nothing was offered for %d of %d cases without an answer, want at least 90%%", quiet, none)
	}
}

// BenchmarkSimilar measures the time a suggestion takes in an archive of
// 10,000 answered cases (the corpus and about 2,000 other cases in each of the
// five languages' groups), on a SQLite file: one op is one new case of
// the corpus weighed against the archive.
func BenchmarkSimilar(b *testing.B) {
	corpora := loadSimilarCorpora(b)
	archived := 0
	for _, c := range corpora {
		archived += len(c.Pairs)
	}
	a := newArchive(b, corpora, (10_000-archived)/len(corpora), false)
	sv := cases.New(cases.Config{})
	var news []struct{ lang, text string }
	for lang, c := range corpora {
		for _, p := range c.Pairs {
			news = append(news, struct{ lang, text string }{lang, p.New})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := news[i%len(news)]
		err := a.db.Update(context.Background(), func(tx bot.Tx) error {
			_, err := sv.Similar(tx, a.chats[n.lang], n.text, 0, cases.SimilarProgram)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
