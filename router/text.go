package router

import (
	"embed"
	"io/fs"

	"github.com/huddlebot/huddle/catalog"
)

// localeFiles are the router's interface texts, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Messages are the router's interface texts as built in: go-i18n files, one per language, in
// the folder locales. The App lays a program's own over them (see
// catalog.Catalog.With) and hands the result to New.
func Messages() fs.FS { return localeFiles }

// builtinTexts loads Messages, for a New made without texts.
func builtinTexts() *catalog.Catalog { return catalog.MustLoad(localeFiles, "locales") }

// tr returns the router's text for key in lang, falling back to English,
// formatted with args.
func (r *Router) tr(lang, key string, args ...any) string { return r.texts.Text(lang, key, args...) }

// tr is the router's tr, for its table of commands.
func (cs *commandSet) tr(lang, key string, args ...any) string {
	return cs.texts.Text(lang, key, args...)
}
