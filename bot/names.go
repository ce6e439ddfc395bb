package bot

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NameKey is what two names are compared by: lower case, accents
// removed, letters and digits only. "Mama-Grace", "mamá grace" and
// "Mama Grace" share one key, so none can pass for another member.
func NameKey(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
