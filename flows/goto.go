package flows

import "go.yaml.in/yaml/v3"

// gotoStep jumps to another step.
//
//	steps:
//	  - goto: review
type gotoStep struct {
	target string
}

func parseGoto(p *parser, n *yaml.Node, _ *Step) stepKind {
	target, ok := p.str(n, "goto")
	if ok {
		p.gotos = append(p.gotos, pendingGoto{line: n.Line, target: target})
	}
	return &gotoStep{target: target}
}

func (g *gotoStep) enter(*runCtx) outcome { return outcome{jump: g.target} }
