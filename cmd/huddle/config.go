package main

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/redact"
	"github.com/huddlebot/huddle/internal/websec"
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
	Lessons   string        `mapstructure:"lessons"`
	Timezone  string        `mapstructure:"timezone"`
	Log       LogConfig     `mapstructure:"log"`
	HTTP      HTTPConfig    `mapstructure:"http"`
	Channels  struct {
		Sim      SimConfig      `mapstructure:"sim"`
		Telegram TelegramConfig `mapstructure:"telegram"`
		WhatsApp WhatsAppConfig `mapstructure:"whatsapp"`
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

// secrets is the redaction step that knows every secret in c: the bot
// token, the webhook secret, the dashboard token and the passwords of the
// database and the xAPI store. Every log line, stored error and page
// passes it.
func (c Config) secrets() *redact.Secrets {
	return redact.NewSecrets(c.Channels.Telegram.Token, c.Channels.Telegram.WebhookSecret, c.HTTP.Token,
		redact.PasswordOf(c.Database), c.XAPI.Password)
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
	"database":                         "./data/huddle.db",
	"media":                            "./data/media",
	"instance":                         "",
	"chat_lease":                       "15s",
	"lessons":                          "./lessons",
	"timezone":                         "Africa/Nairobi",
	"log.level":                        "info",
	"log.format":                       "text",
	"http.listen":                      "127.0.0.1:8080",
	"http.token":                       "",
	"channels.sim.enabled":             true,
	"channels.sim.remote":              false,
	"channels.telegram.enabled":        false,
	"channels.telegram.token":          "",
	"channels.telegram.api_endpoint":   "",
	"channels.telegram.mode":           "polling",
	"channels.telegram.webhook_url":    "",
	"channels.telegram.webhook_secret": "",
	"channels.telegram.rate":           25.0,
	"channels.whatsapp.enabled":        false,
	"channels.whatsapp.session_db":     "./data/whatsapp.db",
	"channels.whatsapp.pair_phone":     "",
	"channels.whatsapp.options":        "poll",
	"channels.whatsapp.chat_gap":       "2s",
	"channels.whatsapp.per_minute":     30.0,
	"channels.whatsapp.jitter":         "1s",
	"channels.whatsapp.late_after":     "30m",
	"channels.whatsapp.max_age":        "6h",
	"mentors":                          map[string][]string{},
	"cases.default_queue":              "",
	"cases.group_queues":               map[string]string{},
	"cases.capacity":                   3,
	"cases.response_target":            "24h",
	"cases.template_groups":            []string{},
	"cases.topics":                     true,
	"xapi.home_page":                   "https://huddle.invalid",
	"xapi.endpoint":                    "",
	"xapi.username":                    "",
	"xapi.password":                    "",
	"xapi.sent_log":                    "./data/xapi-sent.log",
	"staff":                            []string{},
	"privacy.consent.ask":              true,
	"privacy.consent.version":          1,
	"privacy.consent.notice":           map[string]string{},
	"privacy.retention_days":           365,
	"privacy.pseudonyms":               true,
	"privacy.staff_real_names":         false,
	"dashboard.max_days":               731,
	"learning.review_per_day":          3,
	"learning.nudge_after_days":        14,
	"learning.quiet_hours":             "21:00-07:00",
	"learning.remind_before":           "1h",
	"certificates.program":             "Huddle",
	"certificates.verify_url":          "",
}

// loadConfig reads defaults, then the config file (when given), then
// HUDDLE_* environment variables, and validates the result.
func loadConfig(file string) (Config, error) { return loadConfigWith(file, "") }

// loadConfigWith is loadConfig with the database path given on the command
// line (--db) in place of the configured one, when not empty.
func loadConfigWith(file, db string) (Config, error) {
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
	}
	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = false
		dc.WeaklyTypedInput = false
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(strictValue,
			mapstructure.StringToTimeDurationHookFunc(), mapstructure.StringToSliceHookFunc(","))
	})
	if err != nil {
		var de *mapstructure.DecodeError
		if errors.As(err, &de) {
			key := de.Name()
			env := "HUDDLE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
			return cfg, fmt.Errorf("config: %s %s (set it in the config file or as %s)", key, friendly(errors.Unwrap(de)), env)
		}
		return cfg, fmt.Errorf("config: %w", err)
	}
	if file != "" {
		for _, k := range v.AllKeys() {
			if !known(k) {
				return cfg, fmt.Errorf("config %s: unknown key %s", file, k)
			}
		}
	}
	return cfg, cfg.validate()
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
		return data, nil // StringToTimeDurationHookFunc parses it
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

