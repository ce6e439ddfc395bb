package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	_ "image/jpeg" // the pictures' size, for their messages
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// Poll limits Huddle keeps to: WhatsApp shows at most 12 options, and
// cuts long names.
const (
	maxPollOptions = 12
	maxPollName    = 255
	maxOptionName  = 100
)

// parseChat reads an outbound chat id: a JID, or a bare phone number in
// international form ("254700000000" or "+254700000000").
func parseChat(id string) (types.JID, error) {
	if !strings.Contains(id, "@") {
		num := strings.TrimPrefix(id, "+")
		if num == "" || strings.Trim(num, "0123456789") != "" {
			return types.EmptyJID, fmt.Errorf("chat %q: not a WhatsApp address or phone number", id)
		}
		return types.NewJID(num, types.DefaultUserServer), nil
	}
	jid, err := types.ParseJID(id)
	if err != nil {
		return types.EmptyJID, fmt.Errorf("chat %q: %w", id, err)
	}
	return jid.ToNonAD(), nil
}

// Send delivers one message and returns its WhatsApp id. It waits its turn
// under the pacing rules; a chat that must wait longer gets a
// *bot.RetryError so that other chats go first.
func (w *WhatsApp) Send(ctx context.Context, m bot.Outbound) (string, error) {
	switch m.Shape() {
	case bot.ShapePressAnswer:
		return "", nil // WhatsApp has no buttons: no press to answer
	case bot.ShapeTopic:
		return "", &bot.PermanentError{Err: bot.ErrNoTopics}
	}
	now := w.cfg.Clock.Now()
	if why := w.isDown(); why != "" {
		return "", &bot.RetryError{After: 10 * time.Minute, Err: errors.New(why)}
	}
	w.mu.Lock()
	pause, connected := w.pauseTill.Sub(now), w.connected
	w.mu.Unlock()
	if pause > 0 {
		return "", &bot.RetryError{After: pause, Err: errors.New("temporarily banned")}
	}
	if !connected {
		return "", &bot.RetryError{After: 15 * time.Second, Err: whatsmeow.ErrNotConnected}
	}
	// With several instances, only the lease's holder sends, checked at
	// every message: an instance whose lease lapsed stops at once, not
	// when its connection is taken down a moment later.
	if !w.Leading() {
		return "", &bot.RetryError{After: 15 * time.Second, Err: errors.New("another instance holds the WhatsApp session")}
	}
	to, err := parseChat(m.ChatID)
	if err != nil {
		return "", &bot.PermanentError{Err: err}
	}
	w.mu.Lock()
	gone := w.removed[to]
	w.mu.Unlock()
	if gone {
		return "", &bot.PermanentError{Err: errors.New("the bot was removed from this group")}
	}
	if (to.Server == types.DefaultUserServer || to.Server == types.HiddenUserServer) && !m.Answer {
		if err := w.mayWriteTo(ctx, to, m.ChatID); err != nil {
			return "", err
		}
	}
	var typing time.Duration
	if m.Shape() == bot.ShapeText && utf8.RuneCountInString(m.Text) >= w.cfg.TypingFrom {
		typing = typingTime(utf8.RuneCountInString(m.Text))
	}
	chatWait, wait := w.pace.reserve(to.String(), w.cfg.Clock.Now(), typing)
	if chatWait > 0 {
		return "", &bot.RetryError{After: chatWait, Pace: true, Err: errors.New("pacing: this chat's gap")}
	}
	if err := w.cfg.Clock.Sleep(ctx, wait); err != nil {
		return "", err
	}
	id := w.msgID(m.Key)
	if to.Server == types.GroupServer {
		w.group(ctx, to) // its addressing and timer, for build
	}
	var msg *waE2E.Message
	if m.Shape() == bot.ShapeDocument {
		if msg, err = w.fileMessage(ctx, m, to); err != nil {
			return "", err
		}
	} else {
		msg = w.build(m, to, id)
	}
	if lead := pollLead(m, w.cfg.Options); lead != "" && msg.GetPollCreationMessage() != nil {
		// The text is longer than a poll's question may be: it goes whole
		// first (a privacy notice must be read whole), then the poll asks
		// its last question. Its id derives from the row's key too, and it
		// is kept for retry requests.
		leadID := w.msgID(m.Key + "\x00lead")
		leadMsg := &waE2E.Message{Conversation: proto.String(lead)}
		if _, err := w.net.SendMessage(ctx, to, leadMsg, whatsmeow.SendRequestExtra{ID: leadID}); err != nil {
			if errors.Is(err, whatsmeow.ErrNotConnected) || errors.Is(err, whatsmeow.ErrNotLoggedIn) {
				return "", &bot.RetryError{After: 15 * time.Second, Err: err}
			}
			return "", fmt.Errorf("send to %s: %w", to, err)
		}
	}
	if typing > 0 {
		// Best effort: a lost typing indicator changes nothing.
		_ = w.net.SendChatPresence(ctx, to, types.ChatPresenceComposing, types.ChatPresenceMediaText)
		if err := w.cfg.Clock.Sleep(ctx, typing); err != nil {
			return "", err
		}
	}
	// A poll's secret is stored by whatsmeow's SendMessage, before it
	// sends, under the identity the poll goes out with (the bot's LID in a
	// LID-addressed group). Storing it here too, under the phone number,
	// made a second row that the secret lookup may return first: the key
	// then derives from the wrong sender and every vote fails to decrypt.
	w.disappearing(msg, to)
	resp, err := w.net.SendMessage(ctx, to, msg, whatsmeow.SendRequestExtra{ID: id})
	switch {
	case err == nil:
		w.rememberSender(id, resp.Sender)
		if m.Removed != "" && msg.GetProtocolMessage() != nil {
			// Taken down: the group is told so, in its place. Its id
			// derives from the row's key, so a retry sends it once.
			said := &waE2E.Message{Conversation: proto.String(m.Removed)}
			if _, err := w.net.SendMessage(ctx, to, said, whatsmeow.SendRequestExtra{ID: w.msgID(m.Key + "\x00removed")}); err != nil {
				return "", fmt.Errorf("send to %s: %w", to, err)
			}
		}
		return id, nil
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn):
		return "", &bot.RetryError{After: 15 * time.Second, Err: err}
	case m.Shape() == bot.ShapeTakeDown && msg.GetProtocolMessage() != nil && errors.Is(err, whatsmeow.ErrServerReturnedError):
		// WhatsApp refused to delete it: the bot is no longer an admin.
		// The group's admins are fetched again, and the next try asks
		// the sender to delete it if that is so.
		w.forgetGroup(to)
		return "", &bot.RetryError{After: 5 * time.Second, Err: err}
	}
	return "", fmt.Errorf("send to %s: %w", to, err)
}

