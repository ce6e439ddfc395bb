package cases

import (
	"embed"
	"io/fs"
	"strings"

	"github.com/huddlebot/huddle/catalog"
	"github.com/huddlebot/huddle/deid"
)

// localeFiles are case discussions' texts, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Messages are case discussions' texts as built in: go-i18n files, one per language, in
// the folder locales. The App lays a program's own over them (see
// catalog.Catalog.With) and hands the result to New.
func Messages() fs.FS { return localeFiles }

// builtinTexts loads Messages, for a New made without texts.
func builtinTexts() *catalog.Catalog { return catalog.MustLoad(localeFiles, "locales") }

// tr returns the text key in lang (English when missing), formatted.
func (sv *Service) tr(lang, key string, args ...any) string { return sv.texts.Text(lang, key, args...) }

// list joins items for a sentence: "a, b and c" (English) or "a, b et c".
func (sv *Service) list(lang string, items []string) string {
	and := " " + sv.tr(lang, "and") + " "
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

// checkIn is deid.Scan with the placeholder in lang ("[retiré]" in
// French).
func (sv *Service) checkIn(text, lang string) ([]deid.Finding, string) {
	fs, _ := deid.Scan(text)
	return fs, deid.Redact(text, fs, sv.tr(lang, "removed"))
}
