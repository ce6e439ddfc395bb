package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
		{"example file", "../config.example.yaml", nil, ""},
		{"missing token", "testdata/bad.yaml", nil, "channels.telegram.token is required"},
		{"token from the environment", "testdata/bad.yaml", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_TOKEN": "1:x"}, ""},
		{"unknown key", "testdata/unknown-key.yaml", nil, "unknown-key.yaml:1: databse: unknown key; did you mean database?"},
		{"three misspelt keys", "testdata/misspelt.yaml", nil, "misspelt.yaml:3: dashbord: unknown key; did you mean dashboard?\n" +
			"testdata/misspelt.yaml:7: channels.telegram.tokn: unknown key; did you mean channels.telegram.token?\n" +
			"testdata/misspelt.yaml:9: privacy.retention: unknown key; did you mean privacy.retention_days?"},
		{"a malformed token", "", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_ENABLED": "true", "HUDDLE_CHANNELS_TELEGRAM_TOKEN": "hello"}, "channels.telegram.token is not a bot token"},
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
		{"similar cases from nowhere", "", map[string]string{"HUDDLE_CASES_SIMILAR": "everywhere"}, `cases.similar is "everywhere": give program, course, group or off`},
		{"similar cases within a course", "", map[string]string{"HUDDLE_CASES_SIMILAR": "course"}, ""},
		{"an SMS phone", "testdata/sms.yaml", nil, ""},
		{"an SMS gateway unknown", "testdata/sms.yaml", map[string]string{"HUDDLE_CHANNELS_SMS_GATEWAY": "pigeon"}, `channels.sms.gateway is "pigeon": give twilio, africastalking or smsgate`},
		{"an SMS country without its +", "testdata/sms.yaml", map[string]string{"HUDDLE_CHANNELS_SMS_SMSGATE_COUNTRY": "254"}, `channels.sms.smsgate.country "254" is not a calling code such as +254`},
		{"an SMS phone without its key", "testdata/sms.yaml", map[string]string{"HUDDLE_CHANNELS_SMS_SMSGATE_SIGNING_KEY": "short"}, "channels.sms.smsgate.signing_key is required"},
		{"an SMS number in two cohorts", "testdata/sms-twice.yaml", nil, "in cohort ward-7-sms too: a number is in one cohort"},
		{"a Twilio webhook over http", "testdata/sms.yaml", map[string]string{"HUDDLE_CHANNELS_SMS_GATEWAY": "twilio",
			"HUDDLE_CHANNELS_SMS_TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "HUDDLE_CHANNELS_SMS_TWILIO_AUTH_TOKEN": "t",
			"HUDDLE_CHANNELS_SMS_TWILIO_FROM": "+15005550006", "HUDDLE_CHANNELS_SMS_TWILIO_WEBHOOK_URL": "http://huddle.example.org/sms/twilio"}, "channels.sms.twilio.webhook_url"},
		{"too few database writers", "", map[string]string{"HUDDLE_DATABASE_WRITERS": "0"}, "database_writers is 0: give a number from 1 to 1000"},
		// Strict types: from a file (yaml:…) or the environment.
		{"a switch for days", "yaml:privacy:\n  retention_days: true\n", nil, "privacy.retention_days is true, a switch, where a whole number is wanted"},
		{"a fraction for a count", "yaml:cases:\n  capacity: 3.7\n", nil, "cases.capacity is 3.7, not a whole number"},
		{"a whole float is fine", "yaml:cases:\n  capacity: 4.0\n", nil, ""},
		{"text for a rate", "yaml:channels:\n  telegram:\n    rate: fast\n", nil, `channels.telegram.rate is "fast", not a number`},
		{"a number for a switch", "yaml:channels:\n  sim:\n    enabled: 1\n", nil, "channels.sim.enabled is 1, where true or false is wanted"},
		{"a duration without a unit", "yaml:channels:\n  whatsapp:\n    chat_gap: 2\n", nil, "channels.whatsapp.chat_gap is 2 without a unit"},
		{"a duration in words", "yaml:channels:\n  whatsapp:\n    chat_gap: 2 hours\n", nil, `channels.whatsapp.chat_gap is "2 hours", not a duration: write it as a number and a unit, such as 30s, 10m, 24h or 1h30m`},
		{"a duration in days", "", map[string]string{"HUDDLE_CASES_RESPONSE_TARGET": "1d"}, `cases.response_target is "1d", not a duration`},
		{"a list for text", "yaml:timezone: [a, b]\n", nil, "timezone is a list, where text is wanted"},
		{"a phone number without quotes", "yaml:channels:\n  whatsapp:\n    pair_phone: 254700000000\n", nil, ""},
		{"env: a switch for days", "", map[string]string{"HUDDLE_PRIVACY_RETENTION_DAYS": "true"}, `privacy.retention_days is "true", not a whole number (set it in the config file or as HUDDLE_PRIVACY_RETENTION_DAYS)`},
		{"env: a fraction", "", map[string]string{"HUDDLE_CASES_CAPACITY": "3.7"}, `cases.capacity is "3.7", not a whole number`},
		{"env: yes for a switch", "", map[string]string{"HUDDLE_CHANNELS_SIM_ENABLED": "yes"}, `channels.sim.enabled is "yes", not true or false`},
		{"env: numbers and switches", "", map[string]string{"HUDDLE_CASES_CAPACITY": "5", "HUDDLE_PRIVACY_PSEUDONYMS": "false", "HUDDLE_CHANNELS_TELEGRAM_RATE": "12.5"}, ""},
		{"lessons is a file", "", map[string]string{"HUDDLE_LESSONS": "../lessons/hand-hygiene.yaml"}, "lessons is ../lessons/hand-hygiene.yaml, a file: give the folder"},
		// Every mistake at once: each bad value, and the variable that
		// sets nothing, not only the first.
		{"two values that do not decode", "yaml:channels:\n  telegram:\n    rate: fast\nprivacy:\n  retention_days: 30 days\n",
			map[string]string{"HUDDLE_CHANELS_SIM_ENABLED": "true"},
			`config: channels.telegram.rate is "fast", not a number (set it in the config file or as HUDDLE_CHANNELS_TELEGRAM_RATE)` + "\n" +
				`config: privacy.retention_days is "30 days", not a whole number (set it in the config file or as HUDDLE_PRIVACY_RETENTION_DAYS)` + "\n" +
				"HUDDLE_CHANELS_SIM_ENABLED sets nothing; did you mean HUDDLE_CHANNELS_SIM_ENABLED?"},
		{"three bad values", "yaml:log:\n  level: loud\nchannels:\n  telegram:\n    token: hello\nprivacy:\n  retention_days: -3\n", nil,
			`config: log.level "loud" is not one of debug, info, warn, error (set it in the config file or as HUDDLE_LOG_LEVEL)` + "\n" +
				"config: channels.telegram.token is not a bot token" + ": @BotFather gives one such as 123456789:AAE…, digits, a colon, then letters, digits, - and _ (set it in the config file or as HUDDLE_CHANNELS_TELEGRAM_TOKEN)\n" +
				"config: privacy.retention_days is -3: give a number of days, or 0 to keep everything (set it in the config file or as HUDDLE_PRIVACY_RETENTION_DAYS)"},
		{"misspelt keys and a variable", "testdata/misspelt.yaml", map[string]string{"HUDDLE_DASHBORD_MAX_DAYS": "9"},
			"did you mean privacy.retention_days?\nHUDDLE_DASHBORD_MAX_DAYS sets nothing; did you mean HUDDLE_DASHBOARD_MAX_DAYS?"},
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
			_, err := Load(tt.file, "")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}

// TestLoggerMasksNumbers: the logger huddle runs with masks phone numbers
// in what any package logs at info level and above, in both formats, and
// keeps them in debug lines.
func TestLoggerMasksNumbers(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		log := LogConfig{Level: "debug", Format: format}.Logger(nil, &buf)
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

// TestNotes: what Load says at start besides errors: a HUDDLE_ variable
// that sets nothing, with the one meant; a Telegram token that turns the
// channel on, unless the configuration keeps it off, which is said too.
func TestNotes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		want     []string
		telegram bool
	}{
		{"a misspelt variable", map[string]string{"HUDDLE_DASHBORD_MAX_DAYS": "30"}, []string{"HUDDLE_DASHBORD_MAX_DAYS sets nothing; did you mean HUDDLE_DASHBOARD_MAX_DAYS?"}, false},
		{"the tests' own", map[string]string{"HUDDLE_TEST_POSTGRES": "1", "HUDDLE_CONFIG": "x.yaml"}, nil, false},
		{"a token alone", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_TOKEN": "123:abc"}, []string{"the Telegram channel is on", "certificates.verify_url is not set"}, true},
		{"a token and an address", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_TOKEN": "123:abc", "HUDDLE_CERTIFICATES_VERIFY_URL": "https://h.example.org"}, []string{"the Telegram channel is on"}, true},
		{"a token kept off", map[string]string{"HUDDLE_CHANNELS_TELEGRAM_TOKEN": "123:abc", "HUDDLE_CHANNELS_TELEGRAM_ENABLED": "false"}, []string{"Telegram is off"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cfg, err := Load("", "")
			if err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(cfg.Notes, "\n")
			for _, w := range tc.want {
				if !strings.Contains(notes, w) {
					t.Errorf("notes %q lack %q", cfg.Notes, w)
				}
			}
			if tc.want == nil && len(cfg.Notes) != 0 {
				t.Errorf("notes %q, want none", cfg.Notes)
			}
			if cfg.Channels.Telegram.Enabled != tc.telegram {
				t.Errorf("Telegram enabled: %v, want %v", cfg.Channels.Telegram.Enabled, tc.telegram)
			}
		})
	}
}

// TestReferenceComplete: the configuration reference (docs) and the
// example file name every key there is, and no key that is not.
func TestReferenceComplete(t *testing.T) {
	page, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	for key := range defaults {
		if !strings.Contains(string(page), "| `"+key+"` |") {
			t.Errorf("docs/configuration.md does not describe %s", key)
		}
	}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\|").FindAllStringSubmatch(string(page), -1) {
		if !known(m[1]) && !section(m[1]) && !slices.Contains(openMaps, m[1]) {
			t.Errorf("docs/configuration.md describes %s, which is no setting", m[1])
		}
	}
}
