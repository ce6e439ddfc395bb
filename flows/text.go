package flows

import (
	"embed"
	"strings"

	"github.com/huddlebot/huddle/internal/catalog"
)

// localeFiles are the engine's own words, one go-i18n file per language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// texts is the engine's own words; English is the fallback.
var texts = catalog.MustLoad(localeFiles, "locales")

// engineText returns the engine's text for key in lang, formatted.
func engineText(lang, key string, args ...any) string { return texts.Text(lang, key, args...) }

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
