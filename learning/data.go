package learning

import (
	"strings"

	"github.com/huddlebot/huddle/bot"
)

// dataCommand is /data light|full: whether the group gets pictures as
// small previews, each with a button for the full size, to save members'
// mobile data.
func (l *learning) dataCommand() bot.Command {
	return bot.Command{Name: "data", Usage: l.texts.Phrase("usage_data"), Help: l.texts.Phrase("help_data"), Where: bot.InGroup, Who: bot.Admins,
		Gate: bot.GateCarry, Run: asCommand(l.data)}
}

// data handles /data, /data light and /data full.
func (l *learning) data(tx Tx, s bot.Session, args []string) error {
	switch {
	case len(args) > 0 && strings.EqualFold(args[0], "light"):
		s.Chat.LightMedia = true
	case len(args) > 0 && strings.EqualFold(args[0], "full"):
		s.Chat.LightMedia = false
	default:
		key := "data_is_full"
		if s.Chat.LightMedia {
			key = "data_is_light"
		}
		return bot.Reply(tx, s, "data", l.tr(s.Lang, key))
	}
	if err := tx.SetChatLightMedia(s.Chat.ID, s.Chat.LightMedia); err != nil {
		return err
	}
	key := "data_full"
	if s.Chat.LightMedia {
		key = "data_light"
	}
	return bot.Reply(tx, s, "data", l.tr(s.Lang, key))
}
