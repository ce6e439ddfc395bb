package bot

import (
	"strings"

	"golang.org/x/text/language"
)

// ParseLang checks a language code ("fr", "FR", "fr-CA") and returns its
// lower-case ISO 639 base ("fr"); false when it is not a known language.
func ParseLang(code string) (string, bool) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 16 {
		return "", false
	}
	tag, err := language.Parse(code)
	if err != nil {
		return "", false
	}
	base, conf := tag.Base()
	if conf != language.Exact {
		return "", false
	}
	return base.String(), true
}
