package bot

import "time"

// MemberData is everything Huddle holds about a member, as /mydata shows
// it: one field for each table that refers to members.
type MemberData struct {
	Member  Member
	Consent Consent
	// Chats are the groups and private chats they were seen in.
	Chats []MemberChat
	// Runs are the lesson runs they answered in or started, oldest first,
	// each with their answers.
	Runs []MemberRun
	// Cases are the cases they shared; Held are cases they sent that wait
	// for them to confirm the redacted text.
	Cases, Held []MemberCase
	// Posts are their replies and mentor answers in case threads.
	Posts []MemberPost
	// Queues are the mentor queues they serve; Mentored the ids of the
	// cases assigned to them as mentor.
	Queues   []string
	Mentored []int64
	// DigestSent is when they were last sent the mentors' morning digest.
	DigestSent time.Time
	// Assigned are the lessons they assigned to a chat with /assign;
	// Courses the courses they started there.
	Assigned []MemberAssignment
	Courses  []MemberCourse
	// CourseResults are their outcomes in courses that ended;
	// Certificates those they earned.
	CourseResults []MemberCourseResult
	Certificates  []Certificate
	// Badges are the badges they earned; MarkedHelpful the cases whose
	// peers' replies they marked helpful, as mentor.
	Badges        []Badge
	MarkedHelpful []int64
	// Attachments are the photos and voice notes they sent, with their
	// files.
	Attachments []Attachment
	// Activity counts the activity log by kind.
	Activity map[string]int
	// Weeks are the weeks (by their Monday) they were active in each
	// chat; ProgramWeeks those they were active in any group.
	Weeks        []MemberWeek
	ProgramWeeks []time.Time
	// Review is their spaced review: whether and when they review, their
	// cards and how each review went.
	Review MemberReview
}

// MemberReview is a member's spaced review.
type MemberReview struct {
	Prefs   *ReviewPrefs
	Cards   []ReviewCard
	Reviews []MemberReviewed
}

// MemberReviewed is one review a member made.
type MemberReviewed struct {
	LessonID, StepKey string
	Right             bool
	At                time.Time
}

// MemberChat is a chat a member was seen in.
type MemberChat struct {
	Title    string
	Type     ChatType
	Joined   time.Time
	LastSeen time.Time
	// Left is when they left it; zero while they are in it.
	Left time.Time
}

// MemberRun is a lesson run a member took part in.
type MemberRun struct {
	ID       int64
	LessonID string
	Chat     string
	Status   RunStatus
	// StartedByThem says they started it.
	StartedByThem bool
	Started       time.Time
	Finished      time.Time
	Answers       []MemberAnswer
	// Part is the engine's record of their part in the run (their score,
	// what the open question waits for from them), JSON; nil when none.
	Part []byte
}

// MemberAnswer is one of a member's answers.
type MemberAnswer struct {
	Step              string
	Value             string
	Correct           bool
	Points, MaxPoints float64
	At                time.Time
}

// MemberCase is a case a member shared, as stored (de-identified).
type MemberCase struct {
	ID      int64
	Chat    string
	Text    string
	Status  CaseStatus
	Created time.Time
}

// MemberPost is a member's post in a case thread: a "reply" or a mentor's
// "answer".
type MemberPost struct {
	CaseID int64
	Kind   string
	Text   string
	At     time.Time
}

// MemberAssignment is a lesson a member assigned to a chat.
type MemberAssignment struct {
	LessonID string
	Chat     string
	Next     time.Time
}

// MemberCourse is a course a member started in a chat with /assign.
type MemberCourse struct {
	CourseID string
	Chat     string
	Started  time.Time
}

// MemberCourseResult is a member's outcome in a course that ended in a
// chat.
type MemberCourseResult struct {
	CourseID, Chat string
	Took, Lessons  int
	Passed         bool
	At             time.Time
}

// MemberWeek is a week a member was active in a chat.
type MemberWeek struct {
	Chat string
	Week time.Time
}
