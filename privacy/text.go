package privacy

import (
	"embed"
	"io/fs"
	"strings"

	"github.com/huddlebot/huddle/catalog"
)

// localeFiles are the privacy notice's and the members' rights' texts, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Messages are the privacy notice's and the members' rights' texts as built in: go-i18n files, one per language, in
// the folder locales. The App lays a program's own over them (see
// catalog.Catalog.With) and hands the result to Feature.
func Messages() fs.FS { return localeFiles }

// builtinTexts loads Messages, for a Feature made without texts.
func builtinTexts() *catalog.Catalog { return catalog.MustLoad(localeFiles, "locales") }

// languageName names a language with a catalog in itself ("Kiswahili"),
// and any other by its code.
func (g *rights) languageName(code string) string {
	if !g.texts.Has(code) {
		return code
	}
	return g.tr(code, "language_name")
}

// languageList lists the languages with a catalog for a message:
// "en (English), fr (Français)".
func (g *rights) languageList() string {
	var out []string
	for _, code := range g.texts.Languages() {
		out = append(out, code+" ("+g.languageName(code)+")")
	}
	return strings.Join(out, ", ")
}

// tr returns the text for key in lang, falling back to English, formatted
// with args.
func (g *rights) tr(lang, key string, args ...any) string { return g.texts.Text(lang, key, args...) }
