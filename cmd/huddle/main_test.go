package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		wantErr string // empty: valid
	}{
		{"defaults", "", nil, ""},
		{"example file", "../../config.example.yaml", nil, ""},
		{"missing token", "testdata/bad.yaml", nil, "channels.telegram.token is required"},
		{"token from the environment", "testdata/bad.yaml", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_TOKEN": "1:x"}, ""},
		{"unknown key", "testdata/unknown-key.yaml", nil, "unknown key databse"},
		{"missing file", "testdata/nope.yaml", nil, "does not exist"},
		{"bad timezone", "", map[string]string{"HUDDLE_TIMEZONE": "Mars/Olympus"}, "timezone"},
		{"no review a day", "", map[string]string{"HUDDLE_LEARNING_REVIEW_PER_DAY": "0"}, "learning.review_per_day"},
		{"nudges after negative days", "", map[string]string{"HUDDLE_LEARNING_NUDGE_AFTER_DAYS": "-3"}, "learning.nudge_after_days"},
		{"public without token", "", map[string]string{"HUDDLE_HTTP_LISTEN": "0.0.0.0:8080"}, "http.token is required"},
		{"public with token", "", map[string]string{"HUDDLE_HTTP_LISTEN": "0.0.0.0:8080", "HUDDLE_HTTP_TOKEN": "t0k3n-of-staff-0001"}, ""},
		{"short token", "", map[string]string{"HUDDLE_HTTP_LISTEN": "0.0.0.0:8080", "HUDDLE_HTTP_TOKEN": "t0k3n"}, "http.token is too short"},
		{"bad mode", "", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_ENABLED": "true", "HUDDLE_CHANNELS_TELEGRAM_TOKEN": "1:x", "HUDDLE_CHANNELS_TELEGRAM_MODE": "pigeon"}, "channels.telegram.mode"},
		{"webhook needs https", "", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_ENABLED": "true", "HUDDLE_CHANNELS_TELEGRAM_TOKEN": "1:x", "HUDDLE_CHANNELS_TELEGRAM_MODE": "webhook", "HUDDLE_CHANNELS_TELEGRAM_WEBHOOK_URL": "http://x"}, "webhook_url"},
		{"no channel", "", map[string]string{"HUDDLE_CHANNELS_SIM_ENABLED": "false"}, "enable none"},
		{"bad log level", "", map[string]string{"HUDDLE_LOG_LEVEL": "loud"}, "log.level"},
		// Strict types: from a file (yaml:…) or the environment.
		{"a switch for days", "yaml:privacy:\n  retention_days: true\n", nil, "privacy.retention_days is true, a switch, where a whole number is wanted"},
		{"a fraction for a count", "yaml:cases:\n  capacity: 3.7\n", nil, "cases.capacity is 3.7, not a whole number"},
		{"a whole float is fine", "yaml:cases:\n  capacity: 4.0\n", nil, ""},
		{"text for a rate", "yaml:channels:\n  telegram:\n    rate: fast\n", nil, `channels.telegram.rate is "fast", not a number`},
		{"a number for a switch", "yaml:channels:\n  sim:\n    enabled: 1\n", nil, "channels.sim.enabled is 1, where true or false is wanted"},
		{"a duration without a unit", "yaml:channels:\n  whatsapp:\n    chat_gap: 2\n", nil, "channels.whatsapp.chat_gap is 2 without a unit"},
		{"a list for text", "yaml:timezone: [a, b]\n", nil, "timezone is a list, where text is wanted"},
		{"a phone number without quotes", "yaml:channels:\n  whatsapp:\n    pair_phone: 254700000000\n", nil, ""},
		{"env: a switch for days", "", map[string]string{"HUDDLE_PRIVACY_RETENTION_DAYS": "true"}, `privacy.retention_days is "true", not a whole number (set it in the config file or as HUDDLE_PRIVACY_RETENTION_DAYS)`},
		{"env: a fraction", "", map[string]string{"HUDDLE_CASES_CAPACITY": "3.7"}, `cases.capacity is "3.7", not a whole number`},
		{"env: yes for a switch", "", map[string]string{"HUDDLE_CHANNELS_SIM_ENABLED": "yes"}, `channels.sim.enabled is "yes", not true or false`},
		{"env: numbers and switches", "", map[string]string{"HUDDLE_CASES_CAPACITY": "5", "HUDDLE_PRIVACY_PSEUDONYMS": "false", "HUDDLE_CHANNELS_TELEGRAM_RATE": "12.5"}, ""},
		{"lessons is a file", "", map[string]string{"HUDDLE_LESSONS": "../../lessons/hand-hygiene.yaml"}, "lessons is ../../lessons/hand-hygiene.yaml, a file: give the folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if text, ok := strings.CutPrefix(tt.file, "yaml:"); ok {
				tt.file = filepath.Join(t.TempDir(), "huddle.yaml")
				if err := os.WriteFile(tt.file, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := loadConfig(tt.file)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}

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

// TestLoggerMasksNumbers: the logger huddle runs with masks phone numbers
// in what any package logs at info level and above, in both formats, and
// keeps them in debug lines.
func TestLoggerMasksNumbers(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		log := newLogger(LogConfig{Level: "debug", Format: format}, nil, &buf)
		err := errors.New("send to 254722123456@s.whatsapp.net: websocket closed")
		log.Warn("send failed; will retry", "err", err, "chat", "254733222333@s.whatsapp.net")
		if out := buf.String(); strings.Contains(out, "254722123456") || strings.Contains(out, "254733222333") ||
			!strings.Contains(out, "[number]@s.whatsapp.net") {
			t.Errorf("%s: the warning reads %s", format, out)
		}
		buf.Reset()
		log.Debug("frame", "from", "254722123456@s.whatsapp.net")
		if !strings.Contains(buf.String(), "254722123456") {
			t.Errorf("%s: the debug line reads %s", format, buf.String())
		}
	}
}
