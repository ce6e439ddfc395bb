package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SMSConfig sets the SMS channel (docs/sms.md).
type SMSConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Gateway is twilio or africastalking.
	Gateway        string               `mapstructure:"gateway"`
	Twilio         TwilioConfig         `mapstructure:"twilio"`
	AfricasTalking AfricasTalkingConfig `mapstructure:"africastalking"`
	SMSGate        SMSGateConfig        `mapstructure:"smsgate"`
	// Cohorts are the groups of phone numbers that stand in for groups,
	// by their chat id.
	Cohorts map[string]SMSCohort `mapstructure:"cohorts"`
	// Digest is how often members' texts are relayed to their cohort.
	Digest time.Duration `mapstructure:"digest"`
	// MaxSegments is how many segments one SMS may take before a text is
	// split.
	MaxSegments int `mapstructure:"max_segments"`
	// Help answers HELP: the program's name and how to reach it.
	Help string `mapstructure:"help"`
	// Open takes texts from numbers in no cohort.
	Open bool `mapstructure:"open"`
	// PublicURL is the address phones reach Huddle at: lessons' pictures
	// are linked under it.
	PublicURL string `mapstructure:"public_url"`
	// Costs are the price of one segment by the start of a number
	// ("+254": "KES 0.80"), for the dashboard's estimates.
	Costs map[string]string `mapstructure:"costs"`
}

// SMSCohort is one cohort: its title and its members, each "+NUMBER
// Name".
type SMSCohort struct {
	Title   string   `mapstructure:"title"`
	Members []string `mapstructure:"members"`
}

// TwilioConfig sets the Twilio gateway.
type TwilioConfig struct {
	AccountSID       string  `mapstructure:"account_sid"`
	AuthToken        string  `mapstructure:"auth_token"`
	From             string  `mapstructure:"from"`
	MessagingService string  `mapstructure:"messaging_service"`
	WebhookURL       string  `mapstructure:"webhook_url"`
	PerSecond        float64 `mapstructure:"per_second"`
	API              string  `mapstructure:"api"`
}

// AfricasTalkingConfig sets the Africa's Talking gateway.
type AfricasTalkingConfig struct {
	Username       string  `mapstructure:"username"`
	APIKey         string  `mapstructure:"api_key"`
	From           string  `mapstructure:"from"`
	CallbackSecret string  `mapstructure:"callback_secret"`
	PerSecond      float64 `mapstructure:"per_second"`
	// API is the live API, or https://api.sandbox.africastalking.com.
	API string `mapstructure:"api"`
}

// Member reads a cohort member's "+NUMBER Name": the number may hold
// spaces and dashes ("+254 700 000 001 Amina").
func (SMSCohort) Member(s string) (number, name string, err error) {
	s = strings.TrimSpace(s)
	end := strings.IndexFunc(s, func(r rune) bool { return !(r == '+' || r == ' ' || r == '-' || r >= '0' && r <= '9') })
	if end < 0 {
		end = len(s)
	}
	number = strings.NewReplacer(" ", "", "-", "").Replace(s[:end])
	if !PhoneNumber(number) || !strings.HasPrefix(number, "+") {
		return "", "", fmt.Errorf("%q: write the number in international form, then the name, such as \"+254700000001 Amina Otieno\"", s)
	}
	return number, strings.TrimSpace(s[end:]), nil
}

// SMSGateConfig sets the SMS Gateway for Android gateway: a phone.
type SMSGateConfig struct {
	API        string  `mapstructure:"api"`
	Username   string  `mapstructure:"username"`
	Password   string  `mapstructure:"password"`
	SigningKey string  `mapstructure:"signing_key"`
	Country    string  `mapstructure:"country"`
	PerSecond  float64 `mapstructure:"per_second"`
}

