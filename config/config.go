// Package config reads Huddle's configuration (built-in defaults, a YAML
// file, HUDDLE_* environment variables), names every mistake in it, and
// turns it into the App's options: what cmd/huddle runs on, and what a
// program that embeds Huddle may read the same way.
package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/redact"
	"github.com/spf13/viper"
)

// Config is Huddle's whole configuration; see config.example.yaml.
type Config struct {
	Database string `mapstructure:"database"`
	// Media is the folder of members' photos and voice notes on a
	// PostgreSQL database (beside a SQLite file otherwise).
	Media string `mapstructure:"media"`
	// Instance names this Huddle among several sharing one database (in
	// leases: one instance at a time holds a WhatsApp number's session);
	// the host's name when empty.
	Instance string `mapstructure:"instance"`
	// ChatLease is how long a chat's lease lasts unrenewed on a shared
	// (PostgreSQL) database: how long an instance's chats wait after it
	// dies.
	ChatLease time.Duration `mapstructure:"chat_lease"`
	// DatabaseWriters is how many transactions the instances sharing a
	// PostgreSQL database run at once, together.
	DatabaseWriters int    `mapstructure:"database_writers"`
	Lessons         string `mapstructure:"lessons"`
	// BuiltinLessons keeps the built-in sample lessons and course beside
	// the lessons folder's.
	BuiltinLessons bool       `mapstructure:"builtin_lessons"`
	Timezone       string     `mapstructure:"timezone"`
	Log            LogConfig  `mapstructure:"log"`
	HTTP           HTTPConfig `mapstructure:"http"`
	Channels       struct {
		Sim      SimConfig      `mapstructure:"sim"`
		Telegram TelegramConfig `mapstructure:"telegram"`
		WhatsApp WhatsAppConfig `mapstructure:"whatsapp"`
		SMS      SMSConfig      `mapstructure:"sms"`
	} `mapstructure:"channels"`
	Mentors   map[string][]string `mapstructure:"mentors"`
	Cases     CasesConfig         `mapstructure:"cases"`
	XAPI      XAPIConfig          `mapstructure:"xapi"`
	Privacy   PrivacyConfig       `mapstructure:"privacy"`
	Dashboard DashboardConfig     `mapstructure:"dashboard"`
	Learning  LearningConfig      `mapstructure:"learning"`
	// Certificates sets the CPD certificates.
	Certificates CertificatesConfig `mapstructure:"certificates"`
	// Staff are program staff as channel:id; they are told when a channel
	// goes down and may use staff commands.
	Staff []string `mapstructure:"staff"`

	// Notes are what Load noticed that is not an error but should be
	// said at start: HUDDLE_ variables that set nothing, a channel turned
	// on by its token.
	Notes []string `mapstructure:"-"`
}

// LogConfig sets logging.
type LogConfig struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

// HTTPConfig sets the simulator's and dashboard's server.
type HTTPConfig struct {
	Listen string `mapstructure:"listen"`
	Token  string `mapstructure:"token"`
}

// SimConfig sets the simulator.
type SimConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Remote lets the simulator answer beyond this machine (with the web
	// server's token); it answers on loopback only otherwise.
	Remote bool `mapstructure:"remote"`
}

// TelegramConfig sets the Telegram channel.
type TelegramConfig struct {
	Enabled       bool   `mapstructure:"enabled"`
	Token         string `mapstructure:"token"`
	APIEndpoint   string `mapstructure:"api_endpoint"`
	Mode          string `mapstructure:"mode"`
	WebhookURL    string `mapstructure:"webhook_url"`
	WebhookSecret string `mapstructure:"webhook_secret"`
	// Rate is the most messages a second sent to Telegram in all.
	Rate float64 `mapstructure:"rate"`
}

