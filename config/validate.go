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

// validate checks every value, naming the key of the first bad one.
func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s %s (set it in the config file or as %s)", key, fmt.Sprintf(format, args...), envName(key))
	}
	if strings.TrimSpace(c.Database) == "" {
		return bad("database", "is empty: give the path of the SQLite file, or a postgres:// URL")
	}
	if c.ChatLease < time.Second {
		return bad("chat_lease", "is %s: give at least 1s, such as 15s", c.ChatLease)
	}
	if c.DatabaseWriters < 1 || c.DatabaseWriters > 1000 {
		return bad("database_writers", "is %d: give a number from 1 to 1000, such as 16", c.DatabaseWriters)
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
		if !botToken.MatchString(tg.Token) {
			// The value is a secret: it is not repeated.
			return bad("channels.telegram.token", "is not a bot token: @BotFather gives one such as 123456789:AAE…, digits, a colon, then letters, digits, - and _")
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
		if wa.PairPhone != "" && !PhoneNumber(wa.PairPhone) {
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
	if err := c.Channels.SMS.validate(bad); err != nil {
		return err
	}
	if !c.Channels.Sim.Enabled && !tg.Enabled && !c.Channels.WhatsApp.Enabled && !c.Channels.SMS.Enabled {
		return bad("channels", "enable none: turn on channels.sim, channels.telegram, channels.whatsapp or channels.sms")
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
	if !slices.Contains([]string{cases.SimilarProgram, cases.SimilarCourse, cases.SimilarGroup, cases.SimilarOff}, c.Cases.Similar) {
		return bad("cases.similar", "is %q: give program, course, group or off", c.Cases.Similar)
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
			if !ok || rest == "" || (ch != "telegram" && ch != "whatsapp" && ch != "sim" && ch != "sms") {
				return bad("mentors."+queue, "has %q: write channel:id, such as telegram:123456789", id)
			}
		}
	}
	return nil
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
