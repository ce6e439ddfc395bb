package flows

import "go.yaml.in/yaml/v3"

// endStep ends the lesson, with an optional closing message; each member's
// (or the group's) result follows it.
//
//	steps:
//	  - end: "Well done, see you Wednesday."
//	  - end:          # no message
type endStep struct {
	text Text
}

func parseEnd(p *parser, n *yaml.Node, _ *Step) stepKind {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "") {
		return &endStep{}
	}
	return &endStep{text: p.text(n, "end")}
}

func (e *endStep) enter(c *runCtx) outcome {
	if len(e.text) > 0 {
		c.post(c.st.Seq, "end", c.t(e.text))
	}
	return outcome{end: true}
}