// CasesConfig sets case discussions and mentor escalation.
type CasesConfig struct {
	// DefaultQueue takes the cases of groups without a queue of their own.
	DefaultQueue string `mapstructure:"default_queue"`
	// GroupQueues maps "channel:chat id" to a queue.
	GroupQueues map[string]string `mapstructure:"group_queues"`
	// Capacity is the most unanswered cases a mentor holds at once.
	Capacity int `mapstructure:"capacity"`
	// ResponseTarget is how long a mentor has before a reminder.
	ResponseTarget time.Duration `mapstructure:"response_target"`
	// TemplateGroups share cases in the structured form ("*" for all).
	TemplateGroups []string `mapstructure:"template_groups"`
	// Topics opens a forum topic for each case in Telegram forum groups.
	Topics bool `mapstructure:"topics"`
	// Similar says where the answered cases offered under a new one come
	// from: "program" (every group of its language), "course" (the groups
	// that took a course with its group), "group", or "off".
	Similar string `mapstructure:"similar"`
}

// PrivacyConfig sets what Huddle asks of members and how long it keeps
// what they write.
type PrivacyConfig struct {
	Consent ConsentConfig `mapstructure:"consent"`
	// RetentionDays is how long message text and activity rows are kept;
	// 0 keeps them until members are forgotten.
	RetentionDays int `mapstructure:"retention_days"`
	// Pseudonyms shows members to each other and to mentors by their
	// pseudonym.
	Pseudonyms bool `mapstructure:"pseudonyms"`
	// StaffRealNames shows staff real names on the dashboard.
	StaffRealNames bool `mapstructure:"staff_real_names"`
}

// ConsentConfig sets the privacy notice members accept before anything
// about them is recorded.
type ConsentConfig struct {
	// Ask shows the notice; false only where members consented outside
	// Huddle.
	Ask bool `mapstructure:"ask"`
	// Version numbers the notice: raising it asks everyone again.
	Version int `mapstructure:"version"`
	// Notice is the program's own notice by language code.
	Notice map[string]string `mapstructure:"notice"`
}

// Secrets is the redaction step that knows every secret in c: the bot
// token, the webhook secret, the dashboard token and the passwords of the
// database and the xAPI store. Every log line, stored error and page
// passes it.
func (c Config) Secrets() *redact.Secrets {
	return redact.NewSecrets(c.Channels.Telegram.Token, c.Channels.Telegram.WebhookSecret, c.HTTP.Token,
		redact.PasswordOf(c.Database), redact.PasswordOf(c.Channels.WhatsApp.SessionDB), c.XAPI.Password,
		c.Channels.SMS.Twilio.AuthToken, c.Channels.SMS.AfricasTalking.APIKey, c.Channels.SMS.AfricasTalking.CallbackSecret,
		c.Channels.SMS.SMSGate.Password, c.Channels.SMS.SMSGate.SigningKey)
}

// notice returns the router's consent notice, nil when not asked.
func (c ConsentConfig) notice() *bot.ConsentNotice {
	if !c.Ask {
		return nil
	}
	text := make(map[string]string, len(c.Notice))
	for lang, t := range c.Notice {
		text[strings.ToLower(lang)] = strings.TrimSpace(t)
	}
	return &bot.ConsentNotice{Version: c.Version, Text: text}
}

// DashboardConfig sets the staff dashboard.
type DashboardConfig struct {
	// MaxDays is the longest period a page or file may cover.
	MaxDays int `mapstructure:"max_days"`
}

// XAPIConfig sets the xAPI export.
type XAPIConfig struct {
	// HomePage is the programme's address: actors and activities are
	// named under it.
	HomePage string `mapstructure:"home_page"`
	Endpoint string `mapstructure:"endpoint"`
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"`
	// SentLog remembers the statements the store accepted.
	SentLog string `mapstructure:"sent_log"`
}

// WhatsAppConfig sets the WhatsApp channel.
type WhatsAppConfig struct {
	Enabled   bool   `mapstructure:"enabled"`
	SessionDB string `mapstructure:"session_db"`
	PairPhone string `mapstructure:"pair_phone"`
	// Options is poll or numbered.
	Options string `mapstructure:"options"`
	// ChatGap is the least time between two messages to one chat.
	ChatGap time.Duration `mapstructure:"chat_gap"`
	// PerMinute is the most messages a minute in all.
	PerMinute float64 `mapstructure:"per_minute"`
	// Jitter is the most random time added to each gap.
	Jitter time.Duration `mapstructure:"jitter"`
	// LateAfter is the age past which a message is recorded but not acted
	// on.
	LateAfter time.Duration `mapstructure:"late_after"`
	// MaxAge is the age past which a queued message is given up.
	MaxAge time.Duration `mapstructure:"max_age"`
}

