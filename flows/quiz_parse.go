package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/huddlebot/huddle/terms"
)

func parseQuiz(p *parser, n *yaml.Node, _ *Step) stepKind {
	q := &quizStep{points: 1}
	f := p.mapping(n, "quiz", "question", "options", "correct", "explain", "points", "timeout", "numeric", "accept", "tags")
	if f == nil {
		return q
	}
	if v := f["question"]; v == nil {
		p.errf(n, "quiz needs a question")
	} else {
		q.question = p.text(v, "question")
	}
	kinds := 0
	for _, k := range []string{"options", "numeric", "accept"} {
		if f[k] != nil {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		p.errf(n, "quiz needs options (with correct), numeric or accept")
	case kinds > 1:
		p.errf(n, "quiz has more than one of options, numeric and accept: use one")
	}
	if v := f["options"]; v != nil {
		q.parseOptions(p, v)
		if c := f["correct"]; c == nil {
			p.errf(n, "quiz with options needs correct: the number of the right option (1 for the first)")
		} else {
			q.parseCorrect(p, c)
		}
	} else if c := f["correct"]; c != nil {
		p.errf(c, "correct goes with options")
	}
	if v := f["numeric"]; v != nil {
		q.parseNumeric(p, v)
	}
	if v := f["accept"]; v != nil {
		q.parseAccept(p, v)
	}
	if v := f["explain"]; v != nil {
		q.explain = p.text(v, "explain")
	}
	if v := f["points"]; v != nil {
		if pts, ok := p.number(v, "points"); ok {
			if pts <= 0 {
				p.errf(v, "points must be more than zero")
			}
			q.points = pts
		}
	}
	if v := f["timeout"]; v != nil {
		q.timeout, _ = p.duration(v, "timeout")
	}
	if v := f["tags"]; v != nil {
		q.parseTags(p, v)
	}
	return q
}

// parseTags reads tags: [pre] or [post], which mark pre- and post-test
// questions.
func (q *quizStep) parseTags(p *parser, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "tags must be a list, such as [pre]")
		return
	}
	for _, c := range n.Content {
		t, ok := p.str(c, "tag")
		if !ok {
			continue
		}
		switch {
		case t != "pre" && t != "post":
			p.errf(c, "unknown tag %q: use pre or post", t)
		case slices.Contains(q.tags, t):
			p.errf(c, "tag %q is given twice", t)
		default:
			q.tags = append(q.tags, t)
		}
	}
	if len(q.tags) == 2 {
		p.errf(n, "a question is either pre or post, not both")
	}
}

func (q *quizStep) parseOptions(p *parser, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode || len(n.Content) < 2 {
		p.errf(n, "options must be a list of at least two choices")
		if n.Kind != yaml.SequenceNode {
			return
		}
	}
	if len(n.Content) > 10 {
		p.errf(n, "%d options is too many to read on a phone: use at most 10", len(n.Content))
	}
	for i, on := range n.Content {
		var o quizOption
		what := fmt.Sprintf("option %d", i+1)
		if on.Kind == yaml.MappingNode {
			// A text map {en: .., fr: ..} or {text: .., feedback: ..,
			// image: ..}.
			if hasKey(on, "text") || hasKey(on, "feedback") || hasKey(on, "image") {
				of := p.mapping(on, what, "text", "feedback", "image")
				if v := of["image"]; v != nil {
					opts := &q.options
					p.optionImage(v, func(m *Media) { (*opts)[i].media = m })
				}
				if v := of["text"]; v == nil && of["image"] == nil {
					p.errf(on, "%s needs text", what)
				} else if v != nil {
					o.text = p.text(v, what)
				}
				if v := of["feedback"]; v != nil {
					o.feedback = p.text(v, what+" feedback")
				}
			} else {
				o.text = p.text(on, what)
			}
		} else {
			o.text = p.text(on, what)
		}
		q.options = append(q.options, o)
	}
}

func hasKey(n *yaml.Node, key string) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (q *quizStep) parseCorrect(p *parser, n *yaml.Node) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		q.multi = true
		if len(items) == 0 {
			p.errf(n, "correct is an empty list")
		}
	}
	for _, in := range items {
		v, err := strconv.Atoi(in.Value)
		if in.Kind != yaml.ScalarNode || err != nil {
			p.errf(in, "correct must be an option number (1 for the first), not %q", in.Value)
			continue
		}
		if v < 1 || v > len(q.options) {
			p.errf(in, "correct %d is out of range: there are %d options", v, len(q.options))
			continue
		}
		if slices.Contains(q.correct, v-1) {
			p.errf(in, "correct lists option %d twice", v)
			continue
		}
		q.correct = append(q.correct, v-1)
	}
	slices.Sort(q.correct)
}

func (q *quizStep) parseNumeric(p *parser, n *yaml.Node) {
	f := p.mapping(n, "numeric", "answer", "tolerance")
	if f == nil {
		return
	}
	q.numeric = &numericAnswer{}
	if v := f["answer"]; v == nil {
		p.errf(n, "numeric needs answer")
	} else {
		q.numeric.answer, _ = p.number(v, "numeric answer")
	}
	if v := f["tolerance"]; v != nil {
		if t, ok := p.number(v, "tolerance"); ok {
			if t < 0 {
				p.errf(v, "tolerance cannot be negative")
			}
			q.numeric.tolerance = t
		}
	}
}

// parseAccept reads the accepted answers: one, a list, or a map of
// language code to one or a list. Every answer is accepted in every
// language; the feedback shows the first in the member's language.
func (q *quizStep) parseAccept(p *parser, n *yaml.Node) {
	q.shown = Text{}
	if n.Kind == yaml.MappingNode {
		for lang, v := range p.langMap(n, "accept") {
			q.acceptList(p, v, lang)
		}
	} else {
		q.acceptList(p, n, "")
	}
	if len(q.accept) == 0 {
		p.errf(n, "accept needs at least one answer")
	}
}

// acceptList adds one answer or a list of them, shown in lang.
func (q *quizStep) acceptList(p *parser, n *yaml.Node, lang string) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for _, in := range items {
		if s, ok := p.str(in, "accept"); ok {
			norm := normalizeAnswer(s)
			if norm == "" {
				p.errf(in, "accept has an empty answer")
				continue
			}
			if q.shown[lang] == "" {
				q.shown[lang] = strings.TrimSpace(s)
			}
			q.accept = append(q.accept, norm)
		}
	}
}

// normalizeAnswer folds case, accents and spacing: "  Syntocinon " and
// "syntocinon" match, and so do "é" and "e".
func normalizeAnswer(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(terms.Fold(s)), " "))
}
