package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ChatType says whether a chat is a group or a one-to-one conversation.
type ChatType string

// Chat types.
const (
	Direct ChatType = "direct"
	Group  ChatType = "group"
)

// EventKind says what an Event carries.
type EventKind string

// Event kinds.
const (
	// Message is a text message from a member.
	Message EventKind = "message"
	// OptionChosen is a press of an option (a button) the bot offered.
	OptionChosen EventKind = "option"
	// ChatMigrated says a chat's platform id changed (a Telegram group that
	// became a supergroup); MigrateTo holds the new id.
	ChatMigrated EventKind = "migrated"
	// Vote is a member's current choice in a poll the bot sent (WhatsApp):
	// Choices holds the data of every option selected now, and replaces the
	// member's earlier vote in that poll. An empty Choices withdraws it.
	Vote EventKind = "vote"
	// Reaction is an emoji reaction (Text) to message Target; an empty Text
	// removes it.
	Reaction EventKind = "reaction"
	// Edited says message Target now reads Text.
	Edited EventKind = "edited"
	// Deleted says message Target was deleted by its sender.
	Deleted EventKind = "deleted"
	// Left says member SenderID is no longer in group ChatID: they left or
	// were removed. Nothing waits for them from then on.
	Left EventKind = "left"
	// ChannelDown says an adapter can no longer send or receive (its
	// account was logged out or banned); Text says why, for the staff.
	ChannelDown EventKind = "channel_down"
	// ChannelNotice tells the staff something about a channel that is not
	// an outage (sending resumed, the bot was removed from a group,
	// messages too old to send were dropped); Text says what.
	ChannelNotice EventKind = "channel_notice"
	// BotRemoved says the bot is no longer in group ChatID (removed, or
	// it left), and BotAdded that it is in it again: the store keeps which
	// groups removed it, so that a channel restarted still sends nothing
	// there (see ChatStore.SetChatRemoved).
	BotRemoved EventKind = "bot_removed"
	BotAdded   EventKind = "bot_added"
)

// Event is one inbound platform update, normalized. Adapters fill it; nothing
// after the adapter knows which platform it came from except by Channel.
type Event struct {
	// ID is unique per platform message: see EventID.
	ID   string
	Kind EventKind
	// Channel names the adapter ("sim", "telegram", "whatsapp").
	Channel   string
	ChatID    string
	ChatType  ChatType
	ChatTitle string
	SenderID  string
	// SenderName is the display name the platform shows.
	SenderName string
	// SenderLang is the platform's language hint for the sender, if any.
	SenderLang string
	// MessageID is the platform id of the message (or of the message whose
	// option was pressed).
	MessageID string
	Text      string
	// Option is the data of the pressed option when Kind is OptionChosen.
	Option string
	// PressID is the platform's id of an option press (Telegram's
	// callback query), which a message with Outbound.PressID answers.
	PressID string
	// ReplyTo is the platform id of the message this one replies to.
	ReplyTo string
	// ReplyToSender is the platform id of the sender of message ReplyTo,
	// where the platform tells and it is not the bot.
	ReplyToSender string
	// Thread is the platform's thread or topic id, if any: on Telegram the
	// forum topic the message was posted in.
	Thread string
	// Forum says the group is a forum (a Telegram supergroup with topics),
	// where a case can open a topic of its own.
	Forum bool
	// MigrateTo is the chat's new platform id when Kind is ChatMigrated.
	MigrateTo string
	// SenderAlias is another platform id of the same sender (on WhatsApp
	// the phone-number address when SenderID is the LID), so one person is
	// one member whichever form arrives.
	SenderAlias string
	// Mentions lists the platform ids of the members the message mentions.
	Mentions []string
	// Choices holds the data of the chosen options when Kind is Vote.
	Choices []string
	// Target is the platform id of the message a Reaction, Edited or
	// Deleted event is about.
	Target string
	// ChatSize is how many people the group has, bots left out, where the
	// platform tells (Telegram's member count, WhatsApp's participants);
	// 0 when it does not. A question waits for them all.
	ChatSize int
	// SenderAdmin says the sender administers the group, and BotAdmin that
	// the bot does, where the platform tells (WhatsApp).
	SenderAdmin bool
	BotAdmin    bool
	// Late marks a message delivered long after it was sent (caught up
	// after the bot was offline): it is recorded but not acted on, so a
	// command typed hours ago does not run now.
	Late bool
	// File is a photo or voice note the message carries, fetched by the
	// adapter, with Text as its caption; its Data is nil when it could not
	// be fetched or read, or was larger than MaxInboundFile. The router
	// makes a photo clean before any handler sees it: a JPEG with no
	// metadata (see picture.Clean).
	File *File
	Time time.Time
}