// defaults are the embedded defaults: enough to run the simulator with the
// built-in lessons on a fresh machine. Every key is listed so that each can
// be set from the environment.
var defaults = map[string]any{
	"database":                                    "./data/huddle.db",
	"media":                                       "./data/media",
	"instance":                                    "",
	"chat_lease":                                  "15s",
	"database_writers":                            16,
	"lessons":                                     "./lessons",
	"builtin_lessons":                             true,
	"timezone":                                    "Africa/Nairobi",
	"log.level":                                   "info",
	"log.format":                                  "text",
	"http.listen":                                 "127.0.0.1:8080",
	"http.token":                                  "",
	"channels.sim.enabled":                        true,
	"channels.sim.remote":                         false,
	"channels.telegram.enabled":                   false,
	"channels.telegram.token":                     "",
	"channels.telegram.api_endpoint":              "",
	"channels.telegram.mode":                      "polling",
	"channels.telegram.webhook_url":               "",
	"channels.telegram.webhook_secret":            "",
	"channels.telegram.rate":                      25.0,
	"channels.whatsapp.enabled":                   false,
	"channels.whatsapp.session_db":                "./data/whatsapp.db",
	"channels.whatsapp.pair_phone":                "",
	"channels.whatsapp.options":                   "poll",
	"channels.whatsapp.chat_gap":                  "2s",
	"channels.whatsapp.per_minute":                30.0,
	"channels.whatsapp.jitter":                    "1s",
	"channels.whatsapp.late_after":                "30m",
	"channels.whatsapp.max_age":                   "6h",
	"channels.sms.enabled":                        false,
	"channels.sms.gateway":                        "twilio",
	"channels.sms.twilio.account_sid":             "",
	"channels.sms.twilio.auth_token":              "",
	"channels.sms.twilio.from":                    "",
	"channels.sms.twilio.messaging_service":       "",
	"channels.sms.twilio.webhook_url":             "",
	"channels.sms.twilio.per_second":              1.0,
	"channels.sms.twilio.api":                     "https://api.twilio.com",
	"channels.sms.africastalking.username":        "",
	"channels.sms.africastalking.api_key":         "",
	"channels.sms.africastalking.from":            "",
	"channels.sms.africastalking.callback_secret": "",
	"channels.sms.africastalking.per_second":      10.0,
	"channels.sms.africastalking.api":             "https://api.africastalking.com",
	"channels.sms.smsgate.api":                    "https://api.sms-gate.app/3rdparty/v1",
	"channels.sms.smsgate.username":               "",
	"channels.sms.smsgate.password":               "",
	"channels.sms.smsgate.signing_key":            "",
	"channels.sms.smsgate.country":                "",
	"channels.sms.smsgate.per_second":             0.5,
	"channels.sms.cohorts":                        map[string]any{},
	"channels.sms.digest":                         "10m",
	"channels.sms.max_segments":                   3,
	"channels.sms.help":                           "",
	"channels.sms.open":                           false,
	"channels.sms.public_url":                     "",
	"channels.sms.costs":                          map[string]string{},
	"mentors":                                     map[string][]string{},
	"cases.default_queue":                         "",
	"cases.group_queues":                          map[string]string{},
	"cases.capacity":                              3,
	"cases.response_target":                       "24h",
	"cases.template_groups":                       []string{},
	"cases.topics":                                true,
	"cases.similar":                               "program",
	"xapi.home_page":                              "https://huddle.invalid",
	"xapi.endpoint":                               "",
	"xapi.username":                               "",
	"xapi.password":                               "",
	"xapi.sent_log":                               "./data/xapi-sent.log",
	"staff":                                       []string{},
	"privacy.consent.ask":                         true,
	"privacy.consent.version":                     1,
	"privacy.consent.notice":                      map[string]string{},
	"privacy.retention_days":                      365,
	"privacy.pseudonyms":                          true,
	"privacy.staff_real_names":                    false,
	"dashboard.max_days":                          731,
	"learning.review_per_day":                     3,
	"learning.nudge_after_days":                   14,
	"learning.quiet_hours":                        "21:00-07:00",
	"learning.remind_before":                      "1h",
	"certificates.program":                        "Huddle",
	"certificates.verify_url":                     "",
}

