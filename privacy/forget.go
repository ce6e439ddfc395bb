package privacy

import (
	"strconv"

	"github.com/huddlebot/huddle/bot"
)

// forgetCommand is /forget, with the two options of its question.
func (g *rights) forgetCommand() (bot.Command, []bot.OptionHandler) {
	return bot.Command{Name: "forget", Help: g.texts.Phrase("help_forget"), Where: bot.InPrivate, Gate: bot.GateRight, Run: asCommand(g.forget)},
		[]bot.OptionHandler{{Prefix: forgetYes, Run: asOption(g.forgetAnswer)}, {Prefix: forgetNo, Run: asOption(g.forgetAnswer)}}
}

// Options of the /forget question.
const (
	forgetYes = "fg+"
	forgetNo  = "fg-"
)

// forget asks a member, privately, whether to erase everything Huddle
// holds about them.
func (g *rights) forget(tx Tx, s bot.Session, _ []string) error {
	return bot.Reply(tx, s, "forget", g.tr(s.Lang, "forget_ask"),
		bot.Option{Label: g.tr(s.Lang, "forget_yes"), Data: forgetYes}, bot.Option{Label: g.tr(s.Lang, "forget_no"), Data: forgetNo})
}

// forgetAnswer erases the member who confirmed, in their private chat,
// and says so in a message the outbox drops once sent.
func (g *rights) forgetAnswer(tx Tx, s bot.Session) error {
	if s.Event.Option == forgetNo || s.Chat.Type != bot.Direct {
		return bot.Reply(tx, s, "forget", g.tr(s.Lang, "forget_kept"))
	}
	if err := tx.ForgetMember(s.Member.ID, s.Now); err != nil {
		return err
	}
	g.log.Info("member forgotten at their request", "member", s.Member.ID)
	if s.Event.PressID != "" {
		// The press's answer goes too, once sent: nothing of them stays.
		if err := bot.AnswerPress(tx, s.Event, s.Now, "", true); err != nil {
			return err
		}
	}
	return tx.Enqueue(bot.Outbound{Channel: s.Chat.Channel, ChatID: s.Chat.PlatformID, Text: g.tr(s.Lang, "forget_done"),
		Transient: true, Answer: true, Erased: true, Key: bot.ForgottenKeyPrefix + strconv.FormatInt(s.Member.ID, 10) + ":" + strconv.FormatInt(s.Now.UnixMilli(), 10)}, s.Now)
}