// mayWriteTo enforces the rule that keeps the number from being reported as
// spam: the bot writes privately only to someone who wrote to it first.
func (w *WhatsApp) mayWriteTo(ctx context.Context, to types.JID, chatID string) error {
	id, alias := w.person(ctx, to, types.EmptyJID)
	ids := []string{chatID, id, alias}
	for _, id := range ids {
		if id == "" {
			continue
		}
		known, err := w.cfg.Outbox.ChatKnown(ctx, Name, id)
		if err != nil {
			return err
		}
		if known {
			return nil
		}
	}
	return &bot.PermanentError{Err: errors.New("this person has not written to the bot; WhatsApp bots never write first")}
}

// msgID is the WhatsApp id of the message with outbox key key: the same
// key always gives the same id, in WhatsApp Web's own form ("3EB0" and 18
// hex digits), so a message resent after a crash is recognised as the same.
func (w *WhatsApp) msgID(key string) types.MessageID {
	return "3EB0" + strings.ToUpper(hex.EncodeToString(w.derive("id", key)[:9]))
}

// derive returns a secret value for purpose and key.
func (w *WhatsApp) derive(purpose, key string) []byte {
	mac := hmac.New(sha256.New, w.idKey)
	mac.Write([]byte(purpose + "\x00" + key))
	return mac.Sum(nil)
}