// Load reads defaults, then the config file (when given), then HUDDLE_*
// environment variables, and validates the result. db, when not empty,
// stands in for the configured database (a command's --db).
func Load(file, db string) (Config, error) {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("HUDDLE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if db != "" {
		v.Set("database", db)
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return Config{}, fmt.Errorf("config file %s does not exist", file)
			}
			return Config{}, fmt.Errorf("read config %s: %w", file, err)
		}
		// Every key that is no setting, at once, each at its line.
		unknown, err := unknownKeys(file)
		if err != nil {
			return Config{}, fmt.Errorf("read config %s: %w", file, err)
		}
		if len(unknown) > 0 {
			return Config{}, withEnv(errors.New(strings.Join(unknown, "\n")))
		}
	}
	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = false
		dc.WeaklyTypedInput = false
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(strictValue,
			mapstructure.StringToTimeDurationHookFunc(), mapstructure.StringToSliceHookFunc(","))
	})
	if err != nil {
		if des := decodeErrors(err); len(des) > 0 {
			problems := make([]error, len(des))
			for i, de := range des {
				key := de.Name()
				problems[i] = fmt.Errorf("config: %s %s (set it in the config file or as %s)", key, friendly(errors.Unwrap(de)), envName(key))
			}
			return cfg, withEnv(errors.Join(problems...))
		}
		return cfg, withEnv(fmt.Errorf("config: %w", err))
	}
	cfg.Notes = unknownEnv(os.Environ())
	// A Telegram token given, and the channel not switched either way:
	// the token says it is wanted.
	if tc := &cfg.Channels.Telegram; tc.Token != "" && !tc.Enabled && !v.InConfig("channels.telegram.enabled") {
		if _, set := os.LookupEnv(envName("channels.telegram.enabled")); !set {
			tc.Enabled = true
			cfg.Notes = append(cfg.Notes, "channels.telegram.token is set: the Telegram channel is on (set channels.telegram.enabled: false to keep it off)")
		}
	}
	if tc := cfg.Channels.Telegram; tc.Token != "" && !tc.Enabled {
		cfg.Notes = append(cfg.Notes, "channels.telegram.token is set but channels.telegram.enabled is false: Telegram is off")
	}
	if cfg.Certificates.VerifyURL == "" && !cfg.SimOnly() {
		cfg.Notes = append(cfg.Notes, "certificates.verify_url is not set: certificates print this machine's address ("+cfg.HTTP.Listen+
			"), which no one else can reach; set it to the web server's public address, such as https://huddle.example.org")
	}
	if err := cfg.validate(); err != nil {
		return cfg, withEnv(err)
	}
	return cfg, nil
}

// withEnv adds to err, a configuration's problems, the HUDDLE_ variables
// that set nothing: a misspelt one may be why a value is wrong, and each
// mistake is named at once.
func withEnv(err error) error {
	if notes := unknownEnv(os.Environ()); len(notes) > 0 {
		return fmt.Errorf("%w\n%s", err, strings.Join(notes, "\n"))
	}
	return err
}

