package config

import (
	"log/slog"
	"slices"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/certificate"
	"github.com/huddlebot/huddle/course"
	"github.com/huddlebot/huddle/review"
)

// Options turns the configuration into the App's options, all but the
// channels, which the caller (the program's wiring) makes: only it
// imports an adapter.
func (cfg Config) Options(log *slog.Logger) (huddle.Options, error) {
	if len(cfg.Mentors) == 0 && !cfg.SimOnly() {
		log.Warn("no mentor queue is set up: a case a member escalates waits, and the staff are told; name a queue under mentors: in the configuration")
	}
	if cfg.SimOnly() {
		cfg = cfg.AsRun()
		log.Info("the simulator is the only channel: its Dr Otieno is a mentor of every queue and Grace is staff, so the whole case flow can be tried")
	}
	loc, err := time.LoadLocation(cfg.Timezone) // validated with the config
	if err != nil {
		return huddle.Options{}, err
	}
	quiet, err := cfg.Learning.quiet() // validated too
	if err != nil {
		return huddle.Options{}, err
	}
	mentors := make(map[string][]bot.StaffRef)
	for q, refs := range cfg.Mentors {
		for _, r := range refs {
			ref, _ := bot.ParseStaffRef(r) // validated with the config
			mentors[q] = append(mentors[q], ref)
		}
	}
	opts := huddle.Options{
		Database: cfg.Database, Instance: cfg.Instance, ChatLease: cfg.ChatLease, DatabaseWriters: cfg.DatabaseWriters, Media: cfg.Media, Lessons: cfg.Lessons,
		// A folder made after the start (a deploy that brings it later)
		// is read then; the built-in samples run meanwhile.
		LessonsLater: true, NoBuiltinLessons: !cfg.BuiltinLessons, Location: loc, Logger: log,
		Redact: cfg.Secrets().String,
		Cases: &cases.Config{
			Mentors: mentors, DefaultQueue: cfg.Cases.DefaultQueue, GroupQueues: cfg.Cases.GroupQueues,
			Capacity: cfg.Cases.Capacity, Target: cfg.Cases.ResponseTarget,
			TemplateGroups: cfg.Cases.TemplateGroups, Topics: cfg.Cases.Topics, Similar: cfg.Cases.Similar,
		},
		Consent: cfg.Privacy.Consent.notice(), NoConsent: !cfg.Privacy.Consent.Ask,
		Pseudonyms: cfg.Privacy.Pseudonyms, StaffRealNames: cfg.Privacy.StaffRealNames,
		Retention: time.Duration(cfg.Privacy.RetentionDays) * 24 * time.Hour,
		Listen:    cfg.HTTP.Listen, Token: cfg.HTTP.Token, DashboardMaxDays: cfg.Dashboard.MaxDays,
		Review:  review.Config{PerDay: cfg.Learning.ReviewPerDay, Inactive: time.Duration(cfg.Learning.NudgeAfterDays) * 24 * time.Hour},
		Courses: course.Config{Certificates: certificate.Page{Program: cfg.Certificates.Program, VerifyURL: cfg.Certificates.VerifyURL}},
		Quiet:   quiet, Remind: cfg.Learning.RemindBefore,
	}
	for _, s := range cfg.Staff {
		ref, _ := bot.ParseStaffRef(s) // validated with the config
		opts.Staff = append(opts.Staff, ref)
	}
	return opts, nil
}

// SimOnly reports whether the simulator is the only channel: a trial,
// where its personas may play mentor and staff.
func (cfg Config) SimOnly() bool {
	return cfg.Channels.Sim.Enabled && !cfg.Channels.Telegram.Enabled && !cfg.Channels.WhatsApp.Enabled && !cfg.Channels.SMS.Enabled
}

// The simulator's personas that play the mentor and the staff in a trial
// (AsRun).
const (
	SimMentor = "sim:mentor"
	SimStaff  = "sim:staff"
)

// AsRun is the configuration as 'huddle run' uses it, which the other
// commands see too ('huddle mentors' its queues): with the simulator as
// the only channel, its mentor persona is a mentor of every queue (of a
// "general" one when there is none) and its staff persona staff. Only for
// a trial with the simulator alone: on real channels they would be an
// unattended mentor and a staff member anyone on the page could play.
func (cfg Config) AsRun() Config {
	if !cfg.SimOnly() {
		return cfg
	}
	mentors := make(map[string][]string, len(cfg.Mentors)+1)
	for q, refs := range cfg.Mentors {
		mentors[q] = append(slices.Clone(refs), SimMentor)
	}
	if len(mentors) == 0 {
		mentors["general"] = []string{SimMentor}
	}
	cfg.Mentors = mentors
	cfg.Staff = append(slices.Clone(cfg.Staff), SimStaff)
	return cfg
}
