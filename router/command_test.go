package router_test

import (
	"context"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
)

// TestHelpFromTheTable: /help lists the commands of the router's table
// that members may use, in their language: the case commands only when
// case discussions are on, no mentor or staff command, /help last.
func TestHelpFromTheTable(t *testing.T) {
	withCases := &cases.Config{}
	for _, tc := range []struct {
		name      string
		cases     *cases.Config
		lang      string
		want, not []string
	}{
		{"without cases", nil, "", []string{"Commands:", "/lessons: list lessons", "/lesson ID: start a lesson", "/lang CODE: your language (en, es, fr, pt, sw)"},
			[]string{"/case", "/escalate", "/answer", "/assign", "/mentor", "/start"}},
		{"with cases", withCases, "", []string{"/case TEXT: share a de-identified case", "/escalate: send a case to a mentor", "/cases WORDS: search answered cases"},
			[]string{"/answer", "/take", "/mentor", "/queue"}},
		{"in French", withCases, "fr", []string{"Commandes :", "/lesson ID : commencer une leçon", "/case TEXTE : partager un cas"}, nil},
		{"in Swahili", withCases, "sw", []string{"Amri:", "/lesson ID: anza somo", "/case MAANDISHI: shiriki kesi", "/lang MSIMBO: lugha yako"}, nil},
		{"in Portuguese", withCases, "pt", []string{"Comandos:", "/lesson ID: começar uma lição", "/cases PALAVRAS: procurar casos respondidos"}, nil},
		{"in Spanish", withCases, "es", []string{"Comandos:", "/lesson ID: empezar una lección", "/escalate: enviar un caso a un mentor"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startWith(t, huddletest.Options{Cases: tc.cases})
			if tc.lang != "" {
				seq := h.Last("dm-amina")
				h.Post("dm-amina", "amina", "Amina", "/lang "+tc.lang, "")
				h.Wait("dm-amina", seq, map[string]string{"fr": "Français", "sw": "Kiswahili", "pt": "Português", "es": "Español"}[tc.lang])
			}
			seq := h.Last("dm-amina")
			h.Post("dm-amina", "amina", "Amina", "/help", "")
			got := h.Wait("dm-amina", seq, "/help").Text
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("help lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n+" ") || strings.Contains(got, n+":") {
					t.Errorf("help lists %s:\n%s", n, got)
				}
			}
			if lines := strings.Split(got, "\n"); !strings.HasPrefix(lines[len(lines)-1], "/help") {
				t.Errorf("help does not end with /help:\n%s", got)
			}
		})
	}
}

// TestHelpByRole: /help adds to the members' commands those of the
// asker's other roles that are of use where they ask: a mentor's in
// private (not shown to the whole group), the staff's in private, the
// group admins' (staff count) in the group.
func TestHelpByRole(t *testing.T) {
	h := startWith(t, huddletest.Options{Staff: []bot.StaffRef{{Channel: "sim", ID: "lead"}},
		Cases: &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {{Channel: "sim", ID: "zola"}}}}})
	for _, tc := range []struct {
		chat, who string
		want, not []string
	}{
		{"dm-amina", "amina", []string{"Commands:", "/case TEXT"}, []string{"For mentors:", "For program staff:", "For the group's admins:", "/answer", "/assign"}},
		{"dm-zola", "zola", []string{"Commands:", "For mentors:", "/answer NUMBER TEXT: answer a case", "/take NUMBER: take a waiting case",
			"/queue: your cases", "/helpful: mark a peer's reply"}, []string{"For program staff:", "/mentor", "/assign"}},
		{"ward", "zola", []string{"Commands:"}, []string{"For mentors:", "/answer", "For the group's admins:"}},
		{"dm-lead", "lead", []string{"For mentors:", "/answer NUMBER TEXT", "For program staff:", "/mentor [add|remove QUEUE]: list the mentors"},
			[]string{"For the group's admins:", "/assign"}},
		{"ward", "lead", []string{"For the group's admins:", "/assign ID: start a lesson", "/unassign ID", "/data light|full"},
			[]string{"For mentors:", "For program staff:", "/mentor"}},
	} {
		seq := h.Last(tc.chat)
		h.Post(tc.chat, tc.who, tc.who, "/help", "")
		got := h.Wait(tc.chat, seq, "Commands:").Text
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s's help in %s lacks %q:\n%s", tc.who, tc.chat, w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s's help in %s has %q:\n%s", tc.who, tc.chat, n, got)
			}
		}
	}
}

