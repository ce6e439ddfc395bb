package flows

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.yaml.in/yaml/v3"
)

// StepKind is a kind of lesson step added through Kinds.Register, as the
// built-in say is: the key that names it in a step ("say:",
// "checklist:"), how the value under that key is read and checked, and
// what a run does on reaching the step.
type StepKind struct {
	// Name is the step's key in lesson files: lowercase letters, digits
	// and _, not a name already taken.
	Name string
	// Parse reads the value under the key. Each problem goes to
	// p.Errorf with the node it is about, so it is reported as
	// file:line: message and the lesson is refused whole. It returns
	// nil when there were problems.
	Parse func(p *StepParser, n *yaml.Node) StepBody
}

// StepBody is one parsed step of a registered kind.
type StepBody interface {
	// Enter runs when a run reaches the step: it may post messages and
	// set a wake-up, and says what the run does next.
	Enter(r *StepRun) StepOutcome
}

// Previewer is a StepBody that says how it reads, for the dashboard's
// lesson preview; in renders a Text in the previewed language.
type Previewer interface {
	Preview(in func(Text) string) string
}

// StepOutcome says what a run does after entering a step: the zero value
// goes on to the next step.
type StepOutcome struct {
	// Wait stays on the step until its wake-up (StepRun.WakeAfter).
	Wait bool
	// Jump goes to the step with this id; the id is the kind's to check
	// (StepParser.StepID).
	Jump string
	// End ends the lesson.
	End bool
}

// StepParser is what a StepKind's Parse is given: ways to read the YAML
// value under the step's key and to report its problems with their lines.
type StepParser struct{ p *parser }

// Errorf reports a problem with node n, at its line.
func (sp *StepParser) Errorf(n *yaml.Node, format string, args ...any) { sp.p.errf(n, format, args...) }

// Text reads a text, plain or translated ({en: ..., fr: ...}), checking
// its languages against the lesson's; what names it in problems.
func (sp *StepParser) Text(n *yaml.Node, what string) Text { return sp.p.text(n, what) }

// String reads a plain string.
func (sp *StepParser) String(n *yaml.Node, what string) (string, bool) { return sp.p.str(n, what) }

// Duration reads a duration such as 90s, 30m, 4h, 2d or 1h30m.
func (sp *StepParser) Duration(n *yaml.Node, what string) (time.Duration, bool) {
	return sp.p.duration(n, what)
}

// Mapping checks that n is a mapping with only the allowed keys, each
// once, and returns its values by key; nil when n is not a mapping.
func (sp *StepParser) Mapping(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	return sp.p.mapping(n, what, allowed...)
}

// StepID checks that a step with id exists in the lesson, once every step
// is read; n is the node to report a missing one at.
func (sp *StepParser) StepID(n *yaml.Node, id string) {
	sp.p.gotos = append(sp.p.gotos, pendingGoto{line: n.Line, target: id})
}

// StepRun is what a StepBody's Enter is given: the run's language and
// time, and ways to post to its chat and to wake it later.
type StepRun struct{ c *runCtx }

// Post queues a message to the run's chat. tag tells the step's messages
// apart (a step that posts twice uses two tags), so a replayed input
// posts nothing twice.
func (r *StepRun) Post(tag, text string, opts ...bot.Option) {
	r.c.post(r.c.st.Seq, tag, text, opts...)
}

// Text renders t in the chat's language.
func (r *StepRun) Text(t Text) string { return r.c.t(t) }

// Lang is the chat's language.
func (r *StepRun) Lang() string { return r.c.st.Lang }

// Now is the time of the input that moved the run.
func (r *StepRun) Now() time.Time { return r.c.in.Now }

// WakeAfter has the run go on after d, when the step's outcome is Wait.
// The wake-up is kept in the store, so it survives a restart.
func (r *StepRun) WakeAfter(d time.Duration) { r.c.wake(d) }

// Kinds is the set of step kinds lessons may use: the built-in ones and
// those a program registers. Load and Parse read lessons with it.
type Kinds struct {
	names   []string // in the order the format documents them
	parsers map[string]func(p *parser, n *yaml.Node, st *Step) stepKind
	// pictures keeps the pictures made light, so that a folder read
	// again does not scale them again; nil for none (the package's own
	// Load and Parse).
	pictures *pictureCache
}

