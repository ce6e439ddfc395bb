package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateCommand(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		fail  bool
		lines []string
	}{
		{"built-in samples", []string{"lessons", "validate"}, false, []string{"ok  (built-in)/hand-hygiene.yaml", "ok  (built-in)/malaria-rdt.yaml", "ok  (built-in)/pph-first-hour.yaml"}},
		{"a sample file", []string{"lessons", "validate", "../../lessons/pph-first-hour.yaml"}, false, []string{"pph-first-hour.yaml  pph-first-hour (11 steps, group)"}},
		{"every planted error", []string{"lessons", "validate", "../../flows/testdata/invalid/every-kind.yaml"}, true, []string{
			"every-kind.yaml:2: bad id", "every-kind.yaml:3: unknown language", "every-kind.yaml:6: unknown key",
			"every-kind.yaml:12: correct 3 is out of range", "every-kind.yaml:13: duplicate step id",
			"every-kind.yaml:15: wait: bad duration", "every-kind.yaml:17: bad expression", "every-kind.yaml:19: goto \"nowhere\"",
			"every-kind.yaml:23: answers is known only in one-to-one lessons", "9 problem(s)"}},
		{"a folder with a broken file", []string{"lessons", "validate", "../../flows/testdata/invalid"}, true, []string{"structure.yaml:3: bad mode"}},
		{"no such path", []string{"lessons", "validate", "nope.yaml"}, true, []string{"nope.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // no ./lessons: the built-in samples
			var out bytes.Buffer
			cmd := newRootCmd(&out, &out)
			args := tt.args
			for i, a := range args {
				if strings.HasPrefix(a, "../") {
					args[i] = filepath.Join(origWD, a)
				}
			}
			cmd.SetArgs(args)
			err := cmd.Execute()
			var exit exitError
			if tt.fail != (err != nil) || (err != nil && !errors.As(err, &exit)) {
				t.Errorf("err = %v, want failure %v\n%s", err, tt.fail, out.String())
			}
			for _, l := range tt.lines {
				if !strings.Contains(out.String(), l) {
					t.Errorf("output lacks %q:\n%s", l, out.String())
				}
			}
		})
	}
}

var origWD, _ = os.Getwd()

func TestVersionAndHelp(t *testing.T) {
	var out bytes.Buffer
	cmd := newRootCmd(&out, &out)
	cmd.SetArgs([]string{"version"})
	if err := cmd.Execute(); err != nil || !strings.HasPrefix(out.String(), "huddle ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	out.Reset()
	cmd = newRootCmd(&out, &out)
	cmd.SetArgs([]string{"--help"})
	cmd.Execute()
	for _, want := range []string{"run", "lessons", "version", "--config", "HUDDLE_"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
}
