package flows

import "go.yaml.in/yaml/v3"

// sayStep posts a message to the chat and moves on.
//
//	steps:
//	  - say: "Blood loss over 500 mL after birth is PPH."
//	  - say: {en: "Wash your hands.", fr: "Lavez-vous les mains."}
type sayStep struct {
	text Text
}

func parseSay(p *parser, n *yaml.Node, _ *Step) stepKind {
	return &sayStep{text: p.text(n, "say")}
}

func (s *sayStep) enter(c *runCtx) outcome {
	c.post(c.st.Seq, "say", c.t(s.text))
	return outcome{}
}
