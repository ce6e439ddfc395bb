package flows

import (
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.yaml.in/yaml/v3"
)

// mapping checks that n is a mapping with only allowed keys, each once, and
// returns its values by key; nil when n is not a mapping.
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s must be a mapping of keys to values", what)
		return nil
	}
	ok := make(map[string]bool, len(allowed))
	for _, k := range allowed {
		ok[k] = true
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !ok[k.Value]:
			p.errf(k, "unknown key %q in %s (known keys: %s)", k.Value, what, strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			p.errf(k, "key %q appears twice in %s", k.Value, what)
		default:
			out[k.Value] = v
		}
	}
	return out
}

// str reads a scalar as a string.
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, "%s must be a single value", what)
		return "", false
	}
	return n.Value, true
}

// number reads a scalar as a number.
func (p *parser) number(n *yaml.Node, what string) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "%s must be a number", what)
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		p.errf(n, "%s must be a number, not %q", what, n.Value)
		return 0, false
	}
	return v, true
}

// duration reads a scalar as a duration such as 4h.
func (p *parser) duration(n *yaml.Node, what string) (time.Duration, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return 0, false
	}
	d, err := parseDuration(s)
	if err != nil {
		p.errf(n, "%s: %v", what, err)
		return 0, false
	}
	if d <= 0 {
		p.errf(n, "%s must be longer than zero", what)
		return 0, false
	}
	return d, true
}

// langMap reads a map keyed by the lesson's language codes, each checked
// as text's are, and returns its values by code.
func (p *parser) langMap(n *yaml.Node, what string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		code, known := bot.ParseLang(k.Value)
		switch {
		case !known || code != strings.ToLower(k.Value):
			p.errf(k, "unknown language %q in %s", k.Value, what)
		case len(p.langs) > 0 && !contains(p.langs, code):
			p.errf(k, "unknown language %q in %s: the %s's languages are %s", k.Value, what, p.kind(), strings.Join(p.langs, ", "))
		case out[code] != nil:
			p.errf(k, "language %s appears twice in %s", code, what)
		default:
			out[code] = v
		}
	}
	return out
}

// text reads a plain string or a map of language code to string.
func (p *parser) text(n *yaml.Node, what string) Text {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
			p.errf(n, "%s is empty", what)
			return nil
		}
		return Text{"": n.Value}
	case yaml.MappingNode:
		t := Text{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			code, known := bot.ParseLang(k.Value)
			switch {
			case !known || code != strings.ToLower(k.Value):
				p.errf(k, "unknown language %q in %s", k.Value, what)
				continue
			case len(p.langs) > 0 && !contains(p.langs, code):
				p.errf(k, "unknown language %q in %s: the %s's languages are %s", k.Value, what, p.kind(), strings.Join(p.langs, ", "))
				continue
			case t[code] != "":
				p.errf(k, "language %s appears twice in %s", code, what)
				continue
			}
			s, ok := p.str(v, what)
			if !ok {
				continue
			}
			if strings.TrimSpace(s) == "" {
				p.errf(v, "%s in %s is empty", what, code)
			}
			t[code] = s
		}
		if len(t) == 0 {
			p.errf(n, "%s has no text", what)
		} else if len(p.langs) > 0 {
			if _, ok := t[p.langs[0]]; !ok {
				p.errf(n, "%s has no %s text, the %s's first language, to fall back on", what, p.langs[0], p.kind())
			}
		}
		return t
	default:
		p.errf(n, "%s must be a text or a map of language to text, such as {en: ..., fr: ...}", what)
		return nil
	}
}
