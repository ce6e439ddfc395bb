package bot

import (
	"context"
	"time"
)

// Member is a person the bot has seen on one channel.
type Member struct {
	ID         int64
	Channel    string
	PlatformID string
	// Alias is another platform id of the same person (Event.SenderAlias),
	// empty when the platform has none.
	Alias string
	Name  string
	// Lang is the member's chosen language code, empty until chosen.
	Lang    string
	Created time.Time
	// Pseudonym is how Huddle shows them to others ("Member-4821"), given
	// on first sight or chosen with /name; unique without regard to case.
	Pseudonym string
}

// PlatformIDs are the member's platform id and, when there is one, their
// alias: every id the platform may send for them.
func (m Member) PlatformIDs() []string {
	if m.Alias == "" {
		return []string{m.PlatformID}
	}
	return []string{m.PlatformID, m.Alias}
}

// PseudonymPrefix starts the pseudonyms Huddle gives: "Member-4821".
const PseudonymPrefix = "Member-"

// Chat is a group or direct conversation the bot has seen.
type Chat struct {
	ID         int64
	Channel    string
	PlatformID string
	Type       ChatType
	Title      string
	// Lang is the language of posts to the whole chat, empty for the
	// lesson's own fallback.
	Lang string
	// Forum says the group is a forum, with topics (Telegram).
	Forum bool
	// LightMedia says the group asked to be light on data (/data light):
	// pictures come as small previews with a button for the full size.
	LightMedia bool
}

// Key is the chat's ChatKey.
func (c Chat) Key() string { return ChatKey(c.Channel, c.PlatformID) }

// RunStatus is the state of a lesson run.
type RunStatus string

// Run statuses.
const (
	RunActive  RunStatus = "active"
	RunDone    RunStatus = "done"
	RunStopped RunStatus = "stopped"
)

// Run is one lesson being taken in one chat. The engine owns State, an
// opaque serialized document; the other fields are kept in columns so runs
// can be queried and reported on.
type Run struct {
	ID       int64
	LessonID string
	ChatID   int64
	// StartedBy is the member who started the run.
	StartedBy int64
	Mode      string
	Status    RunStatus
	// Step is the index of the current step; Seq counts steps entered, so a
	// timer or an option press carrying an older Seq is stale.
	Step     int
	Seq      int
	State    []byte
	Started  time.Time
	Updated  time.Time
	Finished time.Time
}

// RunMember is one member's part of a run. Like Run.State, State is the
// engine's own serialized document: kept apart so that an answer rewrites
// its member's part only, whatever the group's size.
type RunMember struct {
	RunID    int64
	MemberID int64
	State    []byte
}

// Timer wakes a run at Due. A timer whose Seq no longer matches its run's is
// stale and ignored.
type Timer struct {
	ID    int64
	RunID int64
	Seq   int
	Due   time.Time
	// Channel and ChatPlatformID locate the run's chat, so the timer fires
	// in that chat's queue; stores fill them when listing due timers, and
	// AddTimer looks them up when they are not given.
	Channel        string
	ChatPlatformID string
}

// Answer is one member's scored answer to one quiz or ask step of a run.
type Answer struct {
	RunID     int64
	MemberID  int64
	StepID    string
	Seq       int
	Value     string
	Correct   bool
	Points    float64
	MaxPoints float64
	// Voice is the voice note given as the answer (an ask step's), kept
	// beside it as an attachment; Value then starts with 🎤.
	Voice *File
	At    time.Time
}

// Engagement kinds.
const (
	EngageMessage = "message"
	EngageCommand = "command"
	EngageAnswer  = "answer"
	EngageOption  = "option"
	// EngageReaction, EngageEdit and EngageDelete record a member's
	// reaction to, edit of, or deletion of a message.
	EngageReaction = "reaction"
	EngageEdit     = "edit"
	EngageDelete   = "delete"
)

// Engagement is one row of the engagement log: who did what, where, when.
type Engagement struct {
	MemberID int64
	ChatID   int64
	Kind     string
	At       time.Time
}

// Progress is one member's standing in one run.
type Progress struct {
	RunID    int64
	LessonID string
	Status   RunStatus
	// Answered counts the questions asked the member, Missed those they
	// did not answer (scored zero).
	Answered  int
	Missed    int
	Correct   int
	Points    float64
	MaxPoints float64
	Started   time.Time
	Finished  time.Time
}

