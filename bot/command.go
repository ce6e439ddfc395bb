package bot

import "strings"

// Command is a slash command as a value: its name, how it is used, its
// help, where it works, who may use it, how it meets the privacy notice,
// and what it does. Every feature's commands are values of this type,
// brought in by its Feature (an embedding program's too); /help and the
// privacy notice's gate are made from them.
type Command struct {
	// Name is the command without its slash, in lower case.
	Name string
	// Aliases are other names for it.
	Aliases []string
	// Usage names its arguments for /help in a language: "ID", "TEXT";
	// nil for none.
	Usage func(lang string) string
	// Help says what it does in a language, in a few words; a command
	// without Help is left out of /help. /help lists the members'
	// commands to everyone, the admins' to a group's admins in the group,
	// and the mentors' and staff's to them in private.
	Help func(lang string) string
	// Where says in which chats it works; the router refuses it elsewhere.
	Where Where
	// Who says who may use it; the router refuses staff and admin
	// commands to others. A mentor command checks its mentors itself
	// (they are the case service's).
	Who Role
	// Gate says how it meets the privacy notice before the member has
	// accepted it.
	Gate Gate
	// Run carries it out, within the event's transaction.
	Run func(tx Tx, s Session, args []string) error
}

// Where is where a command works.
type Where int

// Where a command works.
const (
	// Anywhere: in groups and in private chats.
	Anywhere Where = iota
	// InGroup: in groups only.
	InGroup
	// InPrivate: in private chats only.
	InPrivate
)

// Role is who may use a command.
type Role int

// Who may use a command.
const (
	// Members: everyone.
	Members Role = iota
	// Admins: the group's admins and the program's staff.
	Admins
	// Mentors: mentors and staff, as the command itself checks.
	Mentors
	// Staff: the program's staff only.
	Staff
)

// Gate is how a command meets the privacy notice, for a member who has
// not accepted it (when the program asks for consent).
type Gate int

// How a command meets the privacy notice.
const (
	// GateAsk: the notice is shown instead; the command is not run.
	GateAsk Gate = iota
	// GateCarry: the notice is shown, and accepting it in a private chat
	// carries the command out, when its arguments are at most one id (a
	// lesson, a language): nothing a member wrote is kept in a button.
	GateCarry
	// GateOpen: it runs without consent and records nothing (/help).
	GateOpen
	// GateRight: a member's right over their data (/forget, /mydata),
	// which the gate answers for those Huddle holds nothing about.
	GateRight
	// GateShow: it asks for the notice itself (/start, /privacy): shown
	// at once, not once a day.
	GateShow
)

// TextHandler is offered a member's message in a private chat that no
// lesson run and no case took (an answer to a review question); it
// reports whether it took it.
type TextHandler func(tx Tx, s Session) (bool, error)

// OptionHandler takes presses of options whose data starts with Prefix (a
// button, or a one-option poll vote: both take this path). The router
// tries the longest matching prefix; option data of no handler goes to the
// lesson engine (a quiz's) or is answered as expired.
type OptionHandler struct {
	Prefix string
	Run    func(tx Tx, s Session) error
}

// ParseCommand splits "/Lesson@HuddleBot  hand-hygiene" into "lesson" and
// ["hand-hygiene"].
func ParseCommand(text string) (string, []string) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return "", nil
	}
	name := strings.TrimPrefix(fields[0], "/")
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name = name[:i]
	}
	return strings.ToLower(name), fields[1:]
}

// NoArgs makes a command's Run of a handler that takes no arguments; T is
// the store it takes (Tx, or a feature's part of it).
func NoArgs[T any](f func(T, Session) error) func(T, Session, []string) error {
	return func(tx T, s Session, _ []string) error { return f(tx, s) }
}
