package huddle_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/bot"
)

// Example embeds Huddle with a channel of the program's own (an SMS
// gateway) and a command of its own (/shift), beside the built-in lessons
// and commands.
func Example() {
	dir, _ := os.MkdirTemp("", "huddle-example")
	defer os.RemoveAll(dir)
	ctx, stop := context.WithCancel(context.Background())
	sms := &smsGateway{inbox: []string{"/shift", "/help"}, sent: make(chan string)}
	app, err := huddle.New(ctx, huddle.Options{
		Database: filepath.Join(dir, "huddle.db"),
		Channels: []bot.Channel{sms},
		Features: []bot.Feature{{Name: "handover", Commands: []bot.Command{{
			Name: "shift", Help: func(lang string) string { return "the handover checklist" },
			Run: func(tx bot.Tx, s bot.Session, args []string) error {
				return bot.Reply(tx, s, "shift", "Handover: vital signs, drips, pending labs.")
			},
		}}}},
		NoConsent: true, // members consented when they enrolled
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- app.Run(ctx) }()
	fmt.Println(<-sms.sent)
	for _, line := range strings.Split(<-sms.sent, "\n") {
		if strings.Contains(line, "shift") || strings.Contains(line, "/lesson ") {
			fmt.Println(line)
		}
	}
	stop()
	<-done
	app.Close()
	// Output:
	// Handover: vital signs, drips, pending labs.
	// /lesson ID: start a lesson
	// /shift: the handover checklist
}

// smsGateway stands in for an SMS gateway: it passes on the texts in its
// inbox as one phone's messages, and hands on what Huddle sends.
type smsGateway struct {
	inbox []string
	sent  chan string
	n     int
}

func (g *smsGateway) Name() string { return "sms" }

func (g *smsGateway) Run(ctx context.Context, h bot.Handler) error {
	const phone = "+254700000001"
	for i, text := range g.inbox {
		ev := bot.Event{ID: bot.EventID("sms", phone, phone, strconv.Itoa(i)), Kind: bot.Message, Channel: "sms",
			ChatID: phone, ChatType: bot.Direct, SenderID: phone, Text: text, Time: time.Now()}
		if err := h.HandleEvent(ctx, ev); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

func (g *smsGateway) Send(ctx context.Context, m bot.Outbound) (string, error) {
	select {
	case g.sent <- m.Text:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	g.n++
	return "sms-" + strconv.Itoa(g.n), nil
}