// MaxInboundFile bounds a photo or voice note an adapter fetches: a
// phone's photo is a few MB, a minute of voice a few hundred KB.
const MaxInboundFile = 16 << 20

// WantsFile reports whether Huddle may act on a file of mimeType that ev
// carries, so that its adapter fetches it: a voice note anywhere (the
// answer to an open question), and a photo sent privately, captioned
// with a command (/case), in reply to a message or in a topic (a case's
// thread). Other photos in a group are the members' own conversation:
// not fetched, so not downloaded at all.
func WantsFile(ev Event, mimeType string) bool {
	switch {
	case strings.HasPrefix(mimeType, "audio/"):
		return true
	case !strings.HasPrefix(mimeType, "image/"):
		return false
	}
	return ev.ChatType == Direct || strings.HasPrefix(strings.TrimSpace(ev.Text), "/") || ev.ReplyTo != "" || ev.Thread != ""
}

// EventID builds the id of an inbound event from its channel, chat, sender
// and platform message id, so that one platform message always maps to one
// id however often it is delivered.
func EventID(channel, chat, sender, message string) string {
	return strings.Join([]string{channel, chat, sender, message}, ":")
}

// ChatKey identifies a chat across channels; events of one chat key are
// handled in order, one at a time.
func ChatKey(channel, chatID string) string { return channel + ":" + chatID }

// Option is a choice offered with an outbound message: an inline button on
// Telegram and in the simulator, a numbered option elsewhere.
type Option struct {
	Label string `json:"label"`
	// Data comes back in Event.Option when the option is chosen. Keep it short:
	// Telegram allows 64 bytes.
	Data string `json:"data"`
}

// File is a document sent with a message.
type File struct {
	// Name is the file's name as the member sees it
	// ("huddle-mydata-2026-11-23.json").
	Name string `json:"name"`
	// MIMEType is its media type ("application/json").
	MIMEType string `json:"mime_type"`
	Data     []byte `json:"data"`
	// Poster is a video's still picture (a JPEG), shown before it plays;
	// nil for none.
	Poster []byte `json:"poster,omitempty"`
	// Shared says the file is the programme's own material (a lesson's
	// picture, sound or video), which a channel may put behind a link
	// anyone with it can open (SMS links it); never a member's file.
	Shared bool `json:"shared,omitempty"`
	// Refused, on a member's file, says why Data is nil when it was too
	// large to take: the member is told that, in their words.
	Refused *Refusal `json:"-"`
}

// Refusal is why a member's file was not taken: too many bytes (MB of
// at most MaxMB), or a picture of too many pixels (Megapixels of at most
// MaxMegapixels).
type Refusal struct {
	MB, MaxMB                 int
	Megapixels, MaxMegapixels int
}

// TooManyBytes is the refusal of a file of size bytes, larger than
// MaxInboundFile.
func TooManyBytes(size int) *Refusal {
	return &Refusal{MB: (size + 1<<20 - 1) >> 20, MaxMB: MaxInboundFile >> 20}
}

