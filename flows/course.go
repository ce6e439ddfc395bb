package flows

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Course is a curriculum a group takes as a cohort: lessons in order, each
// opening on its day, a pass rule and the CPD hours a member who passes
// earns. A course file is a YAML file whose top level has lessons: rather
// than steps:.
type Course struct {
	ID    string
	Title Text
	// Languages lists the course's languages; the first is the fallback.
	Languages []string
	Lessons   []CourseLesson
	Pass      PassRule
	// CPDHours are the continuing-professional-development hours a member
	// who passes earns.
	CPDHours float64
	// File is where the course was read from.
	File string
}

// CourseLesson is one lesson of a course and when it opens: Day days
// after the cohort starts, or on Date (a fixed day), at At, in the
// program's time zone. It opens only once the lessons it Requires have
// been run in the group.
type CourseLesson struct {
	Lesson string
	// Day counts from the cohort's first day (0); unused when Date is set.
	Day int
	// Date is a fixed day, "2027-01-11"; "" for a Day.
	Date string
	// At is minutes after midnight.
	At       int
	Requires []string
	// Line is where the lesson is listed in the course file.
	Line int
}

// PassRule says who passes a course: a member who passed at least Lessons
// of its lessons (all when 0), each with at least Mark of its quiz points
// (the lesson's own pass mark when 0; taking part when the lesson has
// none).
type PassRule struct {
	Lessons int
	Mark    float64
}

// defaultOpenAt is when a course lesson opens when its at is not given:
// 09:00.
const defaultOpenAt = 9 * 60

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Fallback is the course's fallback language.
func (c *Course) Fallback() string {
	if len(c.Languages) == 0 {
		return ""
	}
	return c.Languages[0]
}

// Name is the course's title in lang, else its fallback language.
func (c *Course) Name(lang string) string { return c.Title.In(lang, c.Fallback()) }

// Opens is when lesson i opens for a cohort started at start, in loc:
// never before start itself (a lesson of day 0 whose hour has passed
// opens at once).
func (c *Course) Opens(i int, start time.Time, loc *time.Location) time.Time {
	cl := c.Lessons[i]
	var day time.Time
	if cl.Date != "" {
		day, _ = time.ParseInLocation(time.DateOnly, cl.Date, loc)
	} else {
		s := start.In(loc)
		day = time.Date(s.Year(), s.Month(), s.Day()+cl.Day, 0, 0, 0, 0, loc)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), cl.At/60, cl.At%60, 0, 0, loc)
	if at.Before(start) {
		return start
	}
	return at
}

// Needed is how many lessons a member must pass.
func (c *Course) Needed() int {
	if c.Pass.Lessons > 0 {
		return c.Pass.Lessons
	}
	return len(c.Lessons)
}

// Mark is the share of lesson l's points a member needs to pass it in
// the course: the course's pass mark, else the lesson's own.
func (c *Course) Mark(l *Lesson) float64 {
	if c.Pass.Mark > 0 || l == nil {
		return c.Pass.Mark
	}
	return l.PassMark
}

// Passes reports whether a score of points out of max, from a member who
// answered, passes at mark: at least that share, or, with no mark,
// taking part.
func Passes(points, max, mark float64) bool {
	if mark <= 0 {
		return true
	}
	return max > 0 && points/max >= mark-1e-9
}

// Index returns the position of a lesson in the course.
func (c *Course) Index(lessonID string) (int, bool) {
	for i, cl := range c.Lessons {
		if cl.Lesson == lessonID {
			return i, true
		}
	}
	return 0, false
}

// course reads a course file's top level.
func (p *parser) course(n *yaml.Node) *Course {
	c := &Course{}
	f := p.mapping(n, "course", "id", "title", "languages", "lessons", "pass", "cpd_hours")
	if f == nil {
		return c
	}
	if v := f["languages"]; v != nil {
		c.Languages = p.languages(v)
		p.langs = c.Languages
	}
	c.ID, c.Title = p.idAndTitle(n, f)
	if v := f["cpd_hours"]; v != nil {
		if h, ok := p.number(v, "cpd_hours"); ok {
			if h < 0 || h > 1000 || math.IsNaN(h) {
				p.errf(v, "cpd_hours %v is not a number of hours between 0 and 1000", h)
			}
			c.CPDHours = h
		}
	}
	c.Lessons = p.courseLessons(f["lessons"])
	if v := f["pass"]; v != nil {
		c.Pass = p.passRule(v, len(c.Lessons))
	}
	return c
}

