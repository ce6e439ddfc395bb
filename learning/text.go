package learning

import (
	"embed"
	"io/fs"

	"github.com/huddlebot/huddle/catalog"
)

// localeFiles are the lessons' commands' texts, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Messages are the lessons' commands' texts as built in: go-i18n files, one per language, in
// the folder locales. The App lays a program's own over them (see
// catalog.Catalog.With) and hands the result to Feature.
func Messages() fs.FS { return localeFiles }

// builtinTexts loads Messages, for a Feature made without texts.
func builtinTexts() *catalog.Catalog { return catalog.MustLoad(localeFiles, "locales") }

// tr returns the text for key in lang, falling back to English, formatted
// with args.
func (l *learning) tr(lang, key string, args ...any) string { return l.texts.Text(lang, key, args...) }