// Outbound is one message to deliver.
type Outbound struct {
	Channel string   `json:"channel"`
	ChatID  string   `json:"chat_id"`
	Text    string   `json:"text"`
	Options []Option `json:"options,omitempty"`
	// ReplyTo is the platform id of the message to reply to, if any.
	ReplyTo string `json:"reply_to,omitempty"`
	// Thread is the forum topic to post in, if any.
	Thread string `json:"thread,omitempty"`
	// ThreadOf is the key of an earlier message to the same chat that
	// opened a topic (see Topic): this message goes into that topic, once
	// it exists, or into the chat itself when the topic could not be made.
	ThreadOf string `json:"thread_of,omitempty"`
	// Topic, when set, makes the message open a forum topic of that name
	// instead of sending text; the platform id recorded for it is the
	// topic's. Channels without topics refuse it with a *PermanentError.
	Topic string `json:"topic,omitempty"`
	// Multi says several options may be chosen together (a multi-select
	// quiz): a WhatsApp poll then allows several answers.
	Multi bool `json:"multi,omitempty"`
	// Mentions lists the platform ids of members the text mentions.
	Mentions []string `json:"mentions,omitempty"`
	// React, when set, makes the message an emoji reaction to ReplyTo
	// instead of text, where the platform has reactions: ✅ for a right
	// answer, ❌ for a wrong one (a platform that allows only some emoji
	// shows its nearest). Text, when set, is the few words the reaction
	// stands for, sent instead (as a reply to ReplyTo) where reactions
	// cannot be had. A reaction is Optional.
	React string `json:"react,omitempty"`
	// Delete, when set, takes down a member's message (its platform id,
	// Event.MessageID) from the chat: a photo that may show a patient,
	// until its author has checked it. Where the bot may not (it does not
	// administer the group), Text goes instead, as a reply to that
	// message, asking its sender to delete it; a message already gone is
	// done.
	Delete string `json:"delete,omitempty"`
	// Removed, with Delete, is said in the chat once the member's message
	// is taken down (not as a reply: the message is gone); where it
	// cannot be, Text goes instead, and not as a reply either, which would
	// show the message again under it (a case that may identify a
	// patient).
	Removed string `json:"removed,omitempty"`
	// PressID, when set, makes the message the answer to that press
	// (Event.PressID): Text is shown to the member who pressed alone, as a
	// toast (Telegram's answerCallbackQuery), or nothing where the platform
	// has none. Every press gets one, so the button stops spinning.
	PressID string `json:"press_id,omitempty"`
	// File, when set, makes the message a document with Text as its
	// caption.
	File *File `json:"file,omitempty"`
	// Transient makes the outbox drop the message once it is sent or given
	// up: it goes to a member Huddle has just forgotten, or carries their
	// data.
	Transient bool `json:"transient,omitempty"`
	// Erased marks the word to a member just forgotten, in their private
	// chat: a channel that keeps a copy of that chat of its own (the
	// simulator's transcript, and the files in it) deletes the copy,
	// keeping this message alone.
	Erased bool `json:"erased,omitempty"`
	// Pin asks the channel to pin the message in its chat, where the bot
	// may (the group's privacy notice).
	Pin bool `json:"pin,omitempty"`
	// Answer marks a message that answers one the chat has just sent,
	// though Huddle keeps no record of the chat (the privacy notice, before
	// anything about the sender may be stored): a channel that never
	// writes first to a private chat may still send it.
	Answer bool `json:"answer,omitempty"`
	// Key is the idempotency key: the outbox stores one message per key, so a
	// state change replayed after a crash cannot queue its messages twice.
	Key string `json:"key"`
}

// Shape is what an Outbound asks of its channel. A message is exactly one
// of them, told by the field that is set (Outbound.Shape), and the outbox
// refuses one that asks for two (Outbound.Check), so a channel's Send
// switches on the shape alone and never meets a reaction that also opens
// a topic.
type Shape int

// The shapes of a message.
const (
	// ShapeText is a message: Text, with its Options, Mentions and ReplyTo.
	ShapeText Shape = iota
	// ShapeDocument is File with Text as its caption (and its Options).
	ShapeDocument
	// ShapeReaction is React on ReplyTo, or Text in its place.
	ShapeReaction
	// ShapeTakeDown is Delete, then Removed said, or Text in its place.
	ShapeTakeDown
	// ShapeTopic is Topic: a forum topic opened.
	ShapeTopic
	// ShapePressAnswer is PressID answered, with Text as its toast.
	ShapePressAnswer
)

// String names the shape, as a log line shows it.
func (s Shape) String() string {
	switch s {
	case ShapeDocument:
		return "document"
	case ShapeReaction:
		return "reaction"
	case ShapeTakeDown:
		return "take-down"
	case ShapeTopic:
		return "topic"
	case ShapePressAnswer:
		return "press answer"
	}
	return "text"
}

// Shape says what m asks of its channel. On an m that Check refuses,
// the first of press answer, reaction, take-down, topic and document
// wins.
func (m Outbound) Shape() Shape {
	switch {
	case m.PressID != "":
		return ShapePressAnswer
	case m.React != "":
		return ShapeReaction
	case m.Delete != "":
		return ShapeTakeDown
	case m.Topic != "":
		return ShapeTopic
	case m.File != nil:
		return ShapeDocument
	}
	return ShapeText
}

