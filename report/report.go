// Package report holds the figures Huddle reports on a program: what the
// dashboard shows, huddle report prints and the xAPI export sends. The
// store computes them (store.Reader); this package only names them, so a
// program that reads reports depends on no database.
package report

import "time"

// Learning event kinds: LearningEvent.Kind.
const (
	// EventAnswered is a quiz answer with its score.
	EventAnswered = "answered"
	// EventCompleted is a member's part in a finished lesson run, with the
	// member's score over it.
	EventCompleted = "completed"
	// EventCommented is a reply in a case's thread.
	EventCommented = "commented"
	// EventResponded is a mentor's answer to a case.
	EventResponded = "responded"
	// EventCourse is a member's outcome in a course that ended: the
	// lessons they passed (Points) of its lessons (MaxPoints), and
	// whether that passed it (Correct).
	EventCourse = "course"
	// EventCertified is a certificate issued to a member: its Code,
	// Title and CPD Hours.
	EventCertified = "certified"
)

// LearningEvent is one thing a member did that learning records report.
type LearningEvent struct {
	Kind     string
	MemberID int64
	ChatID   int64
	At       time.Time
	// Lessons: the run, lesson and step (answers), the answer given and
	// its score; for EventCompleted, the member's totals over the run.
	RunID     int64
	LessonID  string
	StepKey   string
	Seq       int
	Response  string
	Correct   bool
	Points    float64
	MaxPoints float64
	// Cases: the case and the post.
	CaseID int64
	PostID int64
	// Courses: the course and the cohort (the group's taking of it);
	// certificates: their code, title and CPD hours too.
	CourseID string
	CohortID int64
	Code     string
	Title    string
	Hours    float64
}

// Range is a report's period: From inclusive, To exclusive.
type Range struct {
	From, To time.Time
}

// GroupFigures is one group's overview for a period. Every figure is
// computed in SQL over the engagement log, runs, answers and cases.
type GroupFigures struct {
	ChatID     int64  `json:"-"`
	Channel    string `json:"channel"`
	PlatformID string `json:"chat_id"`
	Title      string `json:"title"`
	// Members have been seen in the group by the period's end.
	Members int `json:"members"`
	// Active members posted or answered in the period.
	Active int `json:"active_members"`
	// Messages are what members wrote (messages, case replies, commands).
	Messages int `json:"messages"`
	// Answers are the quiz answers members gave (not the questions they
	// let pass); Correct the right ones.
	Answers int `json:"answers"`
	Correct int `json:"correct"`
	// LessonsStarted and LessonsFinished count group lesson runs.
	LessonsStarted  int `json:"lessons_started"`
	LessonsFinished int `json:"lessons_finished"`
	// Cases were opened in the period; Escalated of them went to mentors.
	Cases     int `json:"cases"`
	Escalated int `json:"cases_escalated"`
	// MediaBytes are the bytes of the pictures, sounds and files sent to
	// the group (what its members paid for in data), by the UTC days
	// that overlap the period.
	MediaBytes int64 `json:"media_bytes"`
}

// WeekCount is one week's figure.
type WeekCount struct {
	// Week is the week's first day in the period: its Monday (weeks run
	// from Monday 00:00 UTC), or the period's start for a first week that
	// starts before it.
	Week  time.Time `json:"week"`
	Count int       `json:"count"`
}

