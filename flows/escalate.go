package flows

import "go.yaml.in/yaml/v3"

// escalateStep sends the lesson's latest case (from a discuss step) to a
// mentor queue, whether or not peers replied; with no case, it does
// nothing.
//
//	steps:
//	  - escalate: obstetrics
//	  - escalate: {queue: obstetrics, note: "Please review the group's answers."}
type escalateStep struct {
	queue string
	note  Text
}

func parseEscalate(p *parser, n *yaml.Node, _ *Step) stepKind {
	e := &escalateStep{}
	if n.Kind == yaml.ScalarNode {
		e.queue = p.queue(n)
		return e
	}
	f := p.mapping(n, "escalate", "queue", "note")
	if f == nil {
		return e
	}
	if v := f["queue"]; v == nil {
		p.errf(n, "escalate needs a queue")
	} else {
		e.queue = p.queue(v)
	}
	if v := f["note"]; v != nil {
		e.note = p.text(v, "escalate note")
	}
	return e
}

func (e *escalateStep) enter(c *runCtx) outcome {
	c.res.Escalations = append(c.res.Escalations, EscalateReq{Queue: e.queue, Note: c.t(e.note)})
	return outcome{}
}
