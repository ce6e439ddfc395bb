// Package terms turns a text into the terms that say what it is about, in
// its language: words lower-cased, stop words left out, each reduced to
// its stem by the Snowball stemmer of English, French, Portuguese or
// Spanish (blevesearch/snowballstem, generated from Snowball's own
// definitions), and stripped of diacritics, as the store's full-text
// index strips them. Swahili, which Snowball has no stemmer for, gets its
// words whole, less its stop words; so does any other language.
//
// Similar texts share terms: "bleeding after birth" and "she bled heavily
// after the birth" share "bleed" and "birth".
package terms

import (
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// stemmers are the languages with a stemmer, by their code.
var stemmers = map[string]func(*snowballstem.Env) bool{
	"en": english.Stem, "fr": french.Stem, "pt": portuguese.Stem, "es": spanish.Stem,
}

// Stems reports whether lang's words are reduced to their stems (else
// they are kept whole).
func Stems(lang string) bool { return stemmers[base(lang)] != nil }

// base is a language tag's language: "pt" of "pt-BR".
func base(lang string) string {
	l, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return l
}

// Of lists the distinct terms of text in lang, in the order they first
// occur. Numbers and one-letter words are left out.
func Of(text, lang string) []string { return of(text, lang, true) }

// Written lists the terms of text in lang as Of does, but with their
// diacritics: for an index that keeps them (PostgreSQL's "simple"
// configuration), where "hémorragie" is not "hemorragie".
func Written(text, lang string) []string { return of(text, lang, false) }

func of(text, lang string, folded bool) []string {
	lang = base(lang)
	stem, stop := stemmers[lang], stopWords[lang]
	var env *snowballstem.Env
	if stem != nil {
		env = snowballstem.NewEnv("")
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) < 2 || stop[w] || stop[Fold(w)] {
			continue
		}
		if env != nil {
			env.SetCurrent(w)
			stem(env)
			w = env.Current()
		}
		if folded {
			w = Fold(w)
		}
		if len([]rune(w)) < 2 || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// Fold strips diacritics: "hémorragie" is "hemorragie".
func Fold(s string) string {
	if isASCII(s) {
		return s
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Shared counts the terms of a that are also in b.
func Shared(a, b []string) int {
	n := 0
	for _, t := range a {
		if slices.Contains(b, t) {
			n++
		}
	}
	return n
}