// build returns the protobuf for m: a reaction, a poll, or text with its
// quote and mentions. It depends only on m, the chat and the id, so a retry
// request is answered with the very message first sent.
func (w *WhatsApp) build(m bot.Outbound, to types.JID, id types.MessageID) *waE2E.Message {
	switch m.Shape() {
	case bot.ShapeTakeDown:
		target, sender := parseMsgRef(m.Delete)
		if w.botAdmin(to) {
			// A group admin deletes a member's message for everyone.
			return w.cli.BuildRevoke(to, sender, target)
		}
		// The bot may not delete it: its text asks the sender to (not as
		// a reply where it must not show the message again).
		m.ReplyTo = m.Delete
		if m.Removed != "" {
			m.ReplyTo = ""
		}
	case bot.ShapeReaction:
		if m.ReplyTo != "" {
			target, sender := parseMsgRef(m.ReplyTo)
			key := w.cli.BuildMessageKey(to, sender, target)
			return &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
				Key:               key,
				Text:              proto.String(m.React),
				SenderTimestampMS: proto.Int64(w.cfg.Clock.Now().UnixMilli()),
			}}
		}
	}
	if opts := pollOptions(m); w.cfg.Options == OptionsPoll && len(opts) >= 2 && len(opts) <= maxPollOptions {
		poll := &waE2E.PollCreationMessage{
			Name:                   proto.String(pollName(m)),
			SelectableOptionsCount: proto.Uint32(1),
		}
		if m.Multi {
			poll.SelectableOptionsCount = proto.Uint32(0) // any number
		}
		for _, o := range opts {
			poll.Options = append(poll.Options, &waE2E.PollCreationMessage_Option{OptionName: proto.String(o.name)})
		}
		return &waE2E.Message{
			PollCreationMessage: poll,
			MessageContextInfo:  &waE2E.MessageContextInfo{MessageSecret: w.derive("poll", m.Key)},
		}
	}
	text := m.Text
	var ci *waE2E.ContextInfo
	if m.ReplyTo != "" {
		target, sender := parseMsgRef(m.ReplyTo)
		if sender.IsEmpty() {
			sender = w.sentAs(to, target) // the bot's own message
		}
		ci = &waE2E.ContextInfo{
			StanzaID:      proto.String(target),
			Participant:   proto.String(sender.String()),
			QuotedMessage: &waE2E.Message{Conversation: proto.String("")},
		}
	}
	for _, mention := range m.Mentions {
		jid, err := types.ParseJID(mention)
		if err != nil {
			continue
		}
		if ci == nil {
			ci = &waE2E.ContextInfo{}
		}
		ci.MentionedJID = append(ci.MentionedJID, jid.ToNonAD().String())
		// WhatsApp highlights a mention only where "@user" is in the text.
		if tag := "@" + jid.User; !strings.Contains(text, tag) {
			text = tag + " " + text
		}
	}
	if ci == nil {
		return &waE2E.Message{Conversation: proto.String(text)}
	}
	return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(text), ContextInfo: ci}}
}

// pollOption is one option of a poll: the name shown (and hashed by a
// vote) and the data it stands for.
type pollOption struct {
	name, data string
}

// pollOptions names m's options for a poll: each label, cut to WhatsApp's
// length, made unique (a vote names an option only by its name's hash).
func pollOptions(m bot.Outbound) []pollOption {
	seen := make(map[string]bool, len(m.Options))
	out := make([]pollOption, 0, len(m.Options))
	for _, o := range m.Options {
		name := bot.Clip(strings.TrimSpace(o.Label), maxOptionName)
		for n := 2; seen[name] || name == ""; n++ {
			name = bot.Clip(strings.TrimSpace(o.Label), maxOptionName-4) + fmt.Sprintf(" (%d)", n)
		}
		seen[name] = true
		out = append(out, pollOption{name: name, data: o.Data})
	}
	return out
}

