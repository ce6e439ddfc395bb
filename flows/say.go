package flows

// sayKind posts a message to the chat and moves on. It is made through
// the exported StepKind, as a program's own kinds are, and is the proof
// that they can be.
//
//	steps:
//	  - say: "Blood loss over 500 mL after birth is PPH."
//	  - say: {en: "Wash your hands.", fr: "Lavez-vous les mains."}
var sayKind = StepKind{
	Name: "say",
	Parse: func(p *StepParser, n *Node) StepBody {
		return sayStep{text: p.Text(n, "say")}
	},
}

// sayStep is a parsed say step.
type sayStep struct {
	text Text
}

// Enter posts the text.
func (s sayStep) Enter(r *StepRun) StepOutcome {
	r.Post("say", r.Text(s.text))
	return StepOutcome{}
}

// Preview is the text.
func (s sayStep) Preview(in func(Text) string) string { return in(s.text) }