// validate checks the SMS settings, telling bad of each bad one.
func (s SMSConfig) validate(bad func(key, format string, args ...any) error) {
	if !s.Enabled {
		return
	}
	switch s.Gateway {
	case "twilio":
		t := s.Twilio
		switch {
		case !strings.HasPrefix(t.AccountSID, "AC") || len(t.AccountSID) != 34:
			bad("channels.sms.twilio.account_sid", "is not an account SID: Twilio's console shows one such as AC followed by 32 letters and digits")
		case t.AuthToken == "":
			bad("channels.sms.twilio.auth_token", "is required: Twilio's console shows it beside the account SID")
		case t.From == "" && t.MessagingService == "":
			bad("channels.sms.twilio.from", "is required (the number to send from, such as +15005550006), or set channels.sms.twilio.messaging_service")
		case t.PerSecond <= 0:
			bad("channels.sms.twilio.per_second", "is %g: give the sender's segments a second, 1 for a long code", t.PerSecond)
		}
		if u, err := url.Parse(t.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" || !strings.HasSuffix(u.Path, "/sms/twilio") {
			bad("channels.sms.twilio.webhook_url", "%q must be the https:// address ending /sms/twilio that Twilio's console calls for incoming messages", t.WebhookURL)
		}
	case "africastalking":
		a := s.AfricasTalking
		switch {
		case a.Username == "" || a.APIKey == "":
			bad("channels.sms.africastalking.api_key", "and the username are required: Africa's Talking's dashboard gives the key under Settings")
		case len(a.CallbackSecret) < 16 || !secretChars(a.CallbackSecret):
			bad("channels.sms.africastalking.callback_secret", "must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (for example from: openssl rand -hex 16): it is all that protects the callback")
		case a.PerSecond <= 0:
			bad("channels.sms.africastalking.per_second", "is %g: give the segments a second the account may send, such as 10", a.PerSecond)
		}
	case "smsgate":
		g := s.SMSGate
		if u, err := url.Parse(g.API); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("channels.sms.smsgate.api", "%q is not the app's API address: https://api.sms-gate.app/3rdparty/v1 in its cloud mode, or the phone's, such as http://192.168.1.10:8080", g.API)
		}
		switch {
		case g.Username == "" || g.Password == "":
			bad("channels.sms.smsgate.password", "and the username are required: the app's Home tab shows them")
		case len(g.SigningKey) < 8:
			bad("channels.sms.smsgate.signing_key", "is required: the app's Settings → Webhooks → Signing Key")
		case g.Country != "" && !callingCode(g.Country):
			bad("channels.sms.smsgate.country", "%q is not a calling code such as +254", g.Country)
		case g.PerSecond <= 0:
			bad("channels.sms.smsgate.per_second", "is %g: give the segments a second to hand the phone, such as 0.5", g.PerSecond)
		}
	default:
		bad("channels.sms.gateway", "is %q: give twilio, africastalking or smsgate", s.Gateway)
	}
	if p := s.PublicURL; p != "" {
		if u, err := url.Parse(p); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("channels.sms.public_url", "%q must be the https:// address phones reach Huddle at, such as https://huddle.example.org", p)
		}
	}
	if s.Digest < time.Minute {
		bad("channels.sms.digest", "is %s: give at least 1m, such as 10m (each digest is a text to every member)", s.Digest)
	}
	if s.MaxSegments < 1 || s.MaxSegments > 10 {
		bad("channels.sms.max_segments", "is %d: give 1 to 10 (many phones join no more than that)", s.MaxSegments)
	}
	seen := map[string]string{}
	for _, id := range slices.Sorted(maps.Keys(s.Cohorts)) {
		c := s.Cohorts[id]
		if strings.HasPrefix(id, "+") {
			bad("channels.sms.cohorts."+id, "is named like a phone number: give it a name such as ward-7-sms")
		}
		for _, m := range c.Members {
			number, _, err := c.Member(m)
			if err != nil {
				bad("channels.sms.cohorts."+id+".members", "has %v", err)
				continue
			}
			if other, ok := seen[number]; ok {
				bad("channels.sms.cohorts."+id+".members", "has %s, in cohort %s too: a number is in one cohort", number, other)
			}
			seen[number] = id
		}
	}
	for prefix := range s.Costs {
		if !strings.HasPrefix(prefix, "+") {
			bad("channels.sms.costs", "has %q: key each price by the start of the numbers it is for, such as \"+254\"", prefix)
		}
	}
}

// callingCode reports whether s is a country's calling code: "+" and one
// to four digits (+1, +254, +1684).
func callingCode(s string) bool {
	d := strings.TrimPrefix(s, "+")
	return s != d && len(d) >= 1 && len(d) <= 4 && strings.Trim(d, "0123456789") == ""
}
