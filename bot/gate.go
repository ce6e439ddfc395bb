package bot

import "time"

// Gatekeeper stands in front of every feature: the router asks it once about
// each event a person sends (not a member's leaving, nor a channel's own
// notices) before anything about them is recorded, and goes on only when
// it passes. The privacy notice is one (package privacy); a Feature
// brings it, and the router takes the first feature's that has one.
type Gatekeeper interface {
	// Admit decides on an event. It may answer the sender itself through
	// tx (the notice, a refusal), recording nothing that names them
	// unless they have accepted.
	Admit(tx Tx, in Entry) (Verdict, error)
}

// Entry is what a Gatekeeper decides on: the event, the time, and the
// commands, by name, for what the event asks (a command's Gate says how
// it meets the notice).
type Entry struct {
	Event Event
	Now   time.Time
	// Command returns the command of a name or alias; nil for none.
	Command func(name string) *Command
	// Teacher reports whether the sender is one of the programme's
	// staff or mentors, named in its configuration or made a mentor by
	// staff; asked only of a sender who has not accepted the notice, as
	// it may read the store.
	Teacher func() (bool, error)
}

// Verdict is a Gatekeeper's answer.
type Verdict struct {
	// Pass lets the event on to the features.
	Pass bool
	// Greet, when set, welcomes a sender whom this very event admitted
	// (they accepted the notice), in their language: the router says it
	// with its own welcome, and then carries out Then, when set, as if
	// they had sent it (the command that brought the notice), instead of
	// handling the event.
	Greet func(lang string) string
	Then  string
}
