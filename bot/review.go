package bot

import (
	"context"
	"time"
)

// ReviewCard is one question a member got wrong, to review on their own
// until they know it: the review service schedules it.
type ReviewCard struct {
	MemberID          int64
	LessonID, StepKey string
	// State is the scheduler's record of the card, opaque to the store.
	State []byte
	// Due is when it is next to be reviewed.
	Due time.Time
	// Sent is when it was sent for review and not yet answered; zero
	// otherwise. LastSent is when it was last sent at all.
	Sent, LastSent time.Time
	// Updated is when a wrong answer or a review last changed it.
	Updated time.Time
}

// ReviewPrefs are a member's learning preferences: whether, and when,
// they review (between From and To minutes after midnight in the
// program's time zone), whether they are nudged when inactive (not when
// NoNudges), with the last nudge's time, the name they want on their
// certificates ("" for their platform name), and the time zone their
// hours are read in (an IANA name; "" for the program's), and whether
// their streaks are shown.
type ReviewPrefs struct {
	MemberID int64
	On       bool
	From, To int
	NoNudges bool
	Nudged   time.Time
	CertName string
	TimeZone string
	// NoStreaks keeps the member out of the weekly summary's streaks and
	// badges.
	NoStreaks bool
}

// WrongAnswer is a member's wrong answer to a lesson's question (one
// given: a question missed is not one).
type WrongAnswer struct {
	MemberID          int64
	LessonID, StepKey string
	At                time.Time
	// RunID and Seq, with At and MemberID, place it among the answers.
	RunID int64
	Seq   int
}

// ReviewStore keeps members' review cards and preferences.
type ReviewStore interface {
	// ReviewCard returns a member's card for a question; ErrNotFound when
	// there is none.
	ReviewCard(memberID int64, lessonID, stepKey string) (ReviewCard, error)
	// SaveReviewCard writes a card, new or changed.
	SaveReviewCard(c ReviewCard) error
	// PendingReview returns the member's card sent and not yet answered;
	// ErrNotFound when none is.
	PendingReview(memberID int64) (ReviewCard, error)
	// ReviewsSentSince counts the cards sent to the member since t.
	ReviewsSentSince(memberID int64, t time.Time) (int, error)
	// LogReview records a review's outcome: right or not, when.
	LogReview(c ReviewCard, right bool, at time.Time) error
	// ReviewPrefs returns a member's preferences (off when never set).
	ReviewPrefs(memberID int64) (ReviewPrefs, error)
	// SetReviewPrefs writes them.
	SetReviewPrefs(p ReviewPrefs) error
}

// ReviewQueue is what the review service reads outside a transaction.
type ReviewQueue interface {
	Updater
	// WrongAnswers lists up to limit wrong answers that come after after
	// (by time, then member, run and visit), oldest first; the zero
	// WrongAnswer is before all.
	WrongAnswers(ctx context.Context, after WrongAnswer, limit int) ([]WrongAnswer, error)
	// Inactive lists up to limit members, after member id after, not seen
	// in any chat since since, who have not turned nudges off and were
	// not nudged since they were last seen.
	Inactive(ctx context.Context, since time.Time, after int64, limit int) ([]int64, error)
	// DueReviews lists up to limit cards due at now, not awaiting an
	// answer, of members who review, that come after after (by due time,
	// member, lesson and step); the zero ReviewCard is before all.
	DueReviews(ctx context.Context, now time.Time, after ReviewCard, limit int) ([]ReviewCard, error)
}
