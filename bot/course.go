package bot

import (
	"context"
	"time"
)

// Cohort is a group taking a course together, from Started: /assign
// COURSE in the group starts one.
type Cohort struct {
	ID       int64
	ChatID   int64
	CourseID string
	// StartedBy is the member who sent /assign (0 once they are
	// forgotten).
	StartedBy int64
	Started   time.Time
	// Ended is when its last lesson was over (or it was stopped); zero
	// while it runs.
	Ended time.Time
	// Stopped says it ended by /unassign rather than by its lessons.
	Stopped bool
	// Channel and ChatPlatformID name its chat (filled by CohortsToEnd).
	Channel        string
	ChatPlatformID string
}

// CohortLesson is one lesson of a cohort's course: when it opens, and
// the run it opened as (0 until then).
type CohortLesson struct {
	CohortID int64
	LessonID string
	// Position is its place in the course, from 0.
	Position int
	Opens    time.Time
	RunID    int64
	// RunStatus is the run's status ("" until it opened).
	RunStatus RunStatus
	// ChatID, Channel and ChatPlatformID name the cohort's chat (filled by
	// DueCohortLessons).
	ChatID         int64
	Channel        string
	ChatPlatformID string
}

// LessonResult is a member's score in one lesson run: Points of Max over
// the questions they answered (a question let pass scores nothing).
type LessonResult struct {
	MemberID    int64
	RunID       int64
	Points, Max float64
}

// CourseStore keeps cohorts and their lessons.
type CourseStore interface {
	// StartCohort records a new cohort with its lessons and sets c.ID.
	// A chat takes a course once at a time: check ChatCohorts first.
	StartCohort(c *Cohort, lessons []CohortLesson) error
	// ChatCohorts lists a chat's cohorts still running, oldest first.
	ChatCohorts(chatID int64) ([]Cohort, error)
	// CohortByID returns a cohort; ErrNotFound when there is none.
	CohortByID(id int64) (Cohort, error)
	// CohortLessons lists a cohort's lessons in course order, each with
	// its run's status.
	CohortLessons(cohortID int64) ([]CohortLesson, error)
	// OpenCohortLesson records the run a cohort's lesson opened as; false
	// when it opened already.
	OpenCohortLesson(cohortID int64, lessonID string, runID int64) (bool, error)
	// EndCohort marks a cohort ended at at (stopped by /unassign when
	// stopped); false when it had ended already.
	EndCohort(id int64, at time.Time, stopped bool) (bool, error)
	// RunResults lists each member's score in a run, for the members who
	// answered at least one question.
	RunResults(runID int64) ([]LessonResult, error)
}

// CourseResult is a member's outcome in a course that ended: the lessons
// they answered in (Took) and passed, and whether that passed the course.
type CourseResult struct {
	CohortID, MemberID int64
	Took, Lessons      int
	Passed             bool
	At                 time.Time
}

// Certificate is what a certificate states: who earned it (Name, as
// printed), for what (a course's or a lesson's Title), the CPD hours, and
// when; Code verifies it.
type Certificate struct {
	Code     string
	MemberID int64
	Name     string
	// CourseID or LessonID is what it is for; CohortID or RunID the
	// cohort or run that earned it.
	CourseID, LessonID string
	CohortID, RunID    int64
	Title              string
	Hours              float64
	Issued             time.Time
	// Forgotten says its holder was erased: MemberID is 0 and Name empty,
	// and the certificate still verifies, its name compared by a keyed
	// hash only.
	Forgotten bool
}

// CertificateStore keeps course results and certificates.
type CertificateStore interface {
	// SaveCourseResult records a member's outcome in a course.
	SaveCourseResult(r CourseResult) error
	// IssueCertificate records a certificate; false when the member has
	// one for that cohort or run already.
	IssueCertificate(c Certificate) (bool, error)
	// MemberCertificates lists a member's certificates, oldest first.
	MemberCertificates(memberID int64) ([]Certificate, error)
}

// CourseQueue is what the course service reads outside a transaction.
type CourseQueue interface {
	Updater
	// DueCohortLessons lists up to limit unopened lessons of running
	// cohorts whose time has come, earliest first.
	DueCohortLessons(ctx context.Context, now time.Time, limit int) ([]CohortLesson, error)
	// CohortsToEnd lists up to limit running cohorts whose lessons have
	// all opened and whose runs are all over.
	CohortsToEnd(ctx context.Context, limit int) ([]Cohort, error)
	// DoneRuns lists up to limit finished runs (without their state) of
	// the given lessons, with ids above after, in id order.
	DoneRuns(ctx context.Context, lessons []string, after int64, limit int) ([]Run, error)
}

// AssignerTx is the part of the store an Assigner sees: the courses'
// cohorts, and the outbox for its reply.
type AssignerTx interface {
	CourseStore
	OutboxWriter
}

// Assigner is a kind of thing /assign can give a group besides a lesson
// (a course). The router asks each in turn about an id it does not know
// as a lesson.
type Assigner interface {
	// Assign gives the chat the thing named id and replies; false when
	// id names none of its things.
	Assign(tx AssignerTx, s Session, id string) (bool, error)
	// Unassign takes it back and replies; false when id names none of
	// its things given to the chat.
	Unassign(tx AssignerTx, s Session, id string) (bool, error)
	// Assigned lists the chat's things, one line each, for /assign alone.
	Assigned(tx AssignerTx, s Session) ([]string, error)
	// Offered lists every thing it can give, as a paragraph that /lessons
	// adds to the list of lessons; "" when there are none.
	Offered(lang string) string
}
