// Package course runs courses: a group given a course with /assign COURSE
// takes it as a cohort. Each lesson opens in the group on its day (so many
// days after the cohort starts, or on a fixed date, in the program's time
// zone), once the lessons it requires have run, never in the program's
// quiet hours and never over another lesson. When the last lesson is over
// the course ends: the group hears how it went, and each member who
// passed (the course's pass rule over their lesson scores) hears so
// privately and earns the course's CPD hours.
package course

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
	"github.com/huddlebot/huddle/certificate"
	"github.com/huddlebot/huddle/flows"
)

// Config sets the course service up.
type Config struct {
	// Lessons returns the lessons and courses in use; they change when
	// the folder does.
	Lessons func() *flows.Library
	// Engine starts lessons: the lesson host.
	Engine bot.Engine
	// Quiet are the program's quiet hours, in Location: a lesson due then
	// waits for their end, and a course ends after them. bot.QuietHours
	// (21:00 to 07:00) when nil; an empty span for none.
	Quiet *bot.Hours
	// Certificates says how certificates are printed (the program's name
	// and the address that verifies them). Each member who passes a
	// course earns one, sent privately as a PDF.
	Certificates certificate.Page
	// Location is the program's time zone; UTC when nil.
	Location *time.Location
	// Pseudonyms names members in groups by their pseudonym, as the
	// router does.
	Pseudonyms bool
	// DirectLink returns a channel's link that opens a member's private
	// chat with the bot and brings a command with it (bot.Linking), or
	// "": a member told in the group that a certificate waits is given
	// it. None when nil.
	DirectLink func(channel, command string) string
	// Clock defaults to the system clock; Logger to slog.Default().
	Clock  bot.Clock
	Logger *slog.Logger
	// Texts are its texts (Messages, or a program's laid over them);
	// the built-in ones when nil.
	Texts *catalog.Catalog
}

// Service runs courses: it is the router's Assigner of courses and the
// scheduler's job that opens their lessons.
type Service struct {
	texts *catalog.Catalog
	cfg   Config

	mu        sync.Mutex
	certAfter int64 // runs up to this id were looked at for certificates
}

