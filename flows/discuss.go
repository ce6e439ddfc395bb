package flows

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// discussStep opens a case discussion in the group: the prompt is posted
// as a case, replies to it form its thread, and with escalate_after the
// case goes to the mentor queue when no peer has replied by then. With
// open_for the lesson waits that long for the discussion before going on.
//
//	steps:
//	  - id: case
//	    discuss:
//	      prompt: "Share a de-identified PPH case from your ward."
//	      open_for: 48h
//	      escalate_after: 12h   # no peer reply by then: to the mentor queue
//	      queue: obstetrics
type discussStep struct {
	prompt        Text
	openFor       time.Duration
	escalateAfter time.Duration
	queue         string
}

func parseDiscuss(p *parser, n *yaml.Node, _ *Step) stepKind {
	d := &discussStep{}
	f := p.mapping(n, "discuss", "prompt", "open_for", "escalate_after", "queue")
	if f == nil {
		return d
	}
	if v := f["prompt"]; v == nil {
		p.errf(n, "discuss needs a prompt")
	} else {
		d.prompt = p.text(v, "discuss prompt")
	}
	if v := f["open_for"]; v != nil {
		d.openFor, _ = p.duration(v, "open_for")
	}
	if v := f["escalate_after"]; v != nil {
		d.escalateAfter, _ = p.duration(v, "escalate_after")
	}
	if v := f["queue"]; v != nil {
		d.queue = p.queue(v)
	}
	if d.openFor > 0 && d.escalateAfter > d.openFor {
		p.errf(f["escalate_after"], "escalate_after (%s) is after the discussion closes (open_for %s)", d.escalateAfter, d.openFor)
	}
	return d
}

func (d *discussStep) enter(c *runCtx) outcome {
	text := c.t(d.prompt)
	c.post(c.st.Seq, "discuss", c.tr("discuss", text))
	c.res.Cases = append(c.res.Cases, CaseReq{Seq: c.st.Seq, Tag: "discuss", Text: text, Queue: d.queue, EscalateAfter: d.escalateAfter})
	if d.openFor > 0 {
		c.wake(d.openFor)
		return outcome{wait: true}
	}
	return outcome{}
}

// queue reads a mentor queue name.
func (p *parser) queue(n *yaml.Node) string {
	q, ok := p.str(n, "queue")
	if ok && !stepIDPattern.MatchString(q) {
		p.errf(n, "bad queue name %q: use lowercase letters, digits, - and _", q)
	}
	return q
}
