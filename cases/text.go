package cases

import (
	"embed"
	"strings"

	"github.com/huddlebot/huddle/deid"
	"github.com/huddlebot/huddle/internal/catalog"
)

// localeFiles are case discussions' texts, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// texts is case discussions' texts; English is the fallback.
var texts = catalog.MustLoad(localeFiles, "locales")

// tr returns the text key in lang (English when missing), formatted.
func tr(lang, key string, args ...any) string { return texts.Text(lang, key, args...) }

// list joins items for a sentence: "a, b and c" (English) or "a, b et c".
func list(lang string, items []string) string {
	and := " " + tr(lang, "and") + " "
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
func checkIn(text, lang string) ([]deid.Finding, string) {
	fs, _ := deid.Scan(text)
	return fs, deid.Redact(text, fs, tr(lang, "removed"))
}