// New returns the course service.
func New(cfg Config) *Service {
	if cfg.Quiet == nil {
		cfg.Quiet = &bot.QuietHours
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Certificates.Location == nil {
		cfg.Certificates.Location = cfg.Location
	}
	if cfg.Certificates.Program == "" {
		cfg.Certificates.Program = "Huddle"
	}
	if cfg.Texts == nil {
		cfg.Texts = builtinTexts()
	}
	return &Service{cfg: cfg, texts: cfg.Texts}
}

// when shows a time in the program's time zone: "Mon 2 Mar 09:00".
func (sv *Service) when(t time.Time) string {
	return t.In(sv.cfg.Location).Format("Mon 2 Jan 15:04")
}

// lessonTitle is a lesson's title in lang, or its id when it is gone.
func (sv *Service) lessonTitle(id, lang string) string {
	if l, ok := sv.cfg.Lessons().Get(id); ok {
		return l.Title.In(l.Lang(lang), l.Fallback())
	}
	return id
}

// Assign starts a cohort of course id in the session's group, and tells
// the group when each lesson opens.
func (sv *Service) Assign(tx bot.AssignerTx, s bot.Session, id string) (bool, error) {
	c, ok := sv.cfg.Lessons().Course(id)
	if !ok {
		return false, nil
	}
	running, err := tx.ChatCohorts(s.Chat.ID)
	if err != nil {
		return true, err
	}
	for _, h := range running {
		if h.CourseID == c.ID {
			return true, bot.Reply(tx, s, "assign", sv.tr(s.Lang, "course_running", c.Name(s.Lang), sv.when(h.Started), c.ID))
		}
	}
	h := bot.Cohort{ChatID: s.Chat.ID, CourseID: c.ID, StartedBy: s.Member.ID, Started: s.Now}
	lessons := make([]bot.CohortLesson, len(c.Lessons))
	var b strings.Builder
	b.WriteString(sv.tr(s.Lang, "course_started", c.Name(s.Lang)))
	for i, cl := range c.Lessons {
		lessons[i] = bot.CohortLesson{LessonID: cl.Lesson, Position: i, Opens: c.Opens(i, s.Now, sv.cfg.Location)}
		fmt.Fprintf(&b, "\n%d. %s: %s", i+1, sv.lessonTitle(cl.Lesson, s.Lang), sv.when(lessons[i].Opens))
	}
	if err := tx.StartCohort(&h, lessons); err != nil {
		return true, err
	}
	b.WriteString("\n\n")
	b.WriteString(sv.rule(c, s.Lang))
	b.WriteString(" ")
	b.WriteString(sv.tr(s.Lang, "course_name_hint"))
	return true, bot.Reply(tx, s, "assign", b.String())
}

// rule says, in lang, who passes course c and what they earn.
func (sv *Service) rule(c *flows.Course, lang string) string {
	var b strings.Builder
	if c.Needed() == len(c.Lessons) {
		b.WriteString(sv.texts.Count(lang, "course_rule_all", len(c.Lessons), len(c.Lessons)))
	} else {
		b.WriteString(sv.tr(lang, "course_rule_some", c.Needed(), len(c.Lessons)))
	}
	if c.CPDHours > 0 {
		b.WriteString(" ")
		b.WriteString(sv.tr(lang, "course_hours", sv.hours(lang, c.CPDHours)))
	}
	return b.String()
}

// hours shows CPD hours in lang: "1 CPD hour", "1.5 CPD hours".
func (sv *Service) hours(lang string, h float64) string {
	n := certificate.Hours(h)
	return sv.texts.Count(lang, "cpd_hours", n, n)
}

// Unassign stops the group's cohort of course id.
func (sv *Service) Unassign(tx bot.AssignerTx, s bot.Session, id string) (bool, error) {
	running, err := tx.ChatCohorts(s.Chat.ID)
	if err != nil {
		return true, err
	}
	for _, h := range running {
		if h.CourseID != id {
			continue
		}
		if _, err := tx.EndCohort(h.ID, s.Now, true); err != nil {
			return true, err
		}
		name := id
		if c, ok := sv.cfg.Lessons().Course(id); ok {
			name = c.Name(s.Lang)
		}
		return true, bot.Reply(tx, s, "unassign", sv.tr(s.Lang, "course_stopped", name))
	}
	return false, nil
}

// Assigned lists the group's running courses with their next lesson.
func (sv *Service) Assigned(tx bot.AssignerTx, s bot.Session) ([]string, error) {
	running, err := tx.ChatCohorts(s.Chat.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range running {
		name := h.CourseID
		if c, ok := sv.cfg.Lessons().Course(h.CourseID); ok {
			name = c.Name(s.Lang)
		}
		lessons, err := tx.CohortLessons(h.ID)
		if err != nil {
			return nil, err
		}
		next := sv.tr(s.Lang, "course_all_open")
		for _, l := range lessons {
			if l.RunID == 0 {
				next = sv.tr(s.Lang, "course_next", l.Position+1, len(lessons), sv.lessonTitle(l.LessonID, s.Lang), sv.when(l.Opens))
				break
			}
		}
		out = append(out, fmt.Sprintf("• %s (%s): %s", name, h.CourseID, next))
	}
	return out, nil
}

// Offered lists the courses for /lessons.
func (sv *Service) Offered(lang string) string {
	courses := sv.cfg.Lessons().Courses()
	if len(courses) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(sv.tr(lang, "courses"))
	for _, c := range courses {
		fmt.Fprintf(&b, "\n• %s: %s (%s)", c.ID, c.Name(lang), sv.tr(lang, "course_size", sv.texts.Count(lang, "course_lessons", len(c.Lessons), len(c.Lessons)), sv.hours(lang, c.CPDHours)))
	}
	return b.String()
}
