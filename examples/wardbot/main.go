// Command wardbot is a program that embeds Huddle, as docs/embedding.md
// shows: beside the built-in lessons and commands, a ward's own feature
// (a command and a handler of private messages), a lesson step kind of
// its own that takes and scores answers, and a language Huddle does not
// ship (Hausa). Run it from the repository's root with
//
//	go run ./examples/wardbot
//
// and chat with it in the simulator at http://127.0.0.1:8080.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
)

func main() {
	db := flag.String("db", "data/wardbot.db", "the database file")
	lessons := flag.String("lessons", "examples/wardbot/lessons", "the lessons folder")
	listen := flag.String("listen", "127.0.0.1:8080", "the simulator's address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, options(*db, *lessons, *listen, sim.New(nil))); err != nil {
		log.Fatal(err)
	}
}

// messageFiles are the ward's Hausa texts for Huddle's own parts, a
// folder per part (router, privacy), in go-i18n's format.
//
//go:embed messages
var messageFiles embed.FS

// options are Huddle's, with the ward's feature, step kind and language.
func options(db, lessons, listen string, ch bot.Channel) huddle.Options {
	messages, err := fs.Sub(messageFiles, "messages")
	if err != nil {
		panic(err) // the folder is embedded: it is there
	}
	return huddle.Options{
		Database:  db,
		Lessons:   lessons,
		Listen:    listen,
		Channels:  []bot.Channel{ch},
		Features:  []bot.Feature{vitals()},
		StepKinds: []flows.StepKind{estimate},
		Messages:  messages,
	}
}

// run runs the App until ctx ends.
func run(ctx context.Context, opts huddle.Options) error {
	app, err := huddle.New(ctx, opts)
	if err != nil {
		return err
	}
	defer app.Close()
	return app.Run(ctx)
}

// vitals is the ward's own feature: /vitals says how to report a blood
// pressure, and a private message such as "bp 150/95" is checked against
// the ward's threshold.
func vitals() bot.Feature {
	return bot.Feature{
		Name: "vitals",
		Commands: []bot.Command{{
			Name: "vitals",
			Help: func(lang string) string { return "how to report a blood pressure" },
			Run: func(tx bot.Tx, s bot.Session, args []string) error {
				return bot.Reply(tx, s, "vitals", "Send me a blood pressure privately, such as: bp 150/95")
			},
		}},
		Messages: []bot.TextHandler{bloodPressure},
	}
}

// reading is a blood pressure as members send it: "bp 150/95".
var reading = regexp.MustCompile(`(?i)^bp\s*(\d{2,3})\s*/\s*(\d{2,3})$`)

// bloodPressure takes a reading sent privately and says whether it is
// high; it leaves any other message to the rest of Huddle.
func bloodPressure(tx bot.Tx, s bot.Session) (bool, error) {
	m := reading.FindStringSubmatch(s.Event.Text)
	if m == nil || s.Chat.Type != bot.Direct {
		return false, nil
	}
	sys, _ := strconv.Atoi(m[1])
	dia, _ := strconv.Atoi(m[2])
	verdict := "in range"
	if sys >= 140 || dia >= 90 {
		verdict = "high: check it again in 15 minutes and tell the midwife in charge"
	}
	return true, bot.Reply(tx, s, "bp", fmt.Sprintf("Blood pressure %d/%d is %s.", sys, dia, verdict))
}

// estimate is a question type of the ward's own: a member estimates a
// number, right within a margin of the answer.
//
//	steps:
//	  - estimate:
//	      prompt: "How much blood is on it, in mL?"
//	      answer: 250
//	      within: 50
var estimate = flows.StepKind{
	Name: "estimate",
	Parse: func(p *flows.StepParser, n *flows.Node) flows.StepBody {
		f := p.Mapping(n, "estimate", "prompt", "answer", "within")
		if f == nil {
			return nil
		}
		if f["prompt"] == nil || f["answer"] == nil {
			p.Errorf(n, "estimate needs a prompt and an answer")
			return nil
		}
		e := estimateStep{prompt: p.Text(f["prompt"], "estimate prompt")}
		e.answer, _ = p.Number(f["answer"], "estimate answer")
		if f["within"] != nil {
			e.within, _ = p.Number(f["within"], "estimate within")
		}
		return e
	},
}

// estimateStep is one estimate question of a lesson.
type estimateStep struct {
	prompt         flows.Text
	answer, within float64
}

// Enter asks the question and waits up to an hour for answers.
func (e estimateStep) Enter(r *flows.StepRun) flows.StepOutcome {
	r.Post("q", "📏 "+r.Text(e.prompt))
	return r.Open(time.Hour)
}

// Answer scores a number, one point when it is within the margin; other
// messages are chatter.
func (e estimateStep) Answer(r *flows.StepRun) bool {
	a := r.Answer()
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(a.Text, "mL")), 64)
	if err != nil || r.Answered() {
		return false
	}
	right := v >= e.answer-e.within && v <= e.answer+e.within
	points := 0.0
	if right {
		points = 1
	}
	r.Record(strconv.FormatFloat(v, 'f', -1, 64), right, points, 1)
	return true
}

// Close says how the group did, and the answer.
func (e estimateStep) Close(r *flows.StepRun, timedOut bool) {
	n, right := r.Tally()
	r.Post("close", fmt.Sprintf("%d of %d within %g mL of %g mL.", right, n, e.within, e.answer))
}
