package bot

import (
	"slices"
	"strings"
)

// Command is a slash command as a value: its name, how it is used, its
// help, where it works, who may use it, how it meets the privacy notice,
// and what it does. The built-in commands are values of this type, one
// file each; an embedding program adds its own through
// RouterConfig.Commands, and the case service through Cases.Commands.
// /help and the privacy notice's gate are made from the table.
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

// commandSet is the router's table of commands and option handlers.
type commandSet struct {
	byName  map[string]*Command
	list    []*Command // in order of registration, for /help
	options []OptionHandler
}

// add registers commands; a later one replaces an earlier one of the
// same name (an embedder may replace a built-in command).
func (cs *commandSet) add(cmds ...Command) {
	if cs.byName == nil {
		cs.byName = map[string]*Command{}
	}
	for i := range cmds {
		c := &cmds[i]
		if old := cs.byName[c.Name]; old != nil {
			cs.list = slices.DeleteFunc(cs.list, func(o *Command) bool { return o == old })
			for _, a := range old.Aliases {
				delete(cs.byName, a)
			}
		}
		cs.list = append(cs.list, c)
		cs.byName[c.Name] = c
		for _, a := range c.Aliases {
			cs.byName[a] = c
		}
	}
}

// addDefaults registers commands whose names none has taken yet.
func (cs *commandSet) addDefaults(cmds ...Command) {
	for _, c := range cmds {
		if cs.get(c.Name) == nil {
			cs.add(c)
		}
	}
}

// addOptions registers option handlers; a later handler of the same
// prefix replaces an earlier one.
func (cs *commandSet) addOptions(hs ...OptionHandler) {
	for _, h := range hs {
		cs.options = slices.DeleteFunc(cs.options, func(o OptionHandler) bool { return o.Prefix == h.Prefix })
		cs.options = append(cs.options, h)
	}
	// Longest prefix first, so "ab" wins over "a".
	slices.SortStableFunc(cs.options, func(a, b OptionHandler) int { return len(b.Prefix) - len(a.Prefix) })
}

// get returns the command of a name or alias.
func (cs *commandSet) get(name string) *Command { return cs.byName[name] }

// option returns the handler of option data.
func (cs *commandSet) option(data string) (OptionHandler, bool) {
	for _, h := range cs.options {
		if strings.HasPrefix(data, h.Prefix) {
			return h, true
		}
	}
	return OptionHandler{}, false
}

// help lists the commands with help that the asker may use here, in
// lang, in the order they were registered: the members' first, then a
// section for each other role the asker has (roles says which).
func (cs *commandSet) help(lang string, roles map[Role]bool) string {
	var b strings.Builder
	for _, sec := range []struct {
		who  Role
		head string
	}{{Members, "help_head"}, {Admins, "help_admins"}, {Mentors, "help_mentors"}, {Staff, "help_staff"}} {
		if sec.who != Members && !roles[sec.who] {
			continue
		}
		n := 0
		for _, c := range cs.list {
			if c.Help == nil || c.Who != sec.who {
				continue
			}
			if n == 0 {
				if b.Len() > 0 {
					b.WriteString("\n\n")
				}
				b.WriteString(tr(lang, sec.head))
			}
			n++
			b.WriteString("\n/" + c.Name)
			if c.Usage != nil {
				b.WriteString(" " + c.Usage(lang))
			}
			b.WriteString(tr(lang, "help_sep") + c.Help(lang))
		}
	}
	return b.String()
}