// known reports whether a key is part of the configuration.
func known(key string) bool {
	if _, ok := defaults[key]; ok {
		return true
	}
	return strings.HasPrefix(key, "mentors.") || strings.HasPrefix(key, "cases.group_queues.") ||
		strings.HasPrefix(key, "privacy.consent.notice.")
}

// validate checks every value, naming the key of the first bad one.
func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		env := "HUDDLE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		return fmt.Errorf("config: %s %s (set it in the config file or as %s)", key, fmt.Sprintf(format, args...), env)
	}
	if strings.TrimSpace(c.Database) == "" {
		return bad("database", "is empty: give the path of the SQLite file, or a postgres:// URL")
	}
	if c.ChatLease < time.Second {
		return bad("chat_lease", "is %s: give at least 1s, such as 15s", c.ChatLease)
	}
	if info, err := os.Stat(c.Lessons); err == nil && !info.IsDir() {
		return bad("lessons", "is %s, a file: give the folder that holds the lesson files (check one file with: huddle lessons validate %s)", c.Lessons, c.Lessons)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return bad("lessons", "%s cannot be read: %v", c.Lessons, err)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		return bad("timezone", "%q is not a known time zone, such as Africa/Nairobi", c.Timezone)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if c.HTTP.Listen != "" {
		host, port, err := net.SplitHostPort(c.HTTP.Listen)
		if err != nil || port == "" {
			return bad("http.listen", "%q is not host:port, such as 127.0.0.1:8080", c.HTTP.Listen)
		}
		if !websec.IsLoopback(host) && c.HTTP.Token == "" {
			return bad("http.token", "is required when http.listen (%s) is not a loopback address", c.HTTP.Listen)
		}
		if t := c.HTTP.Token; t != "" && (len(t) < websec.MinToken || strings.TrimSpace(t) != t) {
			return bad("http.token", "is too short: give at least %d characters, without spaces at either end (for example from: openssl rand -hex 16)", websec.MinToken)
		}
	}
	tg := c.Channels.Telegram
	if tg.Enabled {
		if tg.Token == "" {
			return bad("channels.telegram.token", "is required when Telegram is enabled: get one from @BotFather")
		}
		if tg.APIEndpoint != "" {
			if u, err := url.Parse(tg.APIEndpoint); err != nil || u.Host == "" {
				return bad("channels.telegram.api_endpoint", "%q is not a URL", tg.APIEndpoint)
			}
		}
		switch tg.Mode {
		case "polling":
		case "webhook":
			if u, err := url.Parse(tg.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
				return bad("channels.telegram.webhook_url", "%q must be an https:// URL Telegram can reach", tg.WebhookURL)
			}
			if len(tg.WebhookSecret) < 16 || !secretChars(tg.WebhookSecret) {
				return bad("channels.telegram.webhook_secret", "must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -")
			}
			if c.HTTP.Listen == "" {
				return bad("http.listen", "is required in webhook mode: the webhook is served there")
			}
		default:
			return bad("channels.telegram.mode", "%q is not polling or webhook", tg.Mode)
		}
		if tg.Rate <= 0 {
			return bad("channels.telegram.rate", "must be more than zero")
		}
	}
	if wa := c.Channels.WhatsApp; wa.Enabled {
		if strings.TrimSpace(wa.SessionDB) == "" {
			return bad("channels.whatsapp.session_db", "is empty: give the path of the WhatsApp session file")
		}
		if wa.Options != "poll" && wa.Options != "numbered" {
			return bad("channels.whatsapp.options", "%q is not poll or numbered", wa.Options)
		}
		if wa.PairPhone != "" && !phoneNumber(wa.PairPhone) {
			return bad("channels.whatsapp.pair_phone", "%q is not a phone number in international form, such as +254700000000", wa.PairPhone)
		}
		if wa.ChatGap < time.Second {
			return bad("channels.whatsapp.chat_gap", "is %s: below 1s the account looks like a spammer", wa.ChatGap)
		}
		if wa.PerMinute <= 0 || wa.PerMinute > 60 {
			return bad("channels.whatsapp.per_minute", "is %g: give 1 to 60 messages a minute", wa.PerMinute)
		}
		if wa.Jitter < 0 {
			return bad("channels.whatsapp.jitter", "must not be negative")
		}
		if wa.LateAfter < time.Minute {
			return bad("channels.whatsapp.late_after", "is %s: give at least 1m", wa.LateAfter)
		}
		if wa.MaxAge < 10*time.Minute {
			return bad("channels.whatsapp.max_age", "is %s: give at least 10m, such as 6h", wa.MaxAge)
		}
	}
	if !c.Channels.Sim.Enabled && !tg.Enabled && !c.Channels.WhatsApp.Enabled {
		return bad("channels", "enable none: turn on channels.sim, channels.telegram or channels.whatsapp")
	}
	if c.Learning.ReviewPerDay < 1 {
		return bad("learning.review_per_day", "is %d: give at least 1", c.Learning.ReviewPerDay)
	}
	if c.Learning.NudgeAfterDays < 0 {
		return bad("learning.nudge_after_days", "is %d: give a number of days, or 0 for no nudges", c.Learning.NudgeAfterDays)
	}
	if c.Learning.RemindBefore < 0 {
		return bad("learning.remind_before", "is %s: give a duration such as 1h, or 0 for no reminders", c.Learning.RemindBefore)
	}
	if _, err := c.Learning.quiet(); err != nil {
		return bad("learning.quiet_hours", "%s", err.Error())
	}
	if u := c.Certificates.VerifyURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return bad("certificates.verify_url", "%q must be the http:// or https:// address of Huddle's web server", u)
	}
	if c.Privacy.RetentionDays < 0 {
		return bad("privacy.retention_days", "is %d: give a number of days, or 0 to keep everything", c.Privacy.RetentionDays)
	}
	if c.Privacy.Consent.Version < 1 {
		return bad("privacy.consent.version", "is %d: number notices from 1", c.Privacy.Consent.Version)
	}
	for lang := range c.Privacy.Consent.Notice {
		if _, ok := bot.ParseLang(lang); !ok {
			return bad("privacy.consent.notice", "has %q, which is not a language code such as en or fr", lang)
		}
	}
	if c.Dashboard.MaxDays < 1 {
		return bad("dashboard.max_days", "is %d: give the longest period in days the dashboard may show, such as 731", c.Dashboard.MaxDays)
	}
	if c.Cases.Capacity < 1 {
		return bad("cases.capacity", "is %d: a mentor must be able to hold at least one case", c.Cases.Capacity)
	}
	if c.Cases.ResponseTarget < time.Minute {
		return bad("cases.response_target", "is %s: give at least 1m, such as 24h", c.Cases.ResponseTarget)
	}
	if q := c.Cases.DefaultQueue; q != "" {
		if _, ok := c.Mentors[q]; !ok {
			return bad("cases.default_queue", "%q is not a queue under mentors", q)
		}
	}
	for chat, q := range c.Cases.GroupQueues {
		if _, ok := c.Mentors[q]; !ok {
			return bad("cases.group_queues."+chat, "%q is not a queue under mentors", q)
		}
		if ch, id, ok := strings.Cut(chat, ":"); !ok || ch == "" || id == "" {
			return bad("cases.group_queues", "has %q: write channel:chat id, such as telegram:-1001234567890", chat)
		}
	}
	if u, err := url.Parse(c.XAPI.HomePage); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("xapi.home_page", "%q is not an http(s) URL, such as https://nurses.example.org", c.XAPI.HomePage)
	}
	if e := c.XAPI.Endpoint; e != "" {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("xapi.endpoint", "%q is not an http(s) URL", e)
		}
	}
	for _, g := range c.Cases.TemplateGroups {
		if ch, id, ok := strings.Cut(g, ":"); g != "*" && (!ok || ch == "" || id == "") {
			return bad("cases.template_groups", "has %q: write channel:chat id, or * for every group", g)
		}
	}
	for _, s := range c.Staff {
		if _, err := bot.ParseStaffRef(s); err != nil {
			return bad("staff", "has %q: write channel:id, such as telegram:123456789 or whatsapp:254700000000", s)
		}
	}
	for queue, ids := range c.Mentors {
		for _, id := range ids {
			ch, rest, ok := strings.Cut(id, ":")
			if !ok || rest == "" || (ch != "telegram" && ch != "whatsapp" && ch != "sim") {
				return bad("mentors."+queue, "has %q: write channel:id, such as telegram:123456789", id)
			}
		}
	}
	return nil
}

// phoneNumber reports whether s is a phone number in international form.
func phoneNumber(s string) bool {
	s = strings.ReplaceAll(strings.TrimPrefix(s, "+"), " ", "")
	return len(s) >= 7 && len(s) <= 15 && strings.Trim(s, "0123456789") == ""
}

func secretChars(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
