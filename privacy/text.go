package privacy

import (
	"embed"
	"strings"

	"github.com/huddlebot/huddle/internal/catalog"
)

// localeFiles are the privacy feature's interface text, one go-i18n file per
// language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// texts is the privacy feature's interface text; English is the fallback.
var texts = catalog.MustLoad(localeFiles, "locales")

// languageName names a language with a catalog in itself ("Kiswahili"),
// and any other by its code.
func languageName(code string) string {
	if !texts.Has(code) {
		return code
	}
	return tr(code, "language_name")
}

// languageList lists the languages with a catalog for a message:
// "en (English), fr (Français)".
func languageList() string {
	var out []string
	for _, code := range texts.Languages() {
		out = append(out, code+" ("+languageName(code)+")")
	}
	return strings.Join(out, ", ")
}

// tr returns the text for key in lang, falling back to English, formatted
// with args.
func tr(lang, key string, args ...any) string { return texts.Text(lang, key, args...) }

// baseLang reduces "fr-CA" or "fr_CA" to "fr".
func baseLang(lang string) string { return catalog.BaseLang(lang) }