// NewKinds returns the built-in step kinds, to which a program may add.
// Lessons read with them keep their pictures made light across reloads.
func NewKinds() *Kinds {
	k := newKinds()
	k.pictures = &pictureCache{made: map[string]*Media{}}
	return k
}

func newKinds() *Kinds {
	k := &Kinds{parsers: map[string]func(p *parser, n *yaml.Node, st *Step) stepKind{}}
	// say is made through Register, as a program's own kinds are.
	if err := k.Register(sayKind); err != nil {
		panic(err)
	}
	for _, b := range []struct {
		name  string
		parse func(p *parser, n *yaml.Node, st *Step) stepKind
	}{
		{"quiz", parseQuiz}, {"ask", parseAsk}, {"wait", parseWait}, {"branch", parseBranch},
		{"goto", parseGoto}, {"end", parseEnd}, {"discuss", parseDiscuss}, {"escalate", parseEscalate},
	} {
		k.add(b.name, b.parse)
	}
	return k
}

// kindName is the form of a step kind's name.
var kindName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// builtin is the built-in kinds, which Load and Parse use. Nothing
// registers to it.
var builtin = newKinds()

func (k *Kinds) add(name string, parse func(p *parser, n *yaml.Node, st *Step) stepKind) {
	if !slices.Contains(k.names, name) {
		k.names = append(k.names, name)
	}
	if parse != nil {
		k.parsers[name] = parse
	}
}

// Register adds a step kind. It refuses a name taken already (by a
// built-in kind, or "id") or not made of lowercase letters, digits and _.
func (k *Kinds) Register(kind StepKind) error {
	switch {
	case kind.Parse == nil:
		return fmt.Errorf("step kind %q: no Parse", kind.Name)
	case !kindName.MatchString(kind.Name):
		return fmt.Errorf("step kind %q: a name is lowercase letters, digits and _, starting with a letter", kind.Name)
	case kind.Name == "id" || k.parsers[kind.Name] != nil:
		return fmt.Errorf("step kind %q: the name is taken", kind.Name)
	}
	k.add(kind.Name, func(p *parser, n *yaml.Node, _ *Step) stepKind {
		body := kind.Parse(&StepParser{p: p}, n)
		if body == nil {
			return nil
		}
		return registered{body}
	})
	return nil
}

// Names lists the kinds' keys.
func (k *Kinds) Names() []string { return slices.Clone(k.names) }

// Parse reads one lesson file as the package's Parse does, with these
// kinds.
func (k *Kinds) Parse(file string, data []byte) (*Lesson, error) { return parse(k, file, data) }

// ParseFile reads one lesson or course file as the package's ParseFile
// does, with these kinds.
func (k *Kinds) ParseFile(file string, data []byte) (*Lesson, *Course, error) {
	return parseFile(k, file, data, nil, "")
}

// ParseIn reads one lesson file as the package's ParseIn does, with
// these kinds: its images from dir in fsys.
func (k *Kinds) ParseIn(fsys fs.FS, dir, file string, data []byte) (*Lesson, error) {
	l, c, err := parseFile(k, file, data, fsys, dir)
	if err == nil && c != nil {
		return nil, Problems{{File: file, Line: 1, Msg: "this file is a course (it lists lessons:), not a lesson (with steps:)"}}
	}
	return l, err
}

// Load reads a lessons folder as the package's Load does, with these
// kinds.
func (k *Kinds) Load(fsys fs.FS, root, prefix string) (*Library, error) {
	return load(k, fsys, root, prefix)
}

// list is the kinds' keys for a message.
func (k *Kinds) list() string { return strings.Join(k.names, ", ") }

// registered is a registered kind's StepBody as the engine sees it.
type registered struct{ body StepBody }

func (s registered) enter(c *runCtx) outcome {
	o := s.body.Enter(&StepRun{c: c})
	return outcome{wait: o.Wait, jump: o.Jump, end: o.End}
}
