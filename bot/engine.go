package bot

import "time"

// LessonInfo describes a loaded lesson for listings.
type LessonInfo struct {
	ID    string
	Title string
	// Mode is "group" or "direct".
	Mode  string
	Steps int
	// PassMark is the fraction of quiz points that passes; 0 for none.
	PassMark float64
	// Schedule describes when the lesson starts by itself once assigned
	// ("mon, wed, fri at 08:30"); empty when it has no schedule.
	Schedule string
}

// Session is what the engine is told about an inbound event: the event, and
// the chat and member it resolved to.
type Session struct {
	Event  Event
	Chat   Chat
	Member Member
	// Lang is the member's language, or empty.
	Lang string
	Now  time.Time
}

// EngineTx is the part of the store a lesson engine sees: its runs and
// what they touch (chats, members, the outbox, engagement), the cases its
// steps open (CaseTx), and what a run's end gives (the courses' results,
// certificates, review cards). Not the events seen, assignments or
// consents.
type EngineTx interface {
	CaseTx
	RunStore
	EngagementLog
	CourseStore
	CertificateStore
	ReviewStore
}

// Engine runs lessons. Every method works inside the caller's transaction:
// the state change and the messages it causes commit together.
type Engine interface {
	// Lessons lists the loaded lessons, titles in lang where available.
	Lessons(lang string) []LessonInfo
	// Lesson describes one lesson; false when there is none with that id.
	Lesson(id, lang string) (LessonInfo, bool)
	// Start begins lesson id in the session's chat and returns its run's
	// id. The caller has checked that no other run is active there.
	Start(tx EngineTx, s Session, id string) (int64, error)
	// Offer gives a message or option press to the chat's active run. It
	// reports whether the run took it as an answer.
	Offer(tx EngineTx, s Session) (bool, error)
	// Fire acts on a due timer.
	Fire(tx EngineTx, t Timer, now time.Time) error
	// Left tells the chat's active run that a member left the group: a
	// question stops waiting for them (memberID 0: one never seen there)
	// and for the group's size as the store now holds it.
	Left(tx EngineTx, chat Chat, memberID int64, now time.Time) error
	// Stop ends a run early (replaced by another lesson).
	Stop(tx EngineTx, run Run, now time.Time) error
	// Describe says where a run is, for a member: "Hand hygiene, step 3 of 9".
	Describe(run Run, lang string) string
	// NextStart is a scheduled lesson's first start after after; false
	// when the lesson has no schedule.
	NextStart(id string, after time.Time) (time.Time, bool)
}
