package flows

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.yaml.in/yaml/v3"
)

var (
	lessonIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	stepIDPattern   = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	yamlLinePattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	clockPattern    = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

// maxIDLen bounds lesson and step ids, so option data stays within
// Telegram's 64 bytes.
const maxIDLen = 40

var weekdays = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}

// parser collects every problem of one file.
type parser struct {
	kinds    *Kinds
	file     string
	problems Problems
	langs    []string // declared languages
	mode     string   // the lesson's mode, known before its steps
	isCourse bool     // the file is a course's
	media    []pendingMedia
	// gotos to check once every step id is known.
	gotos []pendingGoto
}

type pendingGoto struct {
	line   int
	target string
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Parse reads one lesson file, with the built-in step kinds. A lesson
// with any problem is refused: the error is a Problems listing each as
// file:line: message.
func Parse(file string, data []byte) (*Lesson, error) { return parse(builtin, file, data) }

// ParseIn reads one lesson file as Parse does, and the images it names
// from dir in fsys (the lesson's folder).
func ParseIn(fsys fs.FS, dir, file string, data []byte) (*Lesson, error) {
	return builtin.ParseIn(fsys, dir, file, data)
}

// ParseFile reads one lesson or course file (a course lists lessons:
// where a lesson has steps:), with the built-in step kinds: one of the
// two comes back, or the Problems of the file. A course's lessons are not
// checked here: they are when its folder is loaded.
func ParseFile(file string, data []byte) (*Lesson, *Course, error) {
	return parseFile(builtin, file, data, nil, "")
}

func parse(kinds *Kinds, file string, data []byte) (*Lesson, error) {
	return kinds.ParseIn(nil, "", file, data)
}

// parseFile reads a lesson or a course; a lesson's images are read from
// dir in fsys, unless fsys is nil.
func parseFile(kinds *Kinds, file string, data []byte, fsys fs.FS, dir string) (*Lesson, *Course, error) {
	p := &parser{kinds: kinds, file: file}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		line, msg := 0, err.Error()
		if m := yamlLinePattern.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		// YAML names the line of the construct it was in, often lines
		// before the slip: the line shown is the one from which the file
		// cannot be read, however it goes on (slipLine).
		if slip := slipLine(data); slip > 0 {
			line = slip
		}
		switch text := lineOf(data, line); {
		case err.Error() == "EOF":
			line, msg = 1, "the file is empty"
		case unclosedQuote(data, line) == line:
			msg = `YAML syntax: a " opened on this line is not closed (YAML said: ` + msg + ")"
		case strings.Contains(text[:len(text)-len(strings.TrimLeft(text, " \t"))], "\t"):
			msg = "YAML syntax: a tab in this line's indentation; YAML indents with spaces (YAML said: " + msg + ")"
		default:
			msg = "YAML syntax: " + msg + " (check this line's quotes, colons and indentation against the lines above)"
		}
		return nil, nil, Problems{{File: file, Line: max(line, 1), Msg: msg}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errf(&extra, "a lesson file holds one lesson; found a second YAML document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	var (
		l *Lesson
		c *Course
	)
	switch {
	case hasKey(root, "lessons") && hasKey(root, "steps"):
		p.errf(root, "a file holds a lesson (steps:) or a course (lessons:), not both")
	case hasKey(root, "lessons"):
		p.isCourse = true
		c = p.course(root)
	default:
		l = p.lesson(root)
		p.readMedia(fsys, dir)
	}
	if len(p.problems) > 0 {
		slices.SortStableFunc(p.problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, nil, p.problems
	}
	if c != nil {
		c.File = file
		return nil, c, nil
	}
	l.File = file
	return l, nil, nil
}

func (p *parser) lesson(n *yaml.Node) *Lesson {
	l := &Lesson{Mode: ModeGroup, index: map[string]int{}}
	f := p.mapping(n, "lesson", "id", "title", "languages", "mode", "feedback", "close_when", "pass_mark", "certificate", "cpd_hours", "schedule", "steps")
	if f == nil {
		return l
	}
	// Languages first: texts are checked against them.
	if v := f["languages"]; v != nil {
		l.Languages = p.languages(v)
		p.langs = l.Languages
	}
	l.ID, l.Title = p.idAndTitle(n, f)
	if v := f["mode"]; v != nil {
		if mode, ok := p.str(v, "mode"); ok {
			if mode != ModeGroup && mode != ModeDirect {
				p.errf(v, "bad mode %q: use group or direct", mode)
			}
			l.Mode = mode
		}
	}
	p.mode = l.Mode
	l.Feedback = FeedbackSummary
	if v := f["feedback"]; v != nil {
		if fb, ok := p.str(v, "feedback"); ok {
			switch {
			case fb != FeedbackSummary && fb != FeedbackEach:
				p.errf(v, "bad feedback %q: use summary (each member's verdict to them alone, one summary in the group) or each (every verdict in the group)", fb)
			case l.Mode == ModeDirect:
				p.errf(v, "feedback is for group lessons; a one-to-one lesson always answers the member directly")
			}
			l.Feedback = fb
		}
	}
	if v := f["close_when"]; v != nil {
		l.CloseWhen = p.closeRule(v, l.Mode)
	}
	if v := f["pass_mark"]; v != nil {
		if pm, ok := p.number(v, "pass_mark"); ok {
			if pm < 0 || pm > 1 {
				p.errf(v, "pass_mark %v is not a fraction between 0 and 1", pm)
			}
			l.PassMark = pm
		}
	}
	if v := f["certificate"]; v != nil {
		if v.Kind != yaml.ScalarNode || (v.Value != "true" && v.Value != "false") {
			p.errf(v, "certificate must be true or false")
		}
		l.Certificate = v.Value == "true"
		if l.Certificate && l.PassMark == 0 {
			p.errf(v, "a lesson with a certificate needs pass_mark: the share of its points that earns it")
		}
	}
	if v := f["cpd_hours"]; v != nil {
		if h, ok := p.number(v, "cpd_hours"); ok {
			if h < 0 || h > 1000 || h != h {
				p.errf(v, "cpd_hours %v is not a number of hours between 0 and 1000", h)
			}
			if !l.Certificate {
				p.errf(v, "cpd_hours are printed on a certificate: add certificate: true")
			}
			l.CPDHours = h
		}
	}
	if v := f["schedule"]; v != nil {
		l.Schedule = p.schedule(v)
	}
	if v := f["steps"]; v == nil {
		p.errf(n, "missing steps")
	} else {
		l.Steps = p.steps(v, l)
	}
	return l
}

// closeRule reads close_when: {answered: 80%, quiet: 5m}.
func (p *parser) closeRule(n *yaml.Node, mode string) *CloseRule {
	if mode == ModeDirect {
		p.errf(n, "close_when is for group lessons: a one-to-one question closes when the member answers")
		return nil
	}
	f := p.mapping(n, "close_when", "answered", "quiet")
	if f == nil {
		return nil
	}
	r := &CloseRule{}
	if v := f["answered"]; v == nil {
		p.errf(n, "close_when needs answered: the share of the group, such as 80%%")
	} else {
		s := strings.TrimSpace(v.Value)
		pct := strings.HasSuffix(s, "%")
		x, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if pct {
			x /= 100
		}
		if err != nil || v.Kind != yaml.ScalarNode || x <= 0 || x > 1 {
			p.errf(v, "close_when answered %q is not a share of the group: write 80%% (or 0.8)", v.Value)
		}
		r.Answered = x
	}
	if v := f["quiet"]; v == nil {
		p.errf(n, "close_when needs quiet: how long without a new answer, such as 5m")
	} else if d, ok := p.duration(v, "close_when quiet"); ok {
		if d < time.Minute {
			p.errf(v, "close_when quiet %s is too short to let a group answer: give at least 1m", d)
		}
		r.Quiet = d
	}
	return r
}

func (p *parser) languages(n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errf(n, "languages must be a list of language codes, such as [en, fr]")
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range n.Content {
		s, ok := p.str(c, "language")
		if !ok {
			continue
		}
		code, known := bot.ParseLang(s)
		if !known || code != strings.ToLower(s) {
			p.errf(c, "unknown language %q: use a two-letter ISO 639 code such as en or fr", s)
			continue
		}
		if seen[code] {
			p.errf(c, "language %s is listed twice", code)
		}
		seen[code] = true
		out = append(out, code)
	}
	return out
}

func (p *parser) schedule(n *yaml.Node) *Schedule {
	f := p.mapping(n, "schedule", "at", "days")
	if f == nil {
		return nil
	}
	s := &Schedule{}
	if v := f["at"]; v == nil {
		p.errf(n, "schedule needs at, a time such as \"08:30\"")
	} else if at, ok := p.str(v, "at"); ok {
		if !clockPattern.MatchString(at) {
			p.errf(v, "bad time %q: use HH:MM, such as \"08:30\"", at)
		}
		s.At = at
	}
	if v := f["days"]; v != nil {
		if v.Kind != yaml.SequenceNode {
			p.errf(v, "days must be a list, such as [mon, wed, fri]")
		}
		for _, c := range v.Content {
			d, ok := p.str(c, "day")
			if !ok {
				continue
			}
			d = strings.ToLower(d)
			if !weekdays[d] {
				p.errf(c, "unknown day %q: use mon, tue, wed, thu, fri, sat or sun", d)
			}
			s.Days = append(s.Days, d)
		}
	}
	return s
}

func (p *parser) steps(n *yaml.Node, l *Lesson) []*Step {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "steps must be a list")
		return nil
	}
	if len(n.Content) == 0 {
		p.errf(n, "steps is empty: a lesson needs at least one step")
	}
	var steps []*Step
	lines := map[string]int{}
	for i, sn := range n.Content {
		st := p.step(sn, i)
		if st == nil {
			continue
		}
		if st.ID != "" {
			if first, dup := lines[st.ID]; dup {
				p.errf(sn, "duplicate step id %q (first at line %d)", st.ID, first)
			} else {
				lines[st.ID] = st.Line
				l.index[st.ID] = len(steps)
			}
		}
		steps = append(steps, st)
	}
	for _, g := range p.gotos {
		if _, ok := lines[g.target]; !ok {
			p.errf(&yaml.Node{Line: g.line}, "goto %q: no step has that id", g.target)
		}
	}
	return steps
}

func (p *parser) step(n *yaml.Node, i int) *Step {
	allowed := append([]string{"id", MediaImage, MediaAudio, MediaVideo, MediaDocument, "poster"}, p.kinds.names...)
	f := p.mapping(n, fmt.Sprintf("step %d", i+1), allowed...)
	if f == nil {
		return nil
	}
	st := &Step{Line: n.Line}
	var kinds []string
	for _, k := range p.kinds.names {
		if f[k] != nil {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		p.errf(n, "step %d does nothing: give it one of %s", i+1, p.kinds.list())
		return nil
	case 1:
	default:
		p.errf(n, "step %d has %s: one step does one thing", i+1, strings.Join(kinds, " and "))
		return nil
	}
	if v := f["id"]; v != nil {
		if id, ok := p.str(v, "step id"); ok {
			p.checkStepID(v, id)
			st.ID = id
		}
	}
	st.Kind = kinds[0]
	var media []string
	for _, kind := range []string{MediaImage, MediaAudio, MediaVideo, MediaDocument} {
		if v := f[kind]; v != nil {
			media = append(media, kind)
			if len(media) > 1 {
				p.errf(v, "step %d has %s: one file a step", i+1, strings.Join(media, " and "))
				continue
			}
			p.mediaKey(kind, v, st)
		}
	}
	if v := f["poster"]; v != nil {
		p.posterKey(v, st, f[MediaVideo] != nil && len(media) == 1)
	}
	st.body = p.kinds.parsers[st.Kind](p, f[st.Kind], st)
	if st.body == nil {
		return nil // its problems are reported
	}
	return st
}

func (p *parser) checkStepID(n *yaml.Node, id string) {
	if !stepIDPattern.MatchString(id) || len(id) > maxIDLen {
		p.errf(n, "bad step id %q: start with a letter; use lowercase letters, digits, - and _, at most %d characters", id, maxIDLen)
	}
}

// idAndTitle reads a lesson's or a course's id and title, which both
// must have.
func (p *parser) idAndTitle(n *yaml.Node, f map[string]*yaml.Node) (id string, title Text) {
	if v := f["id"]; v == nil {
		p.errf(n, "missing id")
	} else if s, ok := p.str(v, "id"); ok {
		if !lessonIDPattern.MatchString(s) || len(s) > maxIDLen {
			p.errf(v, "bad id %q: use lowercase letters, digits and dashes, at most %d characters", s, maxIDLen)
		}
		id = s
	}
	if v := f["title"]; v == nil {
		p.errf(n, "missing title")
	} else {
		title = p.text(v, "title")
	}
	return id, title
}

// kind is what the file holds: "lesson" or "course".
func (p *parser) kind() string {
	if p.isCourse {
		return "course"
	}
	return "lesson"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// IsProblems reports whether err lists lesson problems, and returns them.
func IsProblems(err error) (Problems, bool) {
	var ps Problems
	ok := errors.As(err, &ps)
	return ps, ok
}

// slipLine is the line from which data cannot be read as YAML however it
// goes on: the first of the lines whose every prefix of the file up to
// them fails to parse. A quote opened on one line and closed on a later
// one is no slip; a quote never closed is, on its line. 0 when data
// parses. Lesson files are short, so parsing each prefix costs little.
func slipLine(data []byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	slip := 0
	for k := len(lines); k >= 1; k-- {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n); err == nil {
			break
		}
		slip = k
	}
	return slip
}

// lineOf is line n of data (from 1), without its newline.
func lineOf(data []byte, n int) string {
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// unclosedQuote is the first line, up to a couple past near, holding an
// odd number of double quotes outside a comment (a quote opened and not
// closed on it); 0 for none.
func unclosedQuote(data []byte, near int) int {
	for i, line := range strings.Split(string(data), "\n") {
		if i+1 > near+2 {
			break
		}
		n, single := 0, false
		for j := 0; j < len(line); j++ {
			c := line[j]
			switch {
			case c == '\\' && n%2 == 1:
				j++ // an escape inside a double-quoted string
			case c == '\'' && n%2 == 0:
				single = !single
			case c == '"' && !single:
				n++
			case c == '#' && n%2 == 0 && !single && (j == 0 || line[j-1] == ' '):
				j = len(line) // a comment
			}
		}
		if n%2 == 1 {
			return i + 1
		}
	}
	return 0
}