// pollName is the poll's question: the message text without the lines
// that repeat an option (the poll shows those) when it fits WhatsApp's
// length, else its last question (the text then goes before the poll:
// see pollLead).
func pollName(m bot.Outbound) string {
	full := pollText(m)
	if utf8.RuneCountInString(full) <= maxPollName {
		return full
	}
	return bot.Clip(lastQuestion(full), maxPollName)
}

// pollLead is the text that goes before m's poll when it is too long for
// the poll's question; "" when it fits, or when m is no poll.
func pollLead(m bot.Outbound, style string) string {
	if opts := pollOptions(m); style != OptionsPoll || len(opts) < 2 || len(opts) > maxPollOptions {
		return ""
	}
	if full := pollText(m); utf8.RuneCountInString(full) > maxPollName {
		return full
	}
	return ""
}

// lastQuestion is the last question of text's last paragraph ("Erase
// everything?" of /forget's question, "Do you accept?" of the notice),
// or, when that paragraph asks none, text's first line ("Your case … was
// not posted: …"): never a question quoted in the middle of the text.
func lastQuestion(text string) string {
	text = strings.TrimSpace(text)
	para := text
	if i := strings.LastIndex(text, "\n\n"); i >= 0 {
		para = strings.TrimSpace(text[i:])
	}
	if end := strings.LastIndex(para, "?"); end >= 0 {
		start := 0
		for i := end - 1; i > 0; i-- {
			if strings.ContainsRune(".?!\n", rune(para[i-1])) && (para[i] == ' ' || para[i-1] == '\n') {
				start = i
				break
			}
		}
		return strings.TrimSpace(para[start : end+1])
	}
	first, _, _ := strings.Cut(text, "\n")
	return strings.TrimSpace(first)
}