// decodeErrors are the values mapstructure could not decode, every one
// of them (it joins them), in the order met.
func decodeErrors(err error) []*mapstructure.DecodeError {
	var out []*mapstructure.DecodeError
	var walk func(error)
	walk = func(err error) {
		if de, ok := err.(*mapstructure.DecodeError); ok {
			if inner := decodeErrors(de.Unwrap()); len(inner) > 0 {
				out = append(out, inner...)
			} else {
				out = append(out, de)
			}
			return
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := e.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// strictValue decodes configuration values strictly. Environment
// variables arrive as text, so text is parsed into the number, switch or
// duration a key takes; but a switch (true) is never a number, a number
// with a fraction (3.7) never a whole number, and a bare number never a
// duration (2 would be two nanoseconds). Whole numbers may stand for text
// (a phone number or a token written without quotes).
func strictValue(from, to reflect.Type, data any) (any, error) {
	dur := reflect.TypeOf(time.Duration(0))
	val := reflect.ValueOf(data)
	switch {
	case from.Kind() == reflect.String && to == dur:
		text := strings.TrimSpace(data.(string))
		d, err := time.ParseDuration(text)
		if err != nil {
			return nil, fmt.Errorf("is %q, not a duration: write it as a number and a unit, such as 30s, 10m, 24h or 1h30m (s, m and h)", text)
		}
		return d, nil
	case from.Kind() == reflect.String:
		s := strings.TrimSpace(data.(string))
		switch to.Kind() {
		case reflect.Bool:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, fmt.Errorf("is %q, not true or false", s)
			}
			return b, nil
		case reflect.Int, reflect.Int64, reflect.Int32:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("is %q, not a whole number", s)
			}
			return n, nil
		case reflect.Float64, reflect.Float32:
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("is %q, not a number", s)
			}
			return f, nil
		}
	case from.Kind() == reflect.Slice && to.Kind() != reflect.Slice && to.Kind() != reflect.Interface:
		return nil, fmt.Errorf("is a list, where %s is wanted", wanted(to))
	case from.Kind() == reflect.Map && to.Kind() != reflect.Map && to.Kind() != reflect.Struct && to.Kind() != reflect.Interface:
		return nil, fmt.Errorf("is a map of keys to values, where %s is wanted", wanted(to))
	case from.Kind() == reflect.Bool && to.Kind() != reflect.Bool && to.Kind() != reflect.Interface:
		return nil, fmt.Errorf("is %v, a switch, where %s is wanted", data, wanted(to))
	case isNumber(from.Kind()) && to == dur:
		return nil, fmt.Errorf("is %v without a unit: write it as 30s, 10m, 24h", data)
	case isNumber(from.Kind()) && to.Kind() == reflect.Bool:
		return nil, fmt.Errorf("is %v, where true or false is wanted", data)
	case (from.Kind() == reflect.Float64 || from.Kind() == reflect.Float32) && isWhole(to.Kind()):
		if f := val.Float(); f != math.Trunc(f) {
			return nil, fmt.Errorf("is %v, not a whole number", f)
		}
		return int64(val.Float()), nil
	case isWhole(from.Kind()) && to.Kind() == reflect.String:
		return strconv.FormatInt(val.Int(), 10), nil
	}
	return data, nil
}

func isWhole(k reflect.Kind) bool {
	return k == reflect.Int || k == reflect.Int64 || k == reflect.Int32 || k == reflect.Int16 || k == reflect.Int8
}

func isNumber(k reflect.Kind) bool {
	return isWhole(k) || k == reflect.Float64 || k == reflect.Float32 || (k >= reflect.Uint && k <= reflect.Uint64)
}

// wanted names a kind of value for a message.
func wanted(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return "a duration such as 24h"
	case isWhole(t.Kind()):
		return "a whole number"
	case isNumber(t.Kind()):
		return "a number"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Slice:
		return "a list"
	case t.Kind() == reflect.Map:
		return "a map of keys to values"
	}
	return "a " + t.Kind().String()
}

// friendly rewrites mapstructure's own messages for the value types it
// refuses by itself.
func friendly(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, "expected type '"); ok {
		typ, got, _ := strings.Cut(rest, "', got unconvertible type '")
		got = strings.TrimSuffix(got, "'")
		if i := strings.Index(got, "'"); i >= 0 {
			got = got[:i]
		}
		return fmt.Sprintf("is a %s value where %s is wanted", got, strings.Trim(typ, "'"))
	}
	return msg
}