// Check reports a message no channel could send as meant: one that asks
// for two shapes at once (a reaction with a file, a take-down that opens
// a topic), options on what cannot carry them, or Removed without a
// take-down. The outbox refuses such a message when it is queued, where
// the mistake is made, rather than a channel guessing at it later.
func (m Outbound) Check() error {
	var set []string
	for _, f := range []struct {
		name string
		on   bool
	}{{"press_id", m.PressID != ""}, {"react", m.React != ""}, {"delete", m.Delete != ""},
		{"topic", m.Topic != ""}, {"file", m.File != nil}} {
		if f.on {
			set = append(set, f.name)
		}
	}
	switch sh := m.Shape(); {
	case len(set) > 1:
		return fmt.Errorf("message %s asks for %s at once: one shape a message", m.Key, strings.Join(set, " and "))
	case len(m.Options) > 0 && sh != ShapeText && sh != ShapeDocument:
		return fmt.Errorf("message %s: a %s carries no options", m.Key, sh)
	case m.Removed != "" && sh != ShapeTakeDown:
		return fmt.Errorf("message %s: removed is said only after a take-down", m.Key)
	}
	return nil
}

// Optional reports whether m is an extra rather than a message: a
// reaction. An extra that fails is tried once more within a minute and
// then dropped, and it never holds the chat's messages behind it (see
// Sender).
func (m Outbound) Optional() bool { return m.Shape() == ShapeReaction }

// PressKey is the outbox key of the answer to press id: one answer a press.
func PressKey(id string) string { return pressKeyPrefix + id }

// pressKeyPrefix starts the key of a press's answer.
const pressKeyPrefix = "press:"

// PressOf returns the press whose answer key is: the inverse of PressKey,
// with ok false for a key that answers no press.
func PressOf(key string) (id string, ok bool) { return strings.CutPrefix(key, pressKeyPrefix) }

// MaxText is the longest message text the router handles, in runes; longer
// texts are cut. No platform Huddle speaks allows longer messages.
const MaxText = 4096

// ForgottenKeyPrefix starts the outbox key of the confirmation sent to a
// member just forgotten: the store erases its traces as it did theirs.
const ForgottenKeyPrefix = "forgotten:"

// Chosen returns the option ev chooses: a press's, or a vote's when it
// picks exactly one. A press and a vote take one path, so that every
// message with options works as a poll.
func (ev Event) Chosen() (string, bool) {
	switch {
	case ev.Kind == OptionChosen:
		return ev.Option, true
	case ev.Kind == Vote && len(ev.Choices) == 1:
		return ev.Choices[0], true
	}
	return "", false
}

// Check reports an event no adapter should make: an unknown kind, one
// without the fields its kind needs (a migration without its new id, a
// reaction without its target), or one with fields that belong to another
// kind (a press's data on a message, a file on a vote). The router drops
// such an event with an error in the log instead of guessing at it, and
// package bot/channeltest fails a channel that makes one.
func (ev Event) Check() error {
	var missing, stray []string
	need := func(ok bool, field string) {
		if !ok {
			missing = append(missing, field)
		}
	}
	only := func(set bool, field string, kinds ...EventKind) {
		if set && !slices.Contains(kinds, ev.Kind) {
			stray = append(stray, field)
		}
	}
	switch ev.Kind {
	case Message, OptionChosen, Vote, Reaction, Edited, Deleted, Left:
		need(ev.ChatID != "", "chat id")
		need(ev.SenderID != "", "sender id")
	case ChatMigrated:
		need(ev.ChatID != "", "chat id")
		need(ev.MigrateTo != "", "migrate_to")
	case BotRemoved, BotAdded:
		need(ev.ChatID != "", "chat id")
	case ChannelDown, ChannelNotice:
	default:
		return fmt.Errorf("event %s: unknown kind %q", ev.ID, ev.Kind)
	}
	switch ev.Kind {
	case OptionChosen:
		need(ev.Option != "", "option")
	case Vote:
		need(ev.MessageID != "", "message id (the poll)")
	case Reaction, Edited, Deleted:
		need(ev.Target != "", "target")
	}
	only(ev.Option != "" || ev.PressID != "", "option", OptionChosen)
	only(len(ev.Choices) > 0, "choices", Vote)
	only(ev.Target != "", "target", Reaction, Edited, Deleted)
	only(ev.MigrateTo != "", "migrate_to", ChatMigrated)
	only(ev.File != nil, "file", Message, Edited)
	switch {
	case len(missing) > 0:
		return fmt.Errorf("event %s: a %s without its %s", ev.ID, ev.Kind, strings.Join(missing, " and "))
	case len(stray) > 0:
		return fmt.Errorf("event %s: a %s carries %s, which belong to another kind", ev.ID, ev.Kind, strings.Join(stray, " and "))
	}
	return nil
}
