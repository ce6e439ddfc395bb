package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/websec"
)

// validate checks every value and names every bad one at once, each key
// once (its first problem), so that a config is mended in one go.
func (c *Config) validate() error {
	var problems []error
	said := map[string]bool{}
	bad := func(key, format string, args ...any) error {
		err := fmt.Errorf("config: %s %s (set it in the config file or as %s)", key, fmt.Sprintf(format, args...), envName(key))
		if !said[key] {
			said[key] = true
			problems = append(problems, err)
		}
		return err
	}
	if strings.TrimSpace(c.Database) == "" {
		bad("database", "is empty: give the path of the SQLite file, or a postgres:// URL")
	}
	if c.ChatLease < time.Second {
		bad("chat_lease", "is %s: give at least 1s, such as 15s", c.ChatLease)
	}
	if c.DatabaseWriters < 1 || c.DatabaseWriters > 1000 {
		bad("database_writers", "is %d: give a number from 1 to 1000, such as 16", c.DatabaseWriters)
	}
	if info, err := os.Stat(c.Lessons); err == nil && !info.IsDir() {
		bad("lessons", "is %s, a file: give the folder that holds the lesson files (check one file with: huddle lessons validate %s)", c.Lessons, c.Lessons)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		bad("lessons", "%s cannot be read: %v", c.Lessons, err)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		bad("timezone", "%q is not a known time zone, such as Africa/Nairobi", c.Timezone)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if c.HTTP.Listen != "" {
		host, port, err := net.SplitHostPort(c.HTTP.Listen)
		if err != nil || port == "" {
			bad("http.listen", "%q is not host:port, such as 127.0.0.1:8080", c.HTTP.Listen)
		} else if !websec.IsLoopback(host) && c.HTTP.Token == "" {
			bad("http.token", "is required when http.listen (%s) is not a loopback address", c.HTTP.Listen)
		}
		if t := c.HTTP.Token; t != "" && (len(t) < websec.MinToken || strings.TrimSpace(t) != t) {
			bad("http.token", "is too short: give at least %d characters, without spaces at either end (for example from: openssl rand -hex 16)", websec.MinToken)
		}
	}
	tg := c.Channels.Telegram
	if tg.Enabled {
		if tg.Token == "" {
			bad("channels.telegram.token", "is required when Telegram is enabled: get one from @BotFather")
		}
		if !botToken.MatchString(tg.Token) {
			// The value is a secret: it is not repeated.
			bad("channels.telegram.token", "is not a bot token: @BotFather gives one such as 123456789:AAE…, digits, a colon, then letters, digits, - and _")
		}
		if tg.APIEndpoint != "" {
			if u, err := url.Parse(tg.APIEndpoint); err != nil || u.Host == "" {
				bad("channels.telegram.api_endpoint", "%q is not a URL", tg.APIEndpoint)
			}
		}
		switch tg.Mode {
		case "polling":
		case "webhook":
			if u, err := url.Parse(tg.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
				bad("channels.telegram.webhook_url", "%q must be an https:// URL Telegram can reach", tg.WebhookURL)
			}
			if len(tg.WebhookSecret) < 16 || !secretChars(tg.WebhookSecret) {
				bad("channels.telegram.webhook_secret", "must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -")
			}
			if c.HTTP.Listen == "" {
				bad("http.listen", "is required in webhook mode: the webhook is served there")
			}
		default:
			bad("channels.telegram.mode", "%q is not polling or webhook", tg.Mode)
		}
		if tg.Rate <= 0 {
			bad("channels.telegram.rate", "must be more than zero")
		}
	}
	if wa := c.Channels.WhatsApp; wa.Enabled {
		if strings.TrimSpace(wa.SessionDB) == "" {
			bad("channels.whatsapp.session_db", "is empty: give the path of the WhatsApp session file")
		}
		if wa.Options != "poll" && wa.Options != "numbered" {
			bad("channels.whatsapp.options", "%q is not poll or numbered", wa.Options)
		}
		if wa.PairPhone != "" && !PhoneNumber(wa.PairPhone) {
			bad("channels.whatsapp.pair_phone", "%q is not a phone number in international form, such as +254700000000", wa.PairPhone)
		}
		if wa.ChatGap < time.Second {
			bad("channels.whatsapp.chat_gap", "is %s: below 1s the account looks like a spammer", wa.ChatGap)
		}
		if wa.PerMinute <= 0 || wa.PerMinute > 60 {
			bad("channels.whatsapp.per_minute", "is %g: give 1 to 60 messages a minute", wa.PerMinute)
		}
		if wa.Jitter < 0 {
			bad("channels.whatsapp.jitter", "must not be negative")
		}
		if wa.LateAfter < time.Minute {
			bad("channels.whatsapp.late_after", "is %s: give at least 1m", wa.LateAfter)
		}
		if wa.MaxAge < 10*time.Minute {
			bad("channels.whatsapp.max_age", "is %s: give at least 10m, such as 6h", wa.MaxAge)
		}
	}
	c.Channels.SMS.validate(bad)
	if !c.Channels.Sim.Enabled && !tg.Enabled && !c.Channels.WhatsApp.Enabled && !c.Channels.SMS.Enabled {
		bad("channels", "enable none: turn on channels.sim, channels.telegram, channels.whatsapp or channels.sms")
	}
	if c.Learning.ReviewPerDay < 1 {
		bad("learning.review_per_day", "is %d: give at least 1", c.Learning.ReviewPerDay)
	}
	if c.Learning.NudgeAfterDays < 0 {
		bad("learning.nudge_after_days", "is %d: give a number of days, or 0 for no nudges", c.Learning.NudgeAfterDays)
	}
	if c.Learning.RemindBefore < 0 {
		bad("learning.remind_before", "is %s: give a duration such as 1h, or 0 for no reminders", c.Learning.RemindBefore)
	}
	if _, err := c.Learning.quiet(); err != nil {
		bad("learning.quiet_hours", "%s", err.Error())
	}
	if u := c.Certificates.VerifyURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		bad("certificates.verify_url", "%q must be the http:// or https:// address of Huddle's web server", u)
	}
	if c.Privacy.RetentionDays < 0 {
		bad("privacy.retention_days", "is %d: give a number of days, or 0 to keep everything", c.Privacy.RetentionDays)
	}
	if c.Privacy.Consent.Version < 1 {
		bad("privacy.consent.version", "is %d: number notices from 1", c.Privacy.Consent.Version)
	}
	for lang := range c.Privacy.Consent.Notice {
		if _, ok := bot.ParseLang(lang); !ok {
			bad("privacy.consent.notice", "has %q, which is not a language code such as en or fr", lang)
		}
	}
	if c.Dashboard.MaxDays < 1 {
		bad("dashboard.max_days", "is %d: give the longest period in days the dashboard may show, such as 731", c.Dashboard.MaxDays)
	}
	if !slices.Contains([]string{cases.SimilarProgram, cases.SimilarCourse, cases.SimilarGroup, cases.SimilarOff}, c.Cases.Similar) {
		bad("cases.similar", "is %q: give program, course, group or off", c.Cases.Similar)
	}
	if c.Cases.Capacity < 1 {
		bad("cases.capacity", "is %d: a mentor must be able to hold at least one case", c.Cases.Capacity)
	}
	if c.Cases.ResponseTarget < time.Minute {
		bad("cases.response_target", "is %s: give at least 1m, such as 24h", c.Cases.ResponseTarget)
	}
	if q := c.Cases.DefaultQueue; q != "" {
		if _, ok := c.Mentors[q]; !ok {
			bad("cases.default_queue", "%q is not a queue under mentors", q)
		}
	}
	for chat, q := range c.Cases.GroupQueues {
		if _, ok := c.Mentors[q]; !ok {
			bad("cases.group_queues."+chat, "%q is not a queue under mentors", q)
		}
		if ch, id, ok := strings.Cut(chat, ":"); !ok || ch == "" || id == "" {
			bad("cases.group_queues", "has %q: write channel:chat id, such as telegram:-1001234567890", chat)
		}
	}
	if u, err := url.Parse(c.XAPI.HomePage); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("xapi.home_page", "%q is not an http(s) URL, such as https://nurses.example.org", c.XAPI.HomePage)
	}
	if e := c.XAPI.Endpoint; e != "" {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("xapi.endpoint", "%q is not an http(s) URL", e)
		}
	}
	for _, g := range c.Cases.TemplateGroups {
		if ch, id, ok := strings.Cut(g, ":"); g != "*" && (!ok || ch == "" || id == "") {
			bad("cases.template_groups", "has %q: write channel:chat id, or * for every group", g)
		}
	}
	for _, s := range c.Staff {
		if _, err := bot.ParseStaffRef(s); err != nil {
			bad("staff", "has %q: write channel:id, such as telegram:123456789 or whatsapp:254700000000", s)
		}
	}
	for queue, ids := range c.Mentors {
		for _, id := range ids {
			ch, rest, ok := strings.Cut(id, ":")
			if !ok || rest == "" || (ch != "telegram" && ch != "whatsapp" && ch != "sim" && ch != "sms") {
				bad("mentors."+queue, "has %q: write channel:id, such as telegram:123456789", id)
			}
		}
	}
	return errors.Join(problems...)
}

// botToken is the form of a Telegram bot token: the bot's id, a colon,
// and a secret (https://core.telegram.org/bots/api#authorizing-your-bot).
var botToken = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{1,128}$`)

// PhoneNumber reports whether s is a phone number in international form.
func PhoneNumber(s string) bool {
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
