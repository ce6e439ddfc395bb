package cases

import (
	"slices"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
	"github.com/huddlebot/huddle/terms"
)

// Suggesting similar answered cases: the archive is asked for the cases
// that share any of a new case's terms, best first (BM25), and a case is
// offered only when it shares enough of them to be about the same thing.
// The figures are fixed by the corpus of case pairs in
// testdata/similar (TestSimilarCorpus): with them the right archived
// case is offered for most new cases that have one, and nothing for most
// that have none (docs/staff-guide.md says how many).
const (
	// similarMost is how many similar cases are offered at most.
	similarMost = 3
	// similarLook is how many of the archive's best are weighed.
	similarLook = 20
	// similarShared is the fewest terms a case offered shares with the
	// new one, and similarCover the least share of the new case's terms.
	similarShared = 3
	similarCover  = 0.3
)

// Similar lists up to three answered cases of the archive most like a new
// case of text in chat, written in the chat's language: cases of the
// groups of that language within scope (SimilarProgram: all of them;
// SimilarCourse: chat's and those that took a course it took;
// SimilarGroup: chat's alone), but except, best first. It lists none
// when no case shares enough terms with it.
func (sv *Service) Similar(tx Tx, chat bot.Chat, text string, except int64, scope string) ([]bot.CaseHit, error) {
	lang := chat.Lang
	if lang == "" {
		lang = catalog.Fallback // what the chat is written to in
	}
	want := terms.Of(text, lang)
	if len(want) < similarShared {
		return nil, nil
	}
	// The terms as folded and as written: an index that keeps accents
	// (PostgreSQL's) finds "hémorragie" by the second.
	var query []string
	for _, t := range slices.Concat(want, terms.Written(text, lang)) {
		if terms.Stems(lang) && len([]rune(t)) >= 4 {
			t += "*" // the stem of "bleeding" finds "bleeds" written out
		}
		if !slices.Contains(query, t) {
			query = append(query, t)
		}
	}
	// The groups written to in that language: set to it, or left to the
	// fallback when it is the fallback.
	langs := []string{lang}
	if lang == catalog.Fallback {
		langs = append(langs, "")
	}
	q := bot.SimilarQuery{Terms: query, Langs: langs, Except: except, Limit: similarLook}
	switch scope {
	case SimilarGroup:
		q.ChatID = chat.ID
	case SimilarCourse:
		q.CourseOf = chat.ID
	}
	hits, err := tx.SimilarCases(q)
	if err != nil {
		return nil, err
	}
	var out []bot.CaseHit
	for _, h := range hits {
		shared := terms.Shared(want, terms.Of(h.Indexed, lang))
		if shared < similarShared || float64(shared) < similarCover*float64(len(want)) {
			continue
		}
		out = append(out, h)
		if len(out) == similarMost {
			break
		}
	}
	return out, nil
}
