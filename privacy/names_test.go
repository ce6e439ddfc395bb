package privacy

import (
	"errors"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/bot"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"Amina", "Amina", nil},
		{"  Mama   Grace ", "Mama Grace", nil},
		{"Sœur Élodie", "Sœur Élodie", nil},
		{"Dickson", "Dickson", nil},
		{"Scunthorpe nurse", "Scunthorpe nurse", nil},
		{"Nurse-77", "Nurse-77", nil},
		{"A", "", errNameLength},
		{"An extremely long name that goes on and on", "", errNameLength},
		{"Amina 😀", "", errNameChars},
		{"<b>Amina</b>", "", errNameChars},
		{"0722123456", "", errNamePhone},
		{"Amina 0722 123 456", "", errNamePhone},
		{"Member-4821", "", errNameGiven},
		{"member-12", "", errNameGiven},
		{"Member 4821", "", errNameGiven},
		{"Membér_4821", "", errNameGiven},
		{"MEMBER.4821", "", errNameGiven},
		{"Membership", "Membership", nil},
		{"F4gg0t", "", errNameWord},
		{"Big Sh1t", "", errNameWord},
		{"PD", "", errNameWord},
		{"Salope du 12", "", errNameWord},
		{"Huddle Admin", "", errNameWord},
	}
	for _, tt := range tests {
		got, err := checkName(tt.in)
		if !errors.Is(err, tt.err) || (err == nil && got != tt.want) {
			t.Errorf("checkName(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestActivityNamed: every kind of activity /mydata counts has a name in
// every language, so no internal name (case_reply) reaches a member.
func TestActivityNamed(t *testing.T) {
	kinds := []string{bot.EngageMessage, bot.EngageCommand, bot.EngageAnswer, bot.EngageOption, bot.EngageReaction, bot.EngageEdit, bot.EngageDelete, bot.EngageCase, bot.EngageCaseReply}
	texts := builtinTexts()
	for _, lang := range texts.Languages() {
		for _, k := range kinds {
			if name := texts.Text(lang, "activity_"+k); name == "" || strings.Contains(name, "_") {
				t.Errorf("%s: activity %s has no name (%q)", lang, k, name)
			}
		}
	}
}

// TestCarried: an accepting press carries only commands that name a
// lesson, a language or nothing; a forged button cannot run one with text.
func TestCarried(t *testing.T) {
	cmds := map[string]*bot.Command{
		"lesson":   {Name: "lesson", Gate: bot.GateCarry},
		"progress": {Name: "progress", Gate: bot.GateCarry},
		"name":     {Name: "name"},
		"forget":   {Name: "forget", Gate: bot.GateRight},
	}
	command := func(name string) *bot.Command { return cmds[name] }
	for data, want := range map[string]string{
		"cs+:1:/lesson pph-first-hour":         "/lesson pph-first-hour",
		"cs+:1:/progress":                      "/progress",
		"cs+:1":                                "",
		"cs-:1:/lesson x":                      "",
		"cs+:1:/case Mrs X, 0722 123 456":      "",
		"cs+:1:/name Evil":                     "",
		"cs+:1:/lesson pph first":              "",
		"cs+:1:/forget":                        "",
		"cs+:1:/lesson <script>alert</script>": "",
		"cs+:1:/nosuchcommand":                 "",
	} {
		if got := carried(bot.Event{Kind: bot.OptionChosen, Option: data}, command); got != want {
			t.Errorf("carried(%q) = %q, want %q", data, got, want)
		}
	}
}
