package flows

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// waitStep pauses the run. The timer lives in the store, so a restart
// resumes the run when it is due.
//
//	steps:
//	  - wait: 4h      # also 90s, 30m, 2d, 1h30m
type waitStep struct {
	d time.Duration
}

func parseWait(p *parser, n *yaml.Node, _ *Step) stepKind {
	d, _ := p.duration(n, "wait")
	return &waitStep{d: d}
}

func (w *waitStep) enter(c *runCtx) outcome {
	c.wake(w.d)
	return outcome{wait: true}
}
