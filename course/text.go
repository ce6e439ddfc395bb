package course

import (
	"embed"
	"io/fs"

	"github.com/huddlebot/huddle/catalog"
)

// localeFiles are courses' texts, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Messages are courses' texts as built in: go-i18n files, one per language, in
// the folder locales. The App lays a program's own over them (see
// catalog.Catalog.With) and hands the result to New.
func Messages() fs.FS { return localeFiles }

// builtinTexts loads Messages, for a New made without texts.
func builtinTexts() *catalog.Catalog { return catalog.MustLoad(localeFiles, "locales") }

// tr returns the text for key in lang, falling back to English, formatted
// with args.
func (sv *Service) tr(lang, key string, args ...any) string { return sv.texts.Text(lang, key, args...) }
