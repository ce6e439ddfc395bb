// Package catalog provides interface text from message files, one per
// language, in go-i18n's JSON format (which translation tools such as
// Weblate read): "en.json", "fr.json", "sw.json" and so on, each an object
// of message ids to texts, or to plural forms ({"one": …, "other": …}). A
// text may hold fmt verbs (%s, %d, %[2]s), filled in by Text and Count; a
// translation may reorder them with indexes. Catalogs are values: the App
// loads each part's built-in files, lays a program's own over them, and
// hands each part its catalog.
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

// Catalog is one part's interface text (a feature's, the router's, the
// engine's) in every language it has a file for. It is read-only once
// loaded, and safe to share. The App holds one per part, the built-in
// files with a program's own laid over them (With).
type Catalog struct {
	// files are the message files read, in order: a later file's message
	// replaces an earlier one's of the same language and id.
	files []file
	// texts holds each language's messages, resolved once at load (a
	// message with plural forms by its "other" form).
	texts map[string]map[string]string
	// plural holds, per language, the messages with plural forms, and
	// locs each language's localizer, which picks a form.
	plural map[string]map[string]bool
	locs   map[string]*i18n.Localizer
}

// file is one message file: its name, for errors, and its bytes.
type file struct {
	name string
	data []byte
}

// Load reads every *.json file in dir of fsys. It refuses a catalog
// without the fallback language.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	files, err := read(fsys, dir)
	if err != nil {
		return nil, err
	}
	return build(dir, files)
}

// MustLoad is Load for embedded files, whose errors a test catches.
func MustLoad(fsys fs.FS, dir string) *Catalog {
	c, err := Load(fsys, dir)
	if err != nil {
		panic(err)
	}
	return c
}

// With returns c with the *.json files in dir of fsys laid over it: a
// message of theirs replaces c's of the same language and id, and a
// language c lacks is added (the fallback stands in for what it lacks).
// c is unchanged. A missing dir adds nothing.
func (c *Catalog) With(fsys fs.FS, dir string) (*Catalog, error) {
	files, err := read(fsys, dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return c, nil
	}
	return build(dir, append(slices.Clone(c.files), files...))
}

// read reads the *.json files in dir of fsys.
func read(fsys fs.FS, dir string) ([]file, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", dir, err)
	}
	var out []file
	for _, f := range names {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f, err)
		}
		out = append(out, file{f, data})
	}
	return out, nil
}

// build parses files into a catalog.
func build(dir string, files []file) (*Catalog, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{files: files, texts: map[string]map[string]string{}, plural: map[string]map[string]bool{},
		locs: map[string]*i18n.Localizer{}}
	ids := map[string]map[string]bool{}
	for _, f := range files {
		mf, err := bundle.ParseMessageFileBytes(f.data, f.name)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f.name, err)
		}
		lang := BaseLang(mf.Tag.String())
		if ids[lang] == nil {
			ids[lang], c.plural[lang] = map[string]bool{}, map[string]bool{}
		}
		for _, m := range mf.Messages {
			ids[lang][m.ID] = true
			c.plural[lang][m.ID] = m.One != "" || m.Few != "" || m.Many != "" || m.Two != "" || m.Zero != ""
		}
	}
	if _, ok := ids[Fallback]; !ok {
		return nil, fmt.Errorf("catalog %s: no %s.json, the fallback", dir, Fallback)
	}
	for lang, keys := range ids {
		loc := i18n.NewLocalizer(bundle, lang)
		c.locs[lang] = loc
		m := make(map[string]string, len(keys))
		for id := range keys {
			cfg := &i18n.LocalizeConfig{MessageID: id}
			if c.plural[lang][id] {
				cfg.PluralCount = 2 // its "other" form, in every language
			}
			s, err := loc.Localize(cfg)
			if err != nil {
				return nil, fmt.Errorf("catalog %s: %s: %s: %w", dir, lang, id, err)
			}
			m[id] = s
		}
		c.texts[lang] = m
	}
	return c, nil
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

// Count is Text for a message with plural forms (go-i18n's "one",
// "other" and so on): n, a whole number or a decimal written out ("1.5"),
// picks the form by lang's plural rules, and args fill it in. A message
// without plural forms is Text.
func (c *Catalog) Count(lang, key string, n any, args ...any) string {
	lang = BaseLang(lang)
	if _, ok := c.texts[lang][key]; !ok {
		lang = Fallback
	}
	if !c.plural[lang][key] {
		return c.Text(lang, key, args...)
	}
	s, err := c.locs[lang].Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n})
	if err != nil {
		return c.Text(lang, key, args...)
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Phrase returns the message key as a function of the language: a
// command's Help or Usage.
func (c *Catalog) Phrase(key string) func(lang string) string {
	return func(lang string) string { return c.Text(lang, key) }
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