// courseLessons reads the lessons: list.
func (p *parser) courseLessons(n *yaml.Node) []CourseLesson {
	if n == nil || n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errf(n, "lessons must be a list of the course's lessons, such as - {lesson: hand-hygiene, day: 0}")
		return nil
	}
	var out []CourseLesson
	listed := map[string]bool{}
	for _, e := range n.Content {
		cl := CourseLesson{Line: e.Line, At: defaultOpenAt}
		f := p.mapping(e, "a course's lesson", "lesson", "day", "date", "at", "requires")
		if f == nil {
			continue
		}
		if v := f["lesson"]; v == nil {
			p.errf(e, "a course's lesson needs lesson: the lesson's id")
		} else if id, ok := p.str(v, "lesson"); ok {
			if listed[id] {
				p.errf(v, "lesson %s is listed twice", id)
			}
			cl.Lesson = id
		}
		day, date := f["day"], f["date"]
		switch {
		case day == nil && date == nil:
			p.errf(e, "lesson %s needs day: (days after the cohort starts, 0 for the first) or date: (such as 2027-01-11)", cl.Lesson)
		case day != nil && date != nil:
			p.errf(date, "lesson %s has both day and date: give one", cl.Lesson)
		case day != nil:
			if d, ok := p.number(day, "day"); ok {
				if d < 0 || d > 730 || d != math.Trunc(d) {
					p.errf(day, "day %v is not a whole number of days from 0 to 730", d)
				}
				cl.Day = int(d)
			}
		default:
			if s, ok := p.str(date, "date"); ok {
				if _, err := time.Parse(time.DateOnly, s); err != nil || !datePattern.MatchString(s) {
					p.errf(date, "bad date %q: use YYYY-MM-DD, such as 2027-01-11", s)
				}
				cl.Date = s
			}
		}
		if v := f["at"]; v != nil {
			if at, ok := p.str(v, "at"); ok {
				if !clockPattern.MatchString(at) {
					p.errf(v, "bad time %q: use HH:MM, such as \"08:30\"", at)
				} else {
					h, m := int(at[0]-'0')*10+int(at[1]-'0'), int(at[3]-'0')*10+int(at[4]-'0')
					cl.At = h*60 + m
				}
			}
		}
		if v := f["requires"]; v != nil {
			if v.Kind != yaml.SequenceNode {
				p.errf(v, "requires must be a list of lesson ids listed before this one, such as [hand-hygiene]")
			}
			for _, r := range v.Content {
				id, ok := p.str(r, "a required lesson")
				if !ok {
					continue
				}
				if !listed[id] {
					p.errf(r, "lesson %s requires %s, which is not listed before it in the course", cl.Lesson, id)
				}
				cl.Requires = append(cl.Requires, id)
			}
		}
		listed[cl.Lesson] = true
		out = append(out, cl)
	}
	return out
}

// passRule reads pass: {lessons: all, mark: 0.7}.
func (p *parser) passRule(n *yaml.Node, count int) PassRule {
	var r PassRule
	f := p.mapping(n, "pass", "lessons", "mark")
	if f == nil {
		return r
	}
	if v := f["lessons"]; v != nil {
		if v.Kind == yaml.ScalarNode && v.Value == "all" {
			r.Lessons = 0
		} else if k, ok := p.number(v, "pass lessons"); ok {
			if k < 1 || k != math.Trunc(k) || int(k) > count {
				p.errf(v, "pass lessons %v: give all, or a whole number from 1 to the %d lessons listed", k, count)
			}
			r.Lessons = int(k)
		}
	}
	if v := f["mark"]; v != nil {
		if m, ok := p.number(v, "pass mark"); ok {
			if m <= 0 || m > 1 {
				p.errf(v, "pass mark %v is not a fraction above 0 and at most 1", m)
			}
			r.Mark = m
		}
	}
	return r
}

// checkCourse checks a course against the lessons it lists; its problems
// are at the lines of the course file.
func checkCourse(c *Course, lessons map[string]*Lesson) Problems {
	var ps Problems
	add := func(line int, format string, args ...any) {
		ps = append(ps, Problem{File: c.File, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if l, clash := lessons[c.ID]; clash {
		add(1, "course id %q is also lesson %s's: /assign could not tell them apart", c.ID, l.File)
	}
	for _, cl := range c.Lessons {
		l, ok := lessons[cl.Lesson]
		switch {
		case !ok:
			add(cl.Line, "unknown lesson %q (lessons: %s)", cl.Lesson, strings.Join(slices.Sorted(maps.Keys(lessons)), ", "))
		case l.Mode != ModeGroup:
			add(cl.Line, "lesson %s runs one to one (mode: direct); a course is taken by a group, so its lessons are group lessons", cl.Lesson)
		}
	}
	return ps
}
