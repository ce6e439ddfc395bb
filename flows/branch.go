package flows

import (
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"
)

// branchStep jumps to the first case whose condition holds; a case without
// if always holds. When none holds, the run goes on to the next step.
//
//	steps:
//	  - branch:
//	      - if: "score < 0.5"
//	        goto: review
//	      - goto: case
//
// Conditions are expr-lang expressions over:
//
//	score       fraction of quiz points scored so far (0 to 1); in group
//	            mode, the mean of the members' fractions
//	points      quiz points scored; in group mode, the members' mean
//	max_points  quiz points available so far
//	answers     answers by step id (direct mode), e.g. answers.q1 == "2"
//	vars        ask answers by id (direct mode)
type branchStep struct {
	cases []branchCase
}

type branchCase struct {
	src     string
	program *vm.Program // nil: always
	target  string
}

// exprEnv is what branch conditions see.
type exprEnv struct {
	Score     float64           `expr:"score"`
	Points    float64           `expr:"points"`
	MaxPoints float64           `expr:"max_points"`
	Answers   map[string]string `expr:"answers"`
	Vars      map[string]string `expr:"vars"`
}

func parseBranch(p *parser, n *yaml.Node, _ *Step) stepKind {
	b := &branchStep{}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errf(n, "branch must be a list of cases, each with goto and an optional if")
		return b
	}
	for i, cn := range n.Content {
		f := p.mapping(cn, "branch case", "if", "goto")
		if f == nil {
			continue
		}
		var bc branchCase
		if v := f["if"]; v != nil {
			if src, ok := p.str(v, "if"); ok {
				prog, err := expr.Compile(src, expr.Env(exprEnv{}), expr.AsBool())
				if err != nil {
					p.errf(v, "bad expression %q: %s", src, firstLine(err.Error()))
				} else if name := directOnly(prog); name != "" && p.mode != ModeDirect {
					p.errf(v, "%s is known only in one-to-one lessons (mode: direct); in a group lesson each member answers on their own: use score, points or max_points", name)
				}
				bc.src, bc.program = src, prog
			}
		} else if i < len(n.Content)-1 {
			p.errf(cn, "a case without if always holds, so the cases after it can never run: make it the last")
		}
		if v := f["goto"]; v == nil {
			p.errf(cn, "branch case needs goto")
		} else if target, ok := p.str(v, "goto"); ok {
			p.gotos = append(p.gotos, pendingGoto{line: v.Line, target: target})
			bc.target = target
		}
		b.cases = append(b.cases, bc)
	}
	return b
}

func (b *branchStep) enter(c *runCtx) outcome {
	env := exprEnv{Answers: map[string]string{}, Vars: map[string]string{}}
	env.Score, env.Points, env.MaxPoints = c.score()
	if c.st.Mode == ModeDirect {
		for _, m := range c.st.joined() {
			for k, v := range m.Answers {
				env.Answers[k] = v
			}
		}
		for k, v := range c.st.Vars {
			env.Vars[k] = v
		}
	}
	for _, bc := range b.cases {
		if bc.program == nil {
			return outcome{jump: bc.target}
		}
		// Conditions are type-checked to bool at parse time; a run-time
		// error (none is expected) counts as false.
		if ok, err := expr.Run(bc.program, env); err == nil && ok == true {
			return outcome{jump: bc.target}
		}
	}
	return outcome{}
}

// directOnly returns the first name a condition uses that has a value only
// in direct mode (answers or vars), or "".
func directOnly(prog *vm.Program) string {
	root := prog.Node()
	var v identFinder
	ast.Walk(&root, &v)
	return v.found
}

// identFinder finds the first use of answers or vars.
type identFinder struct{ found string }

func (f *identFinder) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok && f.found == "" && (id.Value == "answers" || id.Value == "vars") {
		f.found = id.Value
	}
}

// firstLine keeps the first line of a multi-line error.
func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