// pollText is m's text without the lines that repeat an option.
func pollText(m bot.Outbound) string {
	labels := make(map[string]bool, len(m.Options))
	for _, o := range m.Options {
		labels[strings.TrimSpace(o.Label)] = true
	}
	var lines []string
	for _, line := range strings.Split(m.Text, "\n") {
		if labels[strings.TrimSpace(line)] {
			continue
		}
		if strings.TrimSpace(line) == "" && len(lines) > 0 && lines[len(lines)-1] == "" {
			continue
		}
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// messageForRetry serves whatsmeow's GetMessageForRetry: a recipient that
// could not decrypt a message asks for it again. whatsmeow answers from
// its own memory of the last 256 messages it sent (retry.go,
// recentMessagesSize); this answers the older ones, and every one after a
// restart, from the outbox: the same message, built again from its row.
// A picture, sound, video or document goes by the upload kept for it, or,
// when that is older than reuseFor or gone with the restart, uploaded
// afresh (before, a file message got no answer at all, and the phone
// never showed it). A one-off (Transient) file left the outbox when sent:
// it gets none.
func (w *WhatsApp) messageForRetry(_, to types.JID, id types.MessageID) *waE2E.Message {
	// An upload may be needed: bounded as a download is.
	ctx, cancel := context.WithTimeout(w.context(), fetchWait)
	defer cancel()
	it, err := w.cfg.Outbox.SentMessage(ctx, Name, id)
	if err != nil {
		w.log.Warn("retry request for a message not in the outbox", "id", id, "err", err)
		return nil
	}
	to = to.ToNonAD()
	var msg *waE2E.Message
	if it.Shape() == bot.ShapeDocument {
		if msg, err = w.fileMessage(ctx, it.Outbound, to); err != nil {
			w.log.Warn("retry request for a file that could not be uploaded again", "id", id, "err", err)
			return nil
		}
	} else {
		msg = w.build(it.Outbound, to, id)
	}
	w.disappearing(msg, to)
	return msg
}

// maxSenders bounds the identities remembered for sent messages.
const maxSenders = 4096

// rememberSender keeps the identity (phone number or LID) a message went
// out with, from whatsmeow's answer, to name it when quoting the message.
func (w *WhatsApp) rememberSender(id types.MessageID, sender types.JID) {
	if sender.IsEmpty() {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.senders == nil || len(w.senders) >= maxSenders {
		w.senders = make(map[types.MessageID]types.JID)
	}
	w.senders[id] = sender.ToNonAD()
}

// justSent reports whether this process sent message id lately.
func (w *WhatsApp) justSent(id types.MessageID) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.senders[id]
	return ok
}

// sentAs is the identity the bot's message id went out with in chat to:
// as whatsmeow answered when it was sent, or else as whatsmeow chooses it
// (the bot's LID in a LID-addressed group and to a LID, its phone number
// otherwise). A quote must name that sender, or phones show it as from
// someone else, or not at all.
func (w *WhatsApp) sentAs(to types.JID, id types.MessageID) types.JID {
	w.mu.Lock()
	sender, ok := w.senders[id]
	g := w.groups[to.ToNonAD()]
	w.mu.Unlock()
	if ok {
		return sender
	}
	st := w.cli.Store
	lid := to.Server == types.HiddenUserServer || (g != nil && g.lid)
	if lid && !st.LID.IsEmpty() {
		return st.LID.ToNonAD()
	}
	if st.ID != nil {
		return st.ID.ToNonAD()
	}
	return types.EmptyJID
}

// disappearing gives msg the group's disappearing-messages timer, as
// WhatsApp's own clients do, so the bot's messages vanish with the rest.
func (w *WhatsApp) disappearing(msg *waE2E.Message, to types.JID) {
	w.mu.Lock()
	g := w.groups[to.ToNonAD()]
	w.mu.Unlock()
	if g == nil || g.timer == 0 {
		return
	}
	exp := proto.Uint32(g.timer)
	switch {
	case msg.Conversation != nil:
		msg.ExtendedTextMessage = &waE2E.ExtendedTextMessage{Text: msg.Conversation, ContextInfo: &waE2E.ContextInfo{Expiration: exp}}
		msg.Conversation = nil
	case msg.ExtendedTextMessage != nil:
		if msg.ExtendedTextMessage.ContextInfo == nil {
			msg.ExtendedTextMessage.ContextInfo = &waE2E.ContextInfo{}
		}
		msg.ExtendedTextMessage.ContextInfo.Expiration = exp
	case msg.PollCreationMessage != nil:
		if msg.PollCreationMessage.ContextInfo == nil {
			msg.PollCreationMessage.ContextInfo = &waE2E.ContextInfo{}
		}
		msg.PollCreationMessage.ContextInfo.Expiration = exp
	case msg.DocumentMessage != nil:
		if msg.DocumentMessage.ContextInfo == nil {
			msg.DocumentMessage.ContextInfo = &waE2E.ContextInfo{}
		}
		msg.DocumentMessage.ContextInfo.Expiration = exp
	case msg.ImageMessage != nil:
		if msg.ImageMessage.ContextInfo == nil {
			msg.ImageMessage.ContextInfo = &waE2E.ContextInfo{}
		}
		msg.ImageMessage.ContextInfo.Expiration = exp
	case msg.AudioMessage != nil:
		if msg.AudioMessage.ContextInfo == nil {
			msg.AudioMessage.ContextInfo = &waE2E.ContextInfo{}
		}
		msg.AudioMessage.ContextInfo.Expiration = exp
	case msg.VideoMessage != nil:
		if msg.VideoMessage.ContextInfo == nil {
			msg.VideoMessage.ContextInfo = &waE2E.ContextInfo{}
		}
		msg.VideoMessage.ContextInfo.Expiration = exp
	}
}
