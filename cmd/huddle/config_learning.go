package main

import (
	"fmt"
	"strings"
	"time"
)

// LearningConfig sets spaced review and nudges.
type LearningConfig struct {
	// ReviewPerDay is the most review questions a member gets in a day.
	ReviewPerDay int `mapstructure:"review_per_day"`
	// NudgeAfterDays nudges a member not seen for that many days; 0 for
	// no nudges.
	NudgeAfterDays int `mapstructure:"nudge_after_days"`
	// QuietHours, "21:00-07:00", are when no course lesson opens and no
	// course ends in a group; "" for none.
	QuietHours string `mapstructure:"quiet_hours"`
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

// quiet reads QuietHours as minutes after midnight; none when empty.
func (c LearningConfig) quiet() (from, to int, none bool, err error) {
	s := strings.TrimSpace(c.QuietHours)
	if s == "" {
		return 0, 0, true, nil
	}
	a, b, found := strings.Cut(s, "-")
	fa, errA := time.Parse("15:04", strings.TrimSpace(a))
	fb, errB := time.Parse("15:04", strings.TrimSpace(b))
	if !found || errA != nil || errB != nil || fa.Equal(fb) {
		return 0, 0, false, fmt.Errorf("is %q: give FROM-TO such as 21:00-07:00, or \"\" for none", s)
	}
	return fa.Hour()*60 + fa.Minute(), fb.Hour()*60 + fb.Minute(), false, nil
}
