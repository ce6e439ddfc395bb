package bot

import "time"

// CaseStatus is where a case discussion stands.
type CaseStatus string

// Case statuses.
const (
	CaseOpen     CaseStatus = "open"     // in the group; maybe escalated, waiting for a mentor
	CaseAssigned CaseStatus = "assigned" // a mentor has it
	CaseAnswered CaseStatus = "answered" // a mentor answered
	CaseClosed   CaseStatus = "closed"
)

// Case is a de-identified case shared with a group for discussion.
type Case struct {
	ID       int64
	ChatID   int64
	AuthorID int64
	// RunID is the lesson run whose discuss step opened it, or 0.
	RunID  int64
	Text   string
	Status CaseStatus
	Queue  string
	// Created, FirstReply, Escalated, Assigned, FirstAnswer and Closed are
	// the case's milestones (zero until reached); they are its metrics.
	Created     time.Time
	FirstReply  time.Time
	EscalateAt  time.Time // escalate by itself then, unless a peer replied
	Escalated   time.Time
	AssignedTo  int64
	Assigned    time.Time
	Reminded    bool
	Overdue     time.Time
	FirstAnswer time.Time
	Closed      time.Time
	// NextCheck is when the case's timers (escalation, reminder,
	// reassignment) are next looked at; zero when none are pending.
	NextCheck time.Time
	// MessageID is the platform id of the member's message that opened
	// the case (a /case in its group); empty for one a lesson or a
	// private confirmation opened.
	MessageID string
	// AnsweredFrom is the archived case that answered it, when its author
	// closed it so (one offered under it); 0 otherwise.
	AnsweredFrom int64
}

// CasePost is one message in a case's thread.
type CasePost struct {
	// ID is the post's (filled when marked helpful).
	ID       int64
	CaseID   int64
	MemberID int64
	// Name is the poster's name (filled when listing).
	Name      string
	Pseudonym string
	Kind      string // "reply" or "answer"
	Text      string
	MessageID string
	At        time.Time
}

// Case post kinds.
const (
	PostReply  = "reply"
	PostAnswer = "answer"
)

// PendingCase is a case held back because it may identify a patient: its
// redacted text waits for the author to confirm it.
type PendingCase struct {
	ID       int64
	ChatID   int64
	AuthorID int64
	Text     string
	Created  time.Time
}

// CaseHit is one case found in the archive.
type CaseHit struct {
	Case
	ChatTitle string
	Snippet   string
	// Indexed is what the archive's index holds of it (its text and its
	// thread), for SimilarCases' hits.
	Indexed string
}

// SimilarQuery asks the archive for the cases most like a new one.
type SimilarQuery struct {
	// Terms are the new case's terms (package terms); one ending in "*"
	// is a prefix.
	Terms []string
	// Langs are the languages of the groups whose cases are looked at
	// ("" for a group of the default language).
	Langs []string
	// ChatID, when set, looks at that group's cases only; CourseOf, when
	// set, at the cases of that group and of the groups that took a
	// course it took.
	ChatID   int64
	CourseOf int64
	// Except is a case left out (the new one itself).
	Except int64
	Limit  int
}

// CaseOptions are a case's settings when a lesson opens it.
type CaseOptions struct {
	RunID int64
	// Queue is the mentor queue; the group's when empty.
	Queue string
	// EscalateAfter sends the case to a mentor when no peer has replied by
	// then; zero leaves it to /escalate.
	EscalateAfter time.Duration
	// Key is the outbox key of a message already queued that presents the
	// case (a lesson's discuss prompt); empty to post the case anew.
	Key string
	// MessageID is the platform id of the member's message that opens the
	// case, whose edits are checked as it was.
	MessageID string
}

// Cases is what the lesson engine asks of case discussions: a lesson's
// discuss step opens a case, and its escalate step sends one to a
// mentor. (The rest of case discussions plugs in as a Feature.)
type Cases interface {
	// Open shares a de-identified case in a group.
	Open(tx CaseTx, chat Chat, author Member, text string, o CaseOptions, now time.Time) (Case, error)
	// Escalate sends a case to its queue's mentors now, saying so in its
	// group.
	Escalate(tx CaseTx, c Case, now time.Time) error
}

// CaseTx is the part of the store case discussions see: their cases and
// attachments, the chats and members they name, the helpful-reply badges
// they award, and the outbox.
type CaseTx interface {
	AttachmentStore
	CaseStore
	ChatStore
	MemberStore
	MotivationStore
	OutboxWriter
}

// Engagement kinds of case discussions.
const (
	EngageCase      = "case"
	EngageCaseReply = "case_reply"
)