// Assignment is a lesson staff assigned to a group: it starts by itself at
// Next, which then moves to the lesson's next scheduled time.
type Assignment struct {
	ID       int64
	ChatID   int64
	LessonID string
	// AssignedBy is the member who sent /assign.
	AssignedBy int64
	Next       time.Time
	// Channel and ChatPlatformID name the chat (filled by DueAssignments).
	Channel        string
	ChatPlatformID string
}

// OutboxItem is a queued outbound message.
type OutboxItem struct {
	ID int64
	Outbound
	Attempts int
	Created  time.Time
	// Claimed is when this instance's claim on the message runs out,
	// where several instances share the database (zero with one): from
	// then on another may send it, so this one no longer does.
	Claimed time.Time
}

// Updater runs transactions: what the Router needs of the store.
type Updater interface {
	// Update runs fn in one transaction and commits it durably before it
	// returns; when fn returns an error nothing of it is kept. fn may run
	// more than once (a store may retry a batch), so it must change
	// nothing outside the transaction.
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is the view of the store inside one transaction: one small
// interface per area, so that code which needs one area can say so, and a
// fake of one area stays small.
type Tx interface {
	EventStore
	MemberStore
	ChatStore
	EngagementLog
	RunStore
	AssignmentStore
	CaseStore
	OutboxWriter
	PrivacyStore
	ReviewStore
	CourseStore
	CertificateStore
	MotivationStore
	AttachmentStore
}

// EventStore records the platform events seen, so a repeat is recognised.
type EventStore interface {
	// SeeEvent records an inbound event id; it returns false when the id
	// was seen before.
	SeeEvent(id string, at time.Time) (bool, error)
}

// MemberStore holds members: who they are, their language, their pseudonym.
type MemberStore interface {
	// EnsureMember returns the member, creating it on first sight.
	EnsureMember(channel, platformID, name string, at time.Time) (Member, error)
	// SetMemberLang sets a member's language.
	SetMemberLang(memberID int64, lang string) error
	// MemberByID returns a member; ErrNotFound when there is none.
	MemberByID(id int64) (Member, error)
	// MemberLang returns the language to write to a member in: the one
	// they chose, else that of the group they were last seen in that has
	// one, else "".
	MemberLang(memberID int64) (string, error)
	// MemberByRef finds a configured member (staff, mentor) by platform id
	// or alias, whole or by the part before "@"; ErrNotFound when they
	// have never written.
	MemberByRef(ref StaffRef) (Member, error)
	// SetPseudonym gives a member the pseudonym they chose; ErrDuplicate
	// when another member has it, in any case.
	SetPseudonym(memberID int64, name string) error
	// DirectChatOf is the member's private chat with the bot; ErrNotFound
	// when they have never written privately.
	DirectChatOf(memberID int64) (Chat, error)
}

// ChatStore holds chats and who was seen in them.
type ChatStore interface {
	// EnsureChat returns the chat, creating it on first sight.
	EnsureChat(channel, platformID string, typ ChatType, title string, at time.Time) (Chat, error)
	// JoinChat records that a member is in a chat and was active at at.
	JoinChat(chatID, memberID int64, at time.Time) error
	// Arrive is EnsureChat, EnsureMember and JoinChat for an inbound event
	// in one step: it returns the chat and the member, creating, renaming
	// and recording as they do, and writes nothing when nothing changed.
	Arrive(ev Event, at time.Time) (Chat, Member, error)
	// ChatMemberIDs lists the ids of the members seen in a chat at or
	// after since, and still in it.
	ChatMemberIDs(chatID int64, since time.Time) ([]int64, error)
	// LeaveChat records that ev's sender left ev's chat (or was removed),
	// and the chat's new size: the chat (ErrNotFound for one never seen),
	// the member's id (0 for one never seen there) and whether they were
	// in it until now (false too for a leave told twice).
	LeaveChat(ev Event, at time.Time) (Chat, int64, bool, error)
	// ChatByID returns a chat by its id.
	ChatByID(id int64) (Chat, error)
	// ChatSize returns how many people a group has as its platform last
	// said (bots left out); 0 when unknown.
	ChatSize(chatID int64) (int, error)
	// SetChatRemoved records that the bot was removed from the group
	// (removed) or is in it again; a group never seen is left alone.
	SetChatRemoved(channel, platformID string, removed bool, at time.Time) error
	// SetChatLang sets a chat's language.
	SetChatLang(chatID int64, lang string) error
	// SetChatLightMedia sets whether the chat gets pictures as previews.
	SetChatLightMedia(chatID int64, light bool) error
	// MigrateChat moves a chat, and its pending messages, to a new platform id.
	MigrateChat(channel, oldID, newID string) error
	// InChat reports whether a member has been seen in a chat and has not
	// left it.
	InChat(memberID, chatID int64) (bool, error)
	// InAnyGroup reports whether a member is in a group of the program.
	InAnyGroup(memberID int64) (bool, error)
	// InCourseWith reports whether a member is in chatID's group, or in a
	// group that took a course chatID's group took.
	InCourseWith(memberID, chatID int64) (bool, error)
	// ChatByPlatform returns a chat by its platform id; ErrNotFound when
	// it was never seen.
	ChatByPlatform(channel, platformID string) (Chat, error)
}

// EngagementLog is the activity log reports count.
type EngagementLog interface {
	// LogEngagement appends to the engagement log.
	LogEngagement(e Engagement) error
}

// RunStore holds lesson runs, each member's part of them, their timers and the answers given.
type RunStore interface {
	// ActiveRun returns the chat's active run or ErrNotFound.
	ActiveRun(chatID int64) (Run, error)
	// RunByID returns a run or ErrNotFound.
	RunByID(id int64) (Run, error)
	// CreateRun stores a new run and sets its ID.
	CreateRun(r *Run) error
	// SaveRun stores a run's new state.
	SaveRun(r *Run) error
	// RunMembers returns each member's part of a run, as the engine last
	// saved it.
	RunMembers(runID int64) ([]RunMember, error)
	// SaveRunMembers stores members' parts of runs, replacing earlier ones.
	SaveRunMembers(ms []RunMember) error
	// AddTimer schedules a timer.
	AddTimer(t Timer) error
	// FireTimer marks a timer fired; it returns false when it had fired
	// already, so a timer is acted on once.
	FireTimer(id int64, at time.Time) (bool, error)
	// SaveAnswer records a member's answer; a second answer of the same
	// member to the same step of the same run is refused with
	// ErrDuplicate.
	SaveAnswer(a Answer) error
	// MemberProgress lists a member's runs with their scores, newest first.
	MemberProgress(memberID int64) ([]Progress, error)
}

// AssignmentStore holds the lessons assigned to chats.
type AssignmentStore interface {
	// Assign records that a lesson starts in a chat at a.Next (and then on
	// its schedule), replacing an earlier assignment of it there.
	Assign(a *Assignment) error
	// Unassign removes a lesson's assignment from a chat; false when there
	// was none.
	Unassign(chatID int64, lessonID string) (bool, error)
	// ChatAssignments lists a chat's assignments, soonest first.
	ChatAssignments(chatID int64) ([]Assignment, error)
	// AdvanceAssignment moves an assignment from its start at from to next;
	// false when it is no longer at from (moved already, or removed).
	AdvanceAssignment(id int64, from, next time.Time) (bool, error)
}

// CaseStore holds case discussions, their threads, the mentors' queues and the cases held back for their authors.
type CaseStore interface {
	// AssignedMentors lists the members who have cases assigned to them.
	AssignedMentors() ([]Member, error)
	// DigestSent returns when a mentor was last sent their digest (zero
	// for never); SetDigestSent records it.
	DigestSent(memberID int64) (time.Time, error)
	SetDigestSent(memberID int64, at time.Time) error
	// CreateCase stores a new case, setting c.ID.
	CreateCase(c *Case) error
	// SaveCase writes a case's status, assignment and milestones.
	SaveCase(c *Case) error
	// SaveCaseAuthor sets the author of a case a lesson opened.
	SaveCaseAuthor(caseID, authorID int64) error
	// CaseByID returns a case, or ErrNotFound.
	CaseByID(id int64) (Case, error)
	// RemoveCase erases a case: its text, thread, photos and voice notes,
	// and its place in the archive.
	RemoveCase(caseID int64) error
	// LinkCaseMessage records that the outbox message with key is about a
	// case, so that replies to it join the case.
	LinkCaseMessage(outboxKey string, caseID int64) error
	// LatestRunCase returns the last case a lesson run opened, or
	// ErrNotFound.
	LatestRunCase(runID int64) (Case, error)
	// CaseByMessage finds the case a message in a chat is about: one of the
	// bot's case messages, or a post in a case's thread; ErrNotFound else.
	CaseByMessage(chatID int64, platformMsgID string) (Case, error)
	// CaseOpenedBy returns the case a member's message in a chat opened
	// (a /case); ErrNotFound when it opened none.
	CaseOpenedBy(chatID int64, platformMsgID string) (Case, error)
	// CasePostByMessage returns the thread post a member's message in a
	// chat made; ErrNotFound when it made none.
	CasePostByMessage(chatID int64, platformMsgID string) (CasePost, error)
	// SetCaseText and SetCasePostText replace the text of a case or of a
	// post (edited by its member); the caller writes the index.
	SetCaseText(caseID int64, text string) error
	SetCasePostText(postID int64, text string) error
	// CaseMessageID returns the platform id the case's post in its group
	// was sent under; "" while it is unsent.
	CaseMessageID(caseID int64) (string, error)
	// AddCasePost adds a reply or an answer to a case's thread.
	AddCasePost(p CasePost) error
	// CasePosts lists a case's thread, oldest first.
	CasePosts(caseID int64) ([]CasePost, error)
	// IndexCase replaces a case's text in the archive's search index.
	IndexCase(caseID int64, body string) error
	// SearchCases finds answered and closed cases matching query among the
	// groups the member belongs to, best first.
	SearchCases(memberID int64, query string, limit int) ([]CaseHit, error)
	// SimilarCases lists the answered and closed cases whose text or
	// thread holds any of the query's terms, best first: ranked by BM25
	// on SQLite (FTS5), by ts_rank on PostgreSQL.
	SimilarCases(q SimilarQuery) ([]CaseHit, error)
	// MentorCases lists the cases assigned to a mentor, and the escalated
	// ones still waiting in the given queues.
	MentorCases(mentorID int64, queues []string) ([]Case, error)
	// OpenAssignments counts the cases assigned to a mentor and not yet
	// answered.
	OpenAssignments(mentorID int64) (int, error)
	// LastAssignee is the mentor who got the queue's latest assignment, or
	// 0.
	LastAssignee(queue string) (int64, error)
	// SavePendingCase stores a flagged case's redacted text, setting p.ID.
	SavePendingCase(p *PendingCase) error
	// TakePendingCase returns and deletes an author's pending case;
	// ErrNotFound when it is gone (confirmed or discarded already) or is
	// not theirs.
	TakePendingCase(id, authorID int64) (PendingCase, error)
	// AddMentor makes a member a mentor of queue (beside the config's);
	// false when they were already.
	AddMentor(queue string, memberID int64, at time.Time) (bool, error)
	// RemoveMentor undoes AddMentor; false when they were not one.
	RemoveMentor(queue string, memberID int64) (bool, error)
	// AddedMentors lists the members added as mentors of queue (all
	// queues when queue is ""), keyed by queue, in the order added.
	AddedMentors(queue string) (map[string][]Member, error)
}

// OutboxWriter queues messages to send.
type OutboxWriter interface {
	// Enqueue adds a message to the outbox; a second message with the same
	// key is ignored.
	Enqueue(m Outbound, at time.Time) error
}

// PrivacyStore holds answers to the privacy notice and carries out members' rights over their data.
type PrivacyStore interface {
	// Consent returns the privacy-notice answer of the person with any of
	// the platform ids (the latest when they differ); the zero Consent
	// when they were never asked.
	Consent(channel string, ids ...string) (Consent, error)
	// SetConsent records c under each of the person's platform ids.
	SetConsent(channel string, ids []string, c Consent) error
	// DeleteConsent erases the consent records of the platform ids.
	DeleteConsent(channel string, ids ...string) error
	// DropConsentNotices deletes the privacy notices and answers queued
	// for a chat, sent or not.
	DropConsentNotices(channel, chatID string) error
	// ForgetMember erases a member from every table, keeping only counts
	// without identity; their case posts stay without an author.
	ForgetMember(memberID int64, now time.Time) error
	// MemberData gathers what Huddle holds about a member.
	MemberData(memberID int64) (MemberData, error)
}
