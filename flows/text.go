package flows

import (
	"embed"
	"io/fs"
	"strings"

	"github.com/huddlebot/huddle/catalog"
)

// localeFiles are the engine's own words, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Messages are the engine's own words as built in: go-i18n files, one per language, in
// the folder locales. The App lays a program's own over them (see
// catalog.Catalog.With) and hands the result to NewHost.
func Messages() fs.FS { return localeFiles }

// builtinTexts loads Messages, for an Engine made without texts.
func builtinTexts() *catalog.Catalog { return catalog.MustLoad(localeFiles, "locales") }

// texts are the engine's words: its Texts, or the built-in ones, loaded
// once for an Engine made without.
func (e *Engine) texts() *catalog.Catalog {
	if e.Texts != nil {
		return e.Texts
	}
	if c := e.builtin.Load(); c != nil {
		return c
	}
	c := builtinTexts()
	e.builtin.Store(c)
	return c
}

// text returns the engine's text for key in lang, formatted.
func (e *Engine) text(lang, key string, args ...any) string {
	return e.texts().Text(lang, key, args...)
}

// capitalize upper-cases the first letter, for texts that may start with
// an empty name slot.
func capitalize(s string) string {
	for i, r := range s {
		if r >= 'a' && r <= 'z' {
			return s[:i] + strings.ToUpper(string(r)) + s[i+1:]
		}
		if r != ' ' && r < 0x80 {
			return s
		}
	}
	return s
}