// Durations are a set of waits, summarised.
type Durations struct {
	Count  int           `json:"count"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
}

// CaseFigures summarises case discussions and mentors' work in a period.
type CaseFigures struct {
	Cases     int `json:"cases"`
	Escalated int `json:"escalated"`
	Answered  int `json:"answered"`
	// How the cases were settled: FromArchive by an answered case offered
	// under them, which their author said answers them; ByPeers closed
	// without a mentor's answer; ByMentor (Answered) by a mentor's. The
	// rest are open.
	FromArchive int `json:"from_archive"`
	ByPeers     int `json:"by_peers"`
	// Overdue cases waited past the response target for a mentor.
	Overdue int `json:"overdue"`
	// FirstReply is from a case's opening to its first peer reply;
	// ToMentor from escalation to a mentor's assignment; ToAnswer from
	// escalation to the first mentor's answer.
	FirstReply Durations `json:"first_peer_reply"`
	ToMentor   Durations `json:"to_mentor"`
	ToAnswer   Durations `json:"to_mentor_answer"`
}

// CaseWeeks are the cases' figures week by week (see Weeks): by the week
// they were opened, how they were settled; and the mentors' load, by the
// week a case went to a mentor and the week a mentor answered one.
type CaseWeeks struct {
	Weeks                                []time.Time
	ByPeers, FromArchive, ByMentor, Open []int
	Assigned, Answered                   []int
}

// MentorLoad is one mentor's work on the cases opened in a period.
type MentorLoad struct {
	MemberID int64  `json:"-"`
	Name     string `json:"name"`
	// Pseudonym is how Huddle shows the mentor without real names.
	Pseudonym string `json:"pseudonym"`
	// Assigned cases, Answered of them, and Open (assigned, unanswered).
	Assigned int `json:"assigned"`
	Answered int `json:"answered"`
	Open     int `json:"open"`
	// MedianAnswer is the median time from assignment to their answer.
	MedianAnswer time.Duration `json:"median_answer"`
}

// LessonCount is one lesson's runs in a period.
type LessonCount struct {
	LessonID string `json:"lesson_id"`
	Started  int    `json:"started"`
	Finished int    `json:"finished"`
}

// StepFigures is one answerable step's figures in a period.
type StepFigures struct {
	Key string `json:"step"`
	// Members answered the step (at least once).
	Members int `json:"members"`
	// FirstTries are members' first answers to it; FirstRight the right
	// ones among them.
	FirstTries int `json:"first_tries"`
	FirstRight int `json:"first_right"`
	// Missed counts the times a member let the question pass.
	Missed int `json:"missed"`
	// TopWrong is the wrong answer given most, and TopWrongCount how often.
	TopWrong      string `json:"top_wrong"`
	TopWrongCount int    `json:"top_wrong_count"`
}

// PrePost compares, for members who answered both in one run, their share
// right on the pre-test steps with that on the post-test steps.
type PrePost struct {
	Members int     `json:"members"`
	Pre     float64 `json:"pre"`  // share right, 0 to 1
	Post    float64 `json:"post"` // share right, 0 to 1
}

// MemberActivity is one member's activity in a group.
type MemberActivity struct {
	MemberID int64  `json:"member_id"`
	Name     string `json:"-"`
	// Pseudonym is how Huddle shows them (bot.Member.Pseudonym).
	Pseudonym string `json:"-"`
	// Last is when they last posted or answered in the group, ever (zero
	// when never).
	Last time.Time `json:"last_active"`
	// Messages, Answers and Correct count the period's.
	Messages int `json:"messages"`
	Answers  int `json:"answers"`
	Correct  int `json:"correct"`
	// Weeks counts their posts and answers in each week of the period (see
	// Weeks).
	Weeks []int `json:"weeks"`
}

// MemberRun is one lesson run a member took part in.
type MemberRun struct {
	RunID     int64     `json:"run_id"`
	LessonID  string    `json:"lesson_id"`
	ChatTitle string    `json:"group"`
	Status    string    `json:"status"`
	Started   time.Time `json:"started"`
	Answered  int       `json:"answered"`
	Correct   int       `json:"correct"`
	Points    float64   `json:"points"`
	MaxPoints float64   `json:"max_points"`
}

// MemberSummary is one learner's record, for supervision.
type MemberSummary struct {
	MemberID  int64          `json:"member_id"`
	Name      string         `json:"-"`
	Pseudonym string         `json:"-"`
	Groups    []string       `json:"groups"`
	Runs      []MemberRun    `json:"runs"`
	Activity  map[string]int `json:"activity"` // engagement kind -> count in the period
	Cases     int            `json:"cases"`    // cases they shared in the period
}

// GroupAssignment is a lesson assigned to a group with /assign.
type GroupAssignment struct {
	LessonID string    `json:"lesson_id"`
	Next     time.Time `json:"next_start"`
}

// Recall is how members did reviewing one question in one week: how many
// reviews there were and how many were right.
type Recall struct {
	Week           time.Time
	Reviews, Right int
}

// Cohort is a group taking (or that took) a course: its lessons, when
// each opened, and each member's scores.
type Cohort struct {
	ID      int64
	ChatID  int64
	Group   string
	Started time.Time
	// Ended is zero while it runs; Stopped says /unassign ended it.
	Ended   time.Time
	Stopped bool
	Lessons []CohortLesson
	Members []CohortMember
}

// CohortLesson is one lesson of a cohort: when it opens, and its run once
// it has (Status "active", "done" or "stopped"; "" before it opens).
type CohortLesson struct {
	LessonID string
	Opens    time.Time
	RunID    int64
	Status   string
}

// CohortMember is a member of a cohort's group: their score in each of
// its lessons (in course order), and, once the course ended, their
// outcome and certificate's code.
type CohortMember struct {
	MemberID        int64
	Name, Pseudonym string
	Scores          []LessonScore
	// Outcome is nil until the course ended (or for a member who took no
	// part in it).
	Outcome     *CourseOutcome
	Certificate string
}

// LessonScore is a member's score in one lesson run: Points of Max over
// the questions they answered (Answered of them; none for a lesson they
// let pass or that has not opened).
type LessonScore struct {
	Answered    int
	Points, Max float64
}

// CourseOutcome is a member's recorded outcome in a course that ended.
type CourseOutcome struct {
	Took, Lessons int
	Passed        bool
}

// CourseFigures is one course's figures for a period.
type CourseFigures struct {
	CourseID string `json:"course"`
	// Started counts the groups that started it in the period; Running
	// those taking it at the period's end; Ended those that finished it
	// in the period.
	Started int `json:"groups_started"`
	Running int `json:"groups_running"`
	Ended   int `json:"groups_ended"`
	// TookPart and Passed count the members of the groups that ended it
	// in the period: who answered in at least one lesson, and who passed.
	TookPart int `json:"members_took_part"`
	Passed   int `json:"members_passed"`
	// Certificates were issued in the period, for Hours CPD hours in all.
	Certificates int     `json:"certificates"`
	Hours        float64 `json:"cpd_hours"`
}

// Attachment is a photo or voice note members sent, as the dashboard
// lists it: only those shown (a case photo its author checked), never one
// still waiting for its author.
type Attachment struct {
	ID       int64
	Hash     string
	Kind     string // "photo" or "voice"
	MIMEType string
	Size     int
	ChatID   int64
	Chat     string
	MemberID int64
	// Name and Pseudonym name the sender; empty once they are forgotten.
	Name, Pseudonym string
	// CaseID and CaseText say the case it belongs to (a photo, or a
	// mentor's voice answer); LessonID and StepID the lesson question a
	// voice note answered.
	CaseID           int64
	CaseText         string
	LessonID, StepID string
	Caption          string
	At               time.Time
}
