package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// LearningConfig sets spaced review and nudges.
type LearningConfig struct {
	// ReviewPerDay is the most review questions a member gets in a day.
	ReviewPerDay int `mapstructure:"review_per_day"`
	// NudgeAfterDays nudges a member not seen for that many days; 0 for
	// no nudges.
	NudgeAfterDays int `mapstructure:"nudge_after_days"`
	// QuietHours, "21:00-07:00", are when no course lesson opens, no
	// course ends and no reminder is posted in a group; "" for none.
	QuietHours string `mapstructure:"quiet_hours"`
	// RemindBefore reminds a group that long before a question closes,
	// when some have not answered; 0 for no reminders.
	RemindBefore time.Duration `mapstructure:"remind_before"`
}

// CertificatesConfig sets the CPD certificates members earn.
type CertificatesConfig struct {
	// Program is the name printed at the top of each certificate.
	Program string `mapstructure:"program"`
	// VerifyURL is the public address of Huddle's web server, printed
	// (and in the QR code) as where a certificate is verified; the
	// listen address when empty.
	VerifyURL string `mapstructure:"verify_url"`
}

// quiet reads QuietHours; an empty span for none.
func (c LearningConfig) quiet() (*bot.Hours, error) {
	s := strings.TrimSpace(c.QuietHours)
	if s == "" {
		return &bot.Hours{}, nil
	}
	a, b, found := strings.Cut(s, "-")
	fa, errA := time.Parse("15:04", strings.TrimSpace(a))
	fb, errB := time.Parse("15:04", strings.TrimSpace(b))
	if !found || errA != nil || errB != nil || fa.Equal(fb) {
		return nil, fmt.Errorf("is %q: give FROM-TO such as 21:00-07:00, or \"\" for none", s)
	}
	return &bot.Hours{From: fa.Hour()*60 + fa.Minute(), To: fb.Hour()*60 + fb.Minute()}, nil
}
