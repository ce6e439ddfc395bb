package flows

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// StepKind is a kind of lesson step added through Kinds.Register, as the
// built-in say is: the key that names it in a step ("say:",
// "checklist:"), how the value under that key is read and checked, and
// what a run does on reaching the step. A kind whose body is an Answerer
// takes members' answers and scores them, as a quiz does.
type StepKind struct {
	// Name is the step's key in lesson files: lowercase letters, digits
	// and _, not a name already taken.
	Name string
	// Parse reads the value under the key. Each problem goes to
	// p.Errorf with the node it is about, so it is reported as
	// file:line: message and the lesson is refused whole. It returns
	// nil when there were problems.
	Parse func(p *StepParser, n *Node) StepBody
}

// StepBody is one parsed step of a registered kind. It is shared by every
// run of its lesson: what a run keeps goes through the StepRun.
type StepBody interface {
	// Enter runs when a run reaches the step: it may post messages and
	// set a wake-up, and says what the run does next. An Answerer opens
	// itself for answers with StepRun.Open.
	Enter(r *StepRun) StepOutcome
}

// Answerer is a StepBody that takes members' answers while it is open:
// the run offers it each member's text or press (StepRun.Answer) until
// every member it waits for has answered (in a group, those active when
// it opened; privately, the one member) or its time runs out, and then
// closes it.
type Answerer interface {
	StepBody
	// Answer takes the input StepRun.Answer holds; false when it is no
	// answer to this step (the run ignores it, as chatter). An answer is
	// counted once the step records it (StepRun.Record).
	Answer(r *StepRun) bool
	// Close runs once when the step closes, timedOut when its time ran
	// out; it may post a summary (StepRun.Tally).
	Close(r *StepRun, timedOut bool)
}

// Previewer is a StepBody that says how it reads, for the dashboard's
// lesson preview; in renders a Text in the previewed language.
type Previewer interface {
	Preview(in func(Text) string) string
}

// StepOutcome says what a run does after entering a step: the zero value
// goes on to the next step.
type StepOutcome struct {
	// Wait stays on the step until its wake-up (StepRun.WakeAfter) or,
	// for an Answerer, until it closes (StepRun.Open).
	Wait bool
	// Jump goes to the step with this id; the id is the kind's to check
	// (StepParser.StepID).
	Jump string
	// End ends the lesson.
	End bool
}

// Node is one value of a lesson file and where it stands: what a step
// kind's Parse reads through the StepParser, and reports its problems
// at. It hides the YAML library the files are read with.
type Node struct{ y *yaml.Node }

// Line is the node's line in its file.
func (n *Node) Line() int { return n.y.Line }

// node wraps a YAML node; nil for nil.
func node(y *yaml.Node) *Node {
	if y == nil {
		return nil
	}
	return &Node{y}
}

// StepParser is what a StepKind's Parse is given: ways to read the value
// under the step's key and to report its problems with their lines.
type StepParser struct{ p *parser }

// Errorf reports a problem with node n, at its line.
func (sp *StepParser) Errorf(n *Node, format string, args ...any) { sp.p.errf(n.y, format, args...) }

// Text reads a text, plain or translated ({en: ..., fr: ...}), checking
// its languages against the lesson's; what names it in problems.
func (sp *StepParser) Text(n *Node, what string) Text { return sp.p.text(n.y, what) }

// String reads a plain string.
func (sp *StepParser) String(n *Node, what string) (string, bool) { return sp.p.str(n.y, what) }

// Number reads a number.
func (sp *StepParser) Number(n *Node, what string) (float64, bool) { return sp.p.number(n.y, what) }

// Duration reads a duration such as 90s, 30m, 4h, 2d or 1h30m.
func (sp *StepParser) Duration(n *Node, what string) (time.Duration, bool) {
	return sp.p.duration(n.y, what)
}

// Mapping checks that n is a mapping with only the allowed keys, each
// once, and returns its values by key (a key not given has none); nil
// when n is not a mapping.
func (sp *StepParser) Mapping(n *Node, what string, allowed ...string) map[string]*Node {
	m := sp.p.mapping(n.y, what, allowed...)
	if m == nil {
		return nil
	}
	out := make(map[string]*Node, len(m))
	for k, v := range m {
		out[k] = node(v)
	}
	return out
}

// List checks that n is a list and returns its items; nil when it is not.
func (sp *StepParser) List(n *Node, what string) []*Node {
	if n.y.Kind != yaml.SequenceNode {
		sp.p.errf(n.y, "%s must be a list", what)
		return nil
	}
	out := make([]*Node, len(n.y.Content))
	for i, v := range n.y.Content {
		out[i] = node(v)
	}
	return out
}

// StepID checks that a step with id exists in the lesson, once every step
// is read; n is the node to report a missing one at.
func (sp *StepParser) StepID(n *Node, id string) {
	sp.p.gotos = append(sp.p.gotos, pendingGoto{line: n.y.Line, target: id})
}

// Kinds is the set of step kinds lessons may use: the built-in ones and
// those a program registers. Load and Parse read lessons with it.
type Kinds struct {
	names   []string // in the order the format documents them
	parsers map[string]func(p *parser, n *yaml.Node, st *Step) stepKind
	// pictures keeps the pictures made light (and the files converted),
	// so that a folder read again does not scale them again; nil for
	// none (the package's own Load and Parse).
	pictures *pictureCache
	// convert makes voice notes and video posters; nil for none.
	convert Converter
}

// Converter makes what phones play from what a lesson gives: a voice note
// in Ogg Opus from another sound (Ogg Vorbis, WAV), and a still picture
// (a JPEG) from a video, shown before it plays. transcode.FFmpeg is one,
// where ffmpeg is installed.
type Converter interface {
	VoiceNote(ctx context.Context, sound []byte) ([]byte, error)
	Poster(ctx context.Context, video []byte) ([]byte, error)
}

// SetConverter has lessons read with k convert, with c, the sounds phones
// would not play as voice notes, and take a poster from each video that
// names none; without one, such a sound is a problem that says what to
// give, and a video goes without a poster.
func (k *Kinds) SetConverter(c Converter) { k.convert = c }

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
		body := kind.Parse(&StepParser{p: p}, node(n))
		if body == nil {
			return nil
		}
		if a, ok := body.(Answerer); ok {
			return answering{registered{body}, a}
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

// LoadOver reads a lessons folder as Load does, over base (the built-in
// lessons): the folder's lessons and courses come with base's, one of the
// folder's with a base one's id replaces it, and a folder's course may
// list base lessons.
func (k *Kinds) LoadOver(base *Library, fsys fs.FS, root, prefix string) (*Library, error) {
	return loadOver(k, base, fsys, root, prefix)
}

// list is the kinds' keys for a message.
func (k *Kinds) list() string { return strings.Join(k.names, ", ") }

// registered is a registered kind's StepBody as the engine sees it.
type registered struct{ body StepBody }

func (s registered) enter(c *runCtx) outcome {
	o := s.body.Enter(&StepRun{c: c})
	return outcome{wait: o.Wait, jump: o.Jump, end: o.End}
}

// answering is a registered Answerer as the engine sees it: a step that
// takes answers, as a quiz does.
type answering struct {
	registered
	a Answerer
}

func (s answering) answer(c *runCtx, in Input) bool { return s.a.Answer(&StepRun{c: c}) }

func (s answering) close(c *runCtx, timedOut bool) { s.a.Close(&StepRun{c: c}, timedOut) }
