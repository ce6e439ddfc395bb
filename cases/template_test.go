package cases

import (
	"strings"
	"testing"
)

// TestTemplateInEveryLanguage: the case template each language shows,
// filled in, follows the template, and with a line left empty does not.
func TestTemplateInEveryLanguage(t *testing.T) {
	sv := New(Config{})
	for _, lang := range sv.texts.Languages() {
		_, form, ok := strings.Cut(sv.tr(lang, "template"), "/case\n")
		if !ok {
			t.Errorf("%s: the template has no /case line", lang)
			continue
		}
		lines := strings.Split(strings.TrimRight(form, " "), "\n")
		if len(lines) != len(templateFields) {
			t.Errorf("%s: the template has %d fields, want %d", lang, len(lines), len(templateFields))
			continue
		}
		filled := make([]string, len(lines))
		for i, l := range lines {
			filled[i] = strings.TrimSpace(l) + " x"
		}
		if !sv.followsTemplate(strings.Join(filled, "\n")) {
			t.Errorf("%s: the template filled in does not follow it:\n%s", lang, strings.Join(filled, "\n"))
		}
		filled[2] = strings.TrimSpace(lines[2])
		if sv.followsTemplate(strings.Join(filled, "\n")) {
			t.Errorf("%s: a template with %q empty follows it", lang, lines[2])
		}
	}
}
