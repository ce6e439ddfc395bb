// Package catalog provides a package's interface text from message files,
// one per language, in go-i18n's JSON format (which translation tools such
// as Weblate read): "en.json", "fr.json", "sw.json" and so on, each an
// object of message ids to texts. A text may hold fmt verbs (%s, %d,
// %[2]s), filled in by Text; a translation may reorder them with indexes.
package catalog

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Fallback is the language every catalog has in full, used for a
// language without a file and for a message a file lacks.
const Fallback = "en"

// Catalog is one package's interface text in every language it has a
// file for. It is read-only once loaded, and safe to share.
type Catalog struct {
	// texts holds each language's messages, resolved once at load.
	texts map[string]map[string]string
}

// Load reads every *.json file in dir of fsys. It refuses a catalog
// without the fallback language.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", dir, err)
	}
	c := &Catalog{texts: map[string]map[string]string{}}
	ids := map[string][]string{}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f, err)
		}
		mf, err := bundle.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f, err)
		}
		lang := BaseLang(mf.Tag.String())
		for _, m := range mf.Messages {
			ids[lang] = append(ids[lang], m.ID)
		}
	}
	if _, ok := ids[Fallback]; !ok {
		return nil, fmt.Errorf("catalog %s: no %s.json, the fallback", dir, Fallback)
	}
	for lang, keys := range ids {
		loc := i18n.NewLocalizer(bundle, lang)
		m := make(map[string]string, len(keys))
		for _, id := range keys {
			s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id})
			if err != nil {
				return nil, fmt.Errorf("catalog %s: %s: %s: %w", dir, lang, id, err)
			}
			m[id] = s
		}
		c.texts[lang] = m
	}
	return c, nil
}

// MustLoad is Load for embedded files, whose errors a test catches.
func MustLoad(fsys fs.FS, dir string) *Catalog {
	c, err := Load(fsys, dir)
	if err != nil {
		panic(err)
	}
	return c
}

// Text returns the message key in lang (its base language: "sw" for
// "sw-KE"), else in the fallback language, formatted with args. A key no
// file has comes back as itself, so the mistake shows.
func (c *Catalog) Text(lang, key string, args ...any) string {
	s, ok := c.texts[BaseLang(lang)][key]
	if !ok {
		if s, ok = c.texts[Fallback][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether lang (its base language) has a file.
func (c *Catalog) Has(lang string) bool {
	_, ok := c.texts[BaseLang(lang)]
	return ok
}

// Languages lists the languages with a file, sorted.
func (c *Catalog) Languages() []string {
	var out []string
	for lang := range c.texts {
		out = append(out, lang)
	}
	slices.Sort(out)
	return out
}

// Gaps lists, for each language, the fallback's keys it lacks and the keys
// it has that the fallback does not ("sw: lacks quiz_right"), and the
// messages whose fmt verbs differ from the fallback's: what a
// completeness test reports.
func (c *Catalog) Gaps() []string {
	var out []string
	base := c.texts[Fallback]
	for _, lang := range c.Languages() {
		m := c.texts[lang]
		for key, en := range base {
			s, ok := m[key]
			switch {
			case !ok:
				out = append(out, lang+": lacks "+key)
			case !slices.Equal(verbs(s), verbs(en)):
				out = append(out, fmt.Sprintf("%s: %s has verbs %v, the %s text %v", lang, key, verbs(s), Fallback, verbs(en)))
			}
		}
		for key := range m {
			if _, ok := base[key]; !ok {
				out = append(out, lang+": has "+key+", which "+Fallback+" lacks")
			}
		}
	}
	slices.Sort(out)
	return out
}

// verbs lists the fmt verbs of s, each with its argument index, sorted:
// "%s %d" and "%[2]d %[1]s" have the same.
func verbs(s string) []string {
	var out []string
	next := 1
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		if j < len(s) && s[j] == '%' {
			i = j
			continue
		}
		arg := next
		if j < len(s) && s[j] == '[' {
			k := strings.IndexByte(s[j:], ']')
			if k > 0 {
				fmt.Sscanf(s[j+1:j+k], "%d", &arg)
				j += k + 1
			}
		}
		for j < len(s) && strings.IndexByte("+-# 0123456789.", s[j]) >= 0 {
			j++
		}
		if j < len(s) {
			out = append(out, fmt.Sprintf("%d:%c", arg, s[j]))
		}
		next = arg + 1
		i = j
	}
	slices.Sort(out)
	return out
}

// BaseLang reduces "fr-CA" or "fr_CA" to "fr".
func BaseLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	return lang
}