// TestWhereAndWho: the router refuses a command where it does not work and
// to who may not use it, naming it.
func TestWhereAndWho(t *testing.T) {
	h := startWith(t, huddletest.Options{Staff: []bot.StaffRef{{Channel: "sim", ID: "lead"}}})
	for _, tc := range []struct{ chat, who, text, want string }{
		{"ward", "amina", "/forget", "Send /forget to me in a private chat."},
		{"dm-amina", "amina", "/assign weekly-check", "Send /assign in the group it is for."},
		{"ward", "amina", "/unassign weekly-check", "Only program staff and the group's admins can use /unassign."},
	} {
		seq := h.Last(tc.chat)
		h.Post(tc.chat, tc.who, "Amina", tc.text, "")
		h.Wait(tc.chat, seq, tc.want)
	}
}

// TestEmbeddersCommand: a program embedding Huddle adds a command and an
// option handler; the command is listed in /help, answers, is shown the
// privacy notice first like any other, and its option's press reaches its
// handler. One of a built-in's name replaces it.
func TestEmbeddersCommand(t *testing.T) {
	ping := bot.Command{Name: "ping", Help: func(string) string { return "check the bot is there" },
		Run: func(tx bot.Tx, s bot.Session, args []string) error {
			return tx.Enqueue(bot.Outbound{Channel: s.Chat.Channel, ChatID: s.Chat.PlatformID, Text: "pong " + strings.Join(args, " "),
				Options: []bot.Option{{Label: "Again", Data: "ping:again"}}, Key: "ev:" + s.Event.ID + ":ping"}, s.Now)
		}}
	again := bot.OptionHandler{Prefix: "ping:", Run: func(tx bot.Tx, s bot.Session) error {
		return tx.Enqueue(bot.Outbound{Channel: s.Chat.Channel, ChatID: s.Chat.PlatformID, Text: "pong again", Key: "ev:" + s.Event.ID + ":again"}, s.Now)
	}}
	progress := bot.Command{Name: "progress", Help: func(string) string { return "the program's own scores" },
		Run: func(tx bot.Tx, s bot.Session, _ []string) error {
			return tx.Enqueue(bot.Outbound{Channel: s.Chat.Channel, ChatID: s.Chat.PlatformID, Text: "see the program's site", Key: "ev:" + s.Event.ID + ":p"}, s.Now)
		}}
	h := startWith(t, huddletest.Options{Features: []bot.Feature{{Name: "ping", Commands: []bot.Command{ping, progress}, Options: []bot.OptionHandler{again}}},
		Consent: &bot.ConsentNotice{Version: 1}})
	seq := h.Last("dm-amina")
	h.Post("dm-amina", "amina", "Amina", "/ping", "")
	notice := h.Wait("dm-amina", seq, "🔒")
	if err := h.Sim.Press(context.Background(), sim.Press{Chat: "dm-amina", Sender: "amina", Name: "Amina", MessageID: notice.ID, Data: notice.Options[0].Data}); err != nil {
		t.Fatal(err)
	}
	seq = h.Last("dm-amina")
	h.Post("dm-amina", "amina", "Amina", "/ping ward 5", "")
	pong := h.Wait("dm-amina", seq, "pong ward 5")
	if err := h.Sim.Press(context.Background(), sim.Press{Chat: "dm-amina", Sender: "amina", Name: "Amina", MessageID: pong.ID, Data: pong.Options[0].Data}); err != nil {
		t.Fatal(err)
	}
	h.Wait("dm-amina", pong.Seq, "pong again")
	seq = h.Last("dm-amina")
	h.Post("dm-amina", "amina", "Amina", "/progress", "")
	h.Wait("dm-amina", seq, "see the program's site")
	seq = h.Last("dm-amina")
	h.Post("dm-amina", "amina", "Amina", "/help", "")
	help := h.Wait("dm-amina", seq, "Commands:").Text
	if !strings.Contains(help, "/ping: check the bot is there") || !strings.Contains(help, "/progress: the program's own scores") ||
		strings.Contains(help, "/progress: your scores") {
		t.Errorf("help:\n%s", help)
	}
}
