package bot

import (
	"context"
	"time"
)

// Badge is a badge a member earned: Badge names it ("streak-4",
// "helpful-1").
type Badge struct {
	MemberID  int64
	Badge     string
	Earned    time.Time
	Pseudonym string
}

// GroupWeek is a group's figures for one week: members active, quiz
// answers given and right, cases opened.
type GroupWeek struct {
	Active, Answers, Correct, Cases int
}

// Streak is a member's run of weeks in a row active in a group, up to a
// week; Pseudonym is how others see them.
type Streak struct {
	MemberID  int64
	Pseudonym string
	Weeks     int
}

// MotivationStore keeps streak preferences, badges, helpful marks and
// the weekly summaries sent.
type MotivationStore interface {
	// MarkHelpful marks the peer's case reply posted as message messageID
	// in chat chatID helpful, by mentor mentorID, and returns it;
	// ErrNotFound when that message is no peer's reply to a case.
	MarkHelpful(chatID int64, messageID string, mentorID int64) (CasePost, error)
	// AwardBadge records a badge; false when the member has it already.
	AwardBadge(b Badge) (bool, error)
	// MemberBadges lists a member's badges, oldest first.
	MemberBadges(memberID int64) ([]Badge, error)
	// GroupBadges lists the badges earned since since by the members of
	// a chat who show their streaks.
	GroupBadges(chatID int64, since time.Time) ([]Badge, error)
	// GroupWeek returns a chat's figures for the week from week (a UTC
	// Monday).
	GroupWeek(chatID int64, week time.Time) (GroupWeek, error)
	// GroupStreaks lists the streaks of at least two weeks, up to week,
	// of the chat's members who show their streaks, longest first.
	GroupStreaks(chatID int64, week time.Time) ([]Streak, error)
	// ProgramStreak is a member's weeks in a row active in any group, up
	// to week.
	ProgramStreak(memberID int64, week time.Time) (int, error)
	// MarkSummary records that a chat was sent week's summary; false when
	// it was already.
	MarkSummary(chatID int64, week time.Time) (bool, error)
}

// MotivationQueue is what the motivation service reads outside a
// transaction.
type MotivationQueue interface {
	Updater
	// SummaryDue lists up to limit groups active in week (a UTC Monday)
	// not yet sent its summary.
	SummaryDue(ctx context.Context, week time.Time, limit int) ([]Chat, error)
	// HelpfulCounts counts each member's case replies marked helpful.
	HelpfulCounts(ctx context.Context) (map[int64]int, error)
	// ActiveIn lists the members active in any group in week.
	ActiveIn(ctx context.Context, week time.Time) ([]int64, error)
}
