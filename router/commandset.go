package router

import (
	"slices"
	"strings"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
)

// commandSet is the router's table of commands and option handlers.
type commandSet struct {
	byName  map[string]*bot.Command
	list    []*bot.Command // in order of registration, for /help
	options []bot.OptionHandler
	// texts are the router's, for /help's headings.
	texts *catalog.Catalog
}

// add registers commands; a later one replaces an earlier one of the
// same name (an embedder may replace a built-in command).
func (cs *commandSet) add(cmds ...bot.Command) {
	if cs.byName == nil {
		cs.byName = map[string]*bot.Command{}
	}
	for i := range cmds {
		c := &cmds[i]
		if old := cs.byName[c.Name]; old != nil {
			cs.list = slices.DeleteFunc(cs.list, func(o *bot.Command) bool { return o == old })
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
func (cs *commandSet) addDefaults(cmds ...bot.Command) {
	for _, c := range cmds {
		if cs.get(c.Name) == nil {
			cs.add(c)
		}
	}
}

// addOptions registers option handlers; a later handler of the same
// prefix replaces an earlier one.
func (cs *commandSet) addOptions(hs ...bot.OptionHandler) {
	for _, h := range hs {
		cs.options = slices.DeleteFunc(cs.options, func(o bot.OptionHandler) bool { return o.Prefix == h.Prefix })
		cs.options = append(cs.options, h)
	}
	// Longest prefix first, so "ab" wins over "a".
	slices.SortStableFunc(cs.options, func(a, b bot.OptionHandler) int { return len(b.Prefix) - len(a.Prefix) })
}

// addOptionDefaults registers option handlers whose prefixes none has
// taken yet.
func (cs *commandSet) addOptionDefaults(hs ...bot.OptionHandler) {
	for _, h := range hs {
		if !slices.ContainsFunc(cs.options, func(o bot.OptionHandler) bool { return o.Prefix == h.Prefix }) {
			cs.addOptions(h)
		}
	}
}

// get returns the command of a name or alias.
func (cs *commandSet) get(name string) *bot.Command { return cs.byName[name] }

// option returns the handler of option data.
func (cs *commandSet) option(data string) (bot.OptionHandler, bool) {
	for _, h := range cs.options {
		if strings.HasPrefix(data, h.Prefix) {
			return h, true
		}
	}
	return bot.OptionHandler{}, false
}

// help lists the commands with help that the asker may use here, in
// lang, in the order they were registered: the members' first, then a
// section for each other role the asker has (roles says which).
func (cs *commandSet) help(lang string, roles map[bot.Role]bool) string {
	var b strings.Builder
	for _, sec := range []struct {
		who  bot.Role
		head string
	}{{bot.Members, "help_head"}, {bot.Admins, "help_admins"}, {bot.Mentors, "help_mentors"}, {bot.Staff, "help_staff"}} {
		if sec.who != bot.Members && !roles[sec.who] {
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
				b.WriteString(cs.tr(lang, sec.head))
			}
			n++
			b.WriteString("\n/" + c.Name)
			if c.Usage != nil {
				b.WriteString(" " + c.Usage(lang))
			}
			b.WriteString(cs.tr(lang, "help_sep") + c.Help(lang))
		}
	}
	return b.String()
}
