// Package xapi exports Huddle's learning records as xAPI 1.0.3 statements,
// the standard learning record stores and LMSs read: a quiz answered (with
// its scored result), a lesson completed, passed or failed against its
// pass mark, a case thread commented on or responded to, a course
// completed and passed or failed (as cmi5 states it), and a certificate
// earned. Actors are
// pseudonymous accounts, never a phone number. Statement ids derive from
// the event, so exporting twice gives the same statements, which a
// learning record store recognises.
package xapi

import (
	"context"
	"crypto/sha1"
	"fmt"
	"strings"
	"time"

	"github.com/huddlebot/huddle/certificate"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// Version is the xAPI version of the statements.
const Version = "1.0.3"

// ADL verbs.
const (
	VerbAnswered  = "http://adlnet.gov/expapi/verbs/answered"
	VerbCompleted = "http://adlnet.gov/expapi/verbs/completed"
	VerbPassed    = "http://adlnet.gov/expapi/verbs/passed"
	VerbFailed    = "http://adlnet.gov/expapi/verbs/failed"
	VerbCommented = "http://adlnet.gov/expapi/verbs/commented"
	VerbResponded = "http://adlnet.gov/expapi/verbs/responded"
	// VerbEarned is the registry's verb for a credential earned: a
	// certificate.
	VerbEarned = "http://id.tincanapi.com/verb/earned"
)

// cmi5's course activity type and its statements' category: course
// statements are made as cmi5 makes them (completed, then passed or
// failed, in the cohort's registration).
const (
	typeCourse   = "https://w3id.org/xapi/cmi5/activitytype/course"
	categoryCmi5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
	// categoryMoveOn marks the statements that satisfy a course's pass
	// rule.
	categoryMoveOn = "https://w3id.org/xapi/cmi5/context/categories/moveon"
)

// Activity types.
const (
	typeLesson      = "http://adlnet.gov/expapi/activities/lesson"
	typeInteraction = "http://adlnet.gov/expapi/activities/cmi.interaction"
	typeGroup       = "http://id.tincanapi.com/activitytype/community-site"
	typeDiscussion  = "http://id.tincanapi.com/activitytype/discussion"
)

// Statement is one xAPI statement.
type Statement struct {
	ID        string   `json:"id"`
	Actor     Agent    `json:"actor"`
	Verb      Verb     `json:"verb"`
	Object    Activity `json:"object"`
	Result    *Result  `json:"result,omitempty"`
	Context   *Context `json:"context,omitempty"`
	Timestamp string   `json:"timestamp"`
	Version   string   `json:"version"`
}

// Agent is a statement's actor: an account, never a person's address.
type Agent struct {
	ObjectType string  `json:"objectType"`
	Account    Account `json:"account"`
}

// Account names an actor on Huddle.
type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// Verb is what the actor did.
type Verb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

// Activity is what it was done to.
type Activity struct {
	ObjectType string      `json:"objectType"`
	ID         string      `json:"id"`
	Definition *Definition `json:"definition,omitempty"`
}

// Definition describes an activity.
type Definition struct {
	Name            map[string]string `json:"name,omitempty"`
	Type            string            `json:"type,omitempty"`
	InteractionType string            `json:"interactionType,omitempty"`
}

// Result is a statement's outcome.
type Result struct {
	Score      *Score `json:"score,omitempty"`
	Success    *bool  `json:"success,omitempty"`
	Completion *bool  `json:"completion,omitempty"`
	Response   string `json:"response,omitempty"`
	// Extensions carry what xAPI has no field for: a certificate's CPD
	// hours.
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Score is a scored result.
type Score struct {
	Scaled float64 `json:"scaled"`
	Raw    float64 `json:"raw"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Context places a statement: its lesson run, lesson and group.
type Context struct {
	Registration      string             `json:"registration,omitempty"`
	Platform          string             `json:"platform"`
	Language          string             `json:"language,omitempty"`
	ContextActivities *ContextActivities `json:"contextActivities,omitempty"`
}

// ContextActivities are the activities around a statement's object.
type ContextActivities struct {
	Parent   []Activity `json:"parent,omitempty"`
	Grouping []Activity `json:"grouping,omitempty"`
	Category []Activity `json:"category,omitempty"`
}

// Exporter turns learning events into statements.
type Exporter struct {
	// HomePage is the programme's address: actors' accounts and activity
	// ids are under it.
	HomePage string
	// Lessons gives lesson and course titles, questions and pass marks.
	Lessons *flows.Library
	// VerifyURL is the web server's public address: a certificate's
	// activity id is its verification page there (under HomePage when
	// empty).
	VerifyURL string
}

// Export calls fn with the statements of every learning event in
// [since, until), oldest first.
func (x *Exporter) Export(ctx context.Context, rd *store.Reader, since, until time.Time, fn func(Statement) error) error {
	return rd.LearningEvents(ctx, since, until, func(e report.LearningEvent) error {
		for _, s := range x.Statements(e) {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	})
}

// home is the home page without a trailing slash.
func (x *Exporter) home() string { return strings.TrimRight(x.HomePage, "/") }

// Statements returns the statements of one learning event: one, or for a
// completed run with a pass mark, completed and passed or failed.
func (x *Exporter) Statements(e report.LearningEvent) []Statement {
	actor := Agent{ObjectType: "Agent", Account: Account{HomePage: x.home(), Name: fmt.Sprintf("member-%d", e.MemberID)}}
	group := Activity{ObjectType: "Activity", ID: fmt.Sprintf("%s/groups/%d", x.home(), e.ChatID),
		Definition: &Definition{Type: typeGroup}}
	base := func(key, verb string, obj Activity) Statement {
		return Statement{ID: uuid(key), Actor: actor, Verb: verbOf(verb), Object: obj, Version: Version,
			Timestamp: e.At.UTC().Format(time.RFC3339Nano)}
	}
	switch e.Kind {
	case report.EventAnswered, report.EventCompleted:
		l, _ := x.Lessons.Get(e.LessonID)
		lesson := Activity{ObjectType: "Activity", ID: fmt.Sprintf("%s/lessons/%s", x.home(), e.LessonID),
			Definition: &Definition{Type: typeLesson, Name: names(e.LessonID, l, nil)}}
		ctx := &Context{Registration: uuid(fmt.Sprintf("run:%d", e.RunID)), Platform: "Huddle",
			ContextActivities: &ContextActivities{Grouping: []Activity{group}}}
		score := &Score{Raw: e.Points, Min: 0, Max: e.MaxPoints}
		if e.MaxPoints > 0 {
			score.Scaled = round(e.Points / e.MaxPoints)
		}
		if e.Kind == report.EventAnswered {
			q := Activity{ObjectType: "Activity", ID: fmt.Sprintf("%s/lessons/%s/steps/%s", x.home(), e.LessonID, strings.TrimPrefix(e.StepKey, "#")),
				Definition: &Definition{Type: typeInteraction, InteractionType: "other"}}
			if l != nil {
				for i := range l.Steps {
					if l.StepKey(i) == e.StepKey {
						p := l.Preview(i, "")
						q.Definition.Name = names(p.Text, l, func(lang string) string { return l.Preview(i, lang).Text })
						q.Definition.InteractionType = interaction(l, i)
					}
				}
			}
			c := *ctx
			c.ContextActivities = &ContextActivities{Parent: []Activity{lesson}, Grouping: []Activity{group}}
			s := base(fmt.Sprintf("answered:%d:%d:%d", e.RunID, e.MemberID, e.Seq), VerbAnswered, q)
			s.Result = &Result{Score: score, Success: ptr(e.Correct), Response: clip(e.Response, 500)}
			s.Context = &c
			return []Statement{s}
		}
		done := base(fmt.Sprintf("completed:%d:%d", e.RunID, e.MemberID), VerbCompleted, lesson)
		done.Result, done.Context = &Result{Score: score, Completion: ptr(true)}, ctx
		out := []Statement{done}
		if l != nil && l.PassMark > 0 && e.MaxPoints > 0 {
			verb := VerbFailed
			passed := e.Points/e.MaxPoints >= l.PassMark-1e-9
			if passed {
				verb = VerbPassed
			}
			s := base(fmt.Sprintf("%s:%d:%d", verb, e.RunID, e.MemberID), verb, lesson)
			s.Result, s.Context = &Result{Score: score, Success: ptr(passed), Completion: ptr(true)}, ctx
			out = append(out, s)
		}
		return out
	case report.EventCourse:
		return x.courseStatements(e, base, group)
	case report.EventCertified:
		id := fmt.Sprintf("%s/certificates/%s", x.home(), e.Code)
		if x.VerifyURL != "" {
			id = certificate.VerifyLink(x.VerifyURL, e.Code)
		}
		cert := Activity{ObjectType: "Activity", ID: id, Definition: &Definition{Name: map[string]string{"und": e.Title}}}
		s := base("certified:"+e.Code, VerbEarned, cert)
		s.Result = &Result{Completion: ptr(true), Success: ptr(true), Extensions: map[string]any{x.home() + "/xapi/cpd-hours": e.Hours}}
		s.Context = &Context{Platform: "Huddle", ContextActivities: &ContextActivities{Grouping: []Activity{group}}}
		if e.CourseID != "" {
			s.Context.Registration = uuid(fmt.Sprintf("cohort:%d", e.CohortID))
			s.Context.ContextActivities.Parent = []Activity{x.course(e.CourseID)}
		}
		return []Statement{s}
	case report.EventCommented, report.EventResponded:
		verb := VerbCommented
		if e.Kind == report.EventResponded {
			verb = VerbResponded
		}
		thread := Activity{ObjectType: "Activity", ID: fmt.Sprintf("%s/cases/%d", x.home(), e.CaseID),
			Definition: &Definition{Type: typeDiscussion, Name: map[string]string{"en": fmt.Sprintf("Case #C%d", e.CaseID)}}}
		s := base(fmt.Sprintf("post:%d", e.PostID), verb, thread)
		s.Context = &Context{Platform: "Huddle", ContextActivities: &ContextActivities{Grouping: []Activity{group}}}
		return []Statement{s}
	}
	return nil
}

// interaction is the xAPI interaction type of quiz step i.
func interaction(l *flows.Lesson, i int) string {
	k, ok := l.Key(i)
	switch {
	case !ok:
		return "other"
	case k.Numeric != nil:
		return "numeric"
	case k.Options > 0:
		return "choice"
	}
	return "fill-in"
}

// names is a language map of a text: the lesson's title (or text) in each
// of its languages, keyed by RFC 5646 code; "und" when it has none.
func names(fallback string, l *flows.Lesson, in func(lang string) string) map[string]string {
	if l == nil {
		return map[string]string{"und": fallback}
	}
	out := map[string]string{}
	for _, lang := range l.Languages {
		if in != nil {
			out[lang] = in(lang)
		} else {
			out[lang] = l.Title.In(lang, l.Fallback())
		}
	}
	if len(out) == 0 {
		t := fallback
		if in == nil {
			t = l.Title.In("", "")
		}
		out["und"] = t
	}
	return out
}

func verbOf(id string) Verb {
	name := id[strings.LastIndex(id, "/")+1:]
	return Verb{ID: id, Display: map[string]string{"en-US": name}}
}

// uuid derives a name-based UUID (version 5 layout, SHA-1) from key, so
// the same event always gives the same statement id.
func uuid(key string) string {
	h := sha1.Sum([]byte("huddle-xapi:" + key))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func ptr[T any](v T) *T { return &v }

func round(f float64) float64 { return float64(int(f*10000+0.5)) / 10000 }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// course is a course's activity, named in each of its languages.
func (x *Exporter) course(id string) Activity {
	a := Activity{ObjectType: "Activity", ID: fmt.Sprintf("%s/courses/%s", x.home(), id),
		Definition: &Definition{Type: typeCourse, Name: map[string]string{"und": id}}}
	if c, ok := x.Lessons.Course(id); ok {
		a.Definition.Name = map[string]string{}
		for _, lang := range c.Languages {
			a.Definition.Name[lang] = c.Name(lang)
		}
		if len(a.Definition.Name) == 0 {
			a.Definition.Name["und"] = c.Name("")
		}
	}
	return a
}

// courseStatements are a member's outcome in a course as cmi5 states it:
// completed, then passed or failed, in the cohort's registration, scored
// by the share of its lessons passed.
func (x *Exporter) courseStatements(e report.LearningEvent, base func(key, verb string, obj Activity) Statement, group Activity) []Statement {
	course := x.course(e.CourseID)
	ctx := &Context{Registration: uuid(fmt.Sprintf("cohort:%d", e.CohortID)), Platform: "Huddle",
		ContextActivities: &ContextActivities{Grouping: []Activity{group}, Category: []Activity{{ObjectType: "Activity", ID: categoryCmi5}}}}
	score := &Score{Raw: e.Points, Min: 0, Max: e.MaxPoints}
	if e.MaxPoints > 0 {
		score.Scaled = round(e.Points / e.MaxPoints)
	}
	done := base(fmt.Sprintf("course-completed:%d:%d", e.CohortID, e.MemberID), VerbCompleted, course)
	done.Result, done.Context = &Result{Completion: ptr(true)}, ctx
	verb := VerbFailed
	if e.Correct {
		verb = VerbPassed
	}
	judged := base(fmt.Sprintf("course-%s:%d:%d", verb, e.CohortID, e.MemberID), verb, course)
	c := *ctx
	cats := []Activity{{ObjectType: "Activity", ID: categoryCmi5}}
	if e.Correct {
		cats = append(cats, Activity{ObjectType: "Activity", ID: categoryMoveOn})
	}
	c.ContextActivities = &ContextActivities{Grouping: []Activity{group}, Category: cats}
	judged.Result, judged.Context = &Result{Score: score, Success: ptr(e.Correct), Completion: ptr(true)}, &c
	return []Statement{done, judged}
}
