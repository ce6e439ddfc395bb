package flows

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/lessons"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the expected outputs in testdata")

// TestInvalidLessons parses each file in testdata/invalid and compares
// every problem, as file:line: message, with the .txt beside it.
func TestInvalidLessons(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(filepath.ToSlash(file), data)
			if l != nil {
				t.Fatal("a broken lesson was returned: it must be refused whole")
			}
			ps, ok := IsProblems(err)
			if !ok {
				t.Fatalf("error %v is not a list of problems", err)
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".txt", ps.Error()+"\n")
		})
	}
}

// TestEveryPlantedErrorKind checks that the every-kind fixture reports one
// problem of each kind the format promises, on the planted line.
func TestEveryPlantedErrorKind(t *testing.T) {
	data, _ := os.ReadFile("testdata/invalid/every-kind.yaml")
	_, err := Parse("every-kind.yaml", data)
	ps, _ := IsProblems(err)
	want := map[int]string{
		2:  "bad id",
		3:  "unknown language",
		6:  "unknown key",
		12: "out of range",
		13: "duplicate step id",
		15: "bad duration",
		17: "bad expression",
		19: "no step has that id",
		23: "known only in one-to-one lessons",
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for _, p := range ps {
		if !strings.Contains(p.Msg, want[p.Line]) || want[p.Line] == "" {
			t.Errorf("line %d: %q, want %q", p.Line, p.Msg, want[p.Line])
		}
	}
}

// TestSamplesValid checks every sample lesson and course against both the
// validator and the JSON Schema, that together the lessons use every step
// kind, and that the samples load as one library with a course.
func TestSamplesValid(t *testing.T) {
	schema := compileSchema(t)
	files, _ := filepath.Glob(filepath.Join("..", "lessons", "*.yaml"))
	if len(files) < 3 {
		t.Fatalf("want at least 3 sample lessons, found %d", len(files))
	}
	kinds := map[string]bool{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(yamlToJSON(t, data)); err != nil {
			t.Errorf("%s: schema: %v", file, err)
		}
		l, c, err := ParseFile(file, data)
		if err != nil {
			t.Errorf("validator: %v", err)
			continue
		}
		if c != nil {
			continue
		}
		if !(contains(l.Languages, "en") && contains(l.Languages, "fr")) {
			t.Errorf("%s: languages %v, want English and French", file, l.Languages)
		}
		for _, st := range l.Steps {
			kinds[st.Kind] = true
		}
	}
	lib, err := Load(lessons.FS, ".", "lessons")
	if err != nil || len(lib.Courses()) == 0 {
		t.Errorf("the samples load with %v, courses %d", err, len(lib.Courses()))
	}
	for _, k := range []string{"say", "quiz", "ask", "wait", "branch", "goto", "end", "discuss"} {
		if !kinds[k] {
			t.Errorf("no sample lesson uses %s", k)
		}
	}
}

// TestSchemaRefusesInvalid checks that the schema, too, refuses the broken
// fixtures that are well-formed YAML.
func TestSchemaRefusesInvalid(t *testing.T) {
	schema := compileSchema(t)
	for _, name := range []string{"every-kind.yaml", "structure.yaml"} {
		data, _ := os.ReadFile(filepath.Join("testdata", "invalid", name))
		if err := schema.Validate(yamlToJSON(t, data)); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := lessons.FS.ReadFile(lessons.SchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlToJSON converts a YAML document into the value the schema checks.
// Scalars stay as YAML 1.2 editors read them: a date such as 2027-01-11
// is a string, not a timestamp.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatal(err)
	}
	var retag func(*yaml.Node)
	retag = func(n *yaml.Node) {
		if n.Tag == "!!timestamp" {
			n.Tag = "!!str"
		}
		for _, c := range n.Content {
			retag(c)
		}
	}
	retag(&n)
	var v any
	if err := n.Decode(&v); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFeedbackKey: feedback takes summary or each, in group lessons only.
func TestFeedbackKey(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"mode: group\nfeedback: each", ""},
		{"mode: group\nfeedback: summary", ""},
		{"mode: group\nfeedback: loud", `4: bad feedback "loud"`},
		{"mode: direct\nfeedback: each", "4: feedback is for group lessons"},
	} {
		src := "id: x\ntitle: X\n" + tt.src + "\nsteps:\n  - say: hi\n"
		_, err := Parse("x.yaml", []byte(src))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.src, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want %q", tt.src, err, tt.want)
		}
	}
}

// TestCertificateKeys: certificate needs a pass mark; cpd_hours needs a
// certificate and a number of hours.
func TestCertificateKeys(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"pass_mark: 0.8\ncertificate: true\ncpd_hours: 1.5", ""},
		{"certificate: false", ""},
		{"certificate: true", "3: a lesson with a certificate needs pass_mark"},
		{"pass_mark: 0.8\ncertificate: yes please", "4: certificate must be true or false"},
		{"pass_mark: 0.8\ncpd_hours: 2", "4: cpd_hours are printed on a certificate"},
		{"pass_mark: 0.8\ncertificate: true\ncpd_hours: -1", "5: cpd_hours -1 is not a number of hours"},
	} {
		src := "id: x\ntitle: X\n" + tt.src + "\nsteps:\n  - say: hi\n"
		l, err := Parse("x.yaml", []byte(src))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.src, err)
		case tt.want == "" && l.Certificate != strings.Contains(tt.src, "certificate: true"):
			t.Errorf("%q: certificate %v", tt.src, l.Certificate)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want %q", tt.src, err, tt.want)
		}
	}
}

// TestCloseWhen: close_when takes a share of the group and a quiet time,
// in group lessons only.
func TestCloseWhen(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"mode: group\nclose_when: {answered: 80%, quiet: 5m}", ""},
		{"mode: group\nclose_when: {answered: 0.75, quiet: 10m}", ""},
		{"mode: group\nclose_when: {answered: 150%, quiet: 5m}", `answered "150%" is not a share`},
		{"mode: group\nclose_when: {answered: most, quiet: 5m}", `answered "most" is not a share`},
		{"mode: group\nclose_when: {answered: 80%, quiet: 10s}", "too short"},
		{"mode: group\nclose_when: {quiet: 5m}", "close_when needs answered"},
		{"mode: group\nclose_when: {answered: 80%}", "close_when needs quiet"},
		{"mode: direct\nclose_when: {answered: 80%, quiet: 5m}", "close_when is for group lessons"},
	} {
		src := "id: x\ntitle: X\n" + tt.src + "\nsteps:\n  - say: hi\n"
		l, err := Parse("x.yaml", []byte(src))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.src, err)
		case tt.want == "" && (l.CloseWhen == nil || l.CloseWhen.Answered <= 0 || l.CloseWhen.Quiet < time.Minute):
			t.Errorf("%q: rule %+v", tt.src, l.CloseWhen)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want %q", tt.src, err, tt.want)
		}
	}
}
