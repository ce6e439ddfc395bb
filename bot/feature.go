package bot

import (
	"context"
	"time"
)

// Feature is one part of Huddle plugged into the router and the
// scheduler: its commands and option handlers, the messages and edits it
// takes, what /assign gives through it, who mentors through it, and its
// work on the clock, and the gate it holds in front of all the others.
// The lessons' commands, case discussions, spaced review, courses,
// motivation and the privacy notice with the members' rights are
// features, and so is an embedding program's own: the App wires them all
// one way, and the router holds none of their logic.
type Feature struct {
	// Name names the feature in logs.
	Name string
	// Commands are its commands: one named like a built-in or an earlier
	// feature's replaces it. Options are its option handlers, likewise by
	// prefix.
	Commands []Command
	Options  []OptionHandler
	// Fallback makes its commands stand only where no other feature has
	// one of the same name, and come last in /help: the members' rights,
	// which a program may replace.
	Fallback bool
	// Gatekeeper, when set, stands in front of every feature: the
	// privacy notice.
	Gatekeeper Gatekeeper
	// Messages are offered, in the order of the features, each message
	// that no lesson took and that is no command: a reply in a case's
	// thread, an answer to a spaced-review question. The first that takes
	// it (true) ends the offer; a private message none takes gets a hint.
	// Engage is the engagement logged when one of them takes a message
	// (EngageAnswer when empty).
	Messages []TextHandler
	Engage   string
	// Edits are offered each edit of a member's message (Edited), in
	// order, all of them.
	Edits []TextHandler
	// Assigner is what /assign gives a group through it besides lessons
	// (courses); nil for none.
	Assigner Assigner
	// Mentors reports whether a member mentors through it, for /help and
	// for the lessons (a question does not wait for mentors); nil when it
	// has no mentors. Mentors answer cases: it sees the cases' part of the
	// store.
	Mentors func(tx CaseTx, m Member) (bool, error)
	// Jobs are its periodic work.
	Jobs []Job
	// Checks are its items on the clock, each acted on in its chat's turn
	// once due (a case's escalation and reminders).
	Checks []Check
}

// Job is periodic work the Scheduler runs: Run now, then every Every,
// until the Scheduler stops. Committed is called after each run that
// succeeded (it may have queued messages); a failed run is logged. Run
// gets the queue of chats' turns, for work that must run in one.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, turns ChatQueue) error
}

// Check is clock work a feature keeps item by item: Due lists up to limit
// items whose time has come, and Do acts on one in its chat's turn, in a
// transaction of its own (it may find the item handled already).
type Check struct {
	Name string
	Due  func(ctx context.Context, now time.Time, limit int) ([]Due, error)
	Do   func(tx Tx, id int64, now time.Time) error
}

// Due is an item a Check listed: its id, and the turn it takes (a key
// that orders it with its chat's other work).
type Due struct {
	ID   int64
	Turn string
}

// ChatQueue runs work in a chat's turn: after the events and work of that
// chat queued before it, one at a time. The Router is one.
type ChatQueue interface {
	// InTurn queues fn in the turn of the chat key (see ChatKey) and
	// returns a channel that receives fn's result.
	InTurn(ctx context.Context, key string, fn func(ctx context.Context) error) <-chan error
}
