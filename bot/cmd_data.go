package bot

import "strings"

// dataCommand is /data light|full: whether the group gets pictures as
// small previews, each with a button for the full size, to save members'
// mobile data.
func (l *learning) dataCommand() Command {
	return Command{Name: "data", Usage: helpText("usage_data"), Help: helpText("help_data"), Where: InGroup, Who: Admins,
		Gate: GateCarry, Run: l.data}
}

// data handles /data, /data light and /data full.
func (l *learning) data(tx Tx, s Session, args []string) error {
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
		return Reply(tx, s, "data", tr(s.Lang, key))
	}
	if err := tx.SetChatLightMedia(s.Chat.ID, s.Chat.LightMedia); err != nil {
		return err
	}
	key := "data_full"
	if s.Chat.LightMedia {
		key = "data_light"
	}
	return Reply(tx, s, "data", tr(s.Lang, key))
}
