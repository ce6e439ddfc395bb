package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// msgRef is how a WhatsApp message is named in bot.Event.MessageID and
// bot.Outbound.ReplyTo: "ID/sender" for a member's message, since a quoted
// reply must name the quoted message's sender, and the bare ID for the
// bot's own messages.
func msgRef(id types.MessageID, sender types.JID) string {
	if sender.IsEmpty() {
		return id
	}
	return id + "/" + sender.ToNonAD().String()
}

// keyRef is the msgRef of the message a reaction, edit or deletion by
// from is about. Its key names the message as from sees it: by its
// author (Participant) when given, else as from's own (FromMe) or, for an
// edit or deletion (own is set), from's own all the same; else the
// other party's, which in a private chat is the bot.
func (w *WhatsApp) keyRef(key *waCommon.MessageKey, from types.JID, own bool) string {
	author := types.EmptyJID
	if p := key.GetParticipant(); p != "" {
		if j, err := types.ParseJID(p); err == nil {
			author = j
		}
	} else if key.GetFromMe() || own {
		author = from
	}
	if st := w.cli.Store; !author.IsEmpty() && st.ID != nil {
		if a := author.ToNonAD(); a == st.ID.ToNonAD() || a == st.LID.ToNonAD() {
			author = types.EmptyJID // the bot's own message
		}
	}
	return msgRef(key.GetID(), author)
}

// parseMsgRef splits a msgRef; the sender is empty for the bot's own.
func parseMsgRef(ref string) (types.MessageID, types.JID) {
	id, sender, ok := strings.Cut(ref, "/")
	if !ok {
		return ref, types.EmptyJID
	}
	jid, err := types.ParseJID(sender)
	if err != nil {
		return id, types.EmptyJID
	}
	return id, jid
}

// person resolves a user to the ids Huddle keys them by: the LID when it is
// known, with the phone-number address as the alias; the phone-number
// address alone while the LID is unknown.
func (w *WhatsApp) person(ctx context.Context, jid, alt types.JID) (id, alias string) {
	jid, alt = jid.ToNonAD(), alt.ToNonAD()
	var lid, pn types.JID
	for _, j := range []types.JID{jid, alt} {
		switch j.Server {
		case types.HiddenUserServer:
			lid = j
		case types.DefaultUserServer:
			pn = j
		}
	}
	lids := w.cli.Store.LIDs
	if lids == nil { // an unpaired device has no stores yet
		lids = noLIDs{}
	}
	if lid.IsEmpty() && !pn.IsEmpty() {
		if l, err := lids.GetLIDForPN(ctx, pn); err == nil && !l.IsEmpty() {
			lid = l
		}
	}
	if pn.IsEmpty() && !lid.IsEmpty() {
		if p, err := lids.GetPNForLID(ctx, lid); err == nil && !p.IsEmpty() {
			pn = p
		}
	}
	switch {
	case !lid.IsEmpty() && !pn.IsEmpty():
		return lid.String(), pn.String()
	case !lid.IsEmpty():
		return lid.String(), ""
	case !pn.IsEmpty():
		return pn.String(), ""
	}
	return jid.String(), ""
}

// convert turns a whatsmeow message into a bot.Event; false for what Huddle
// ignores (its own messages, status updates, newsletters, broadcast lists,
// polls it did not send, protocol noise).
func (w *WhatsApp) convert(ctx context.Context, evt *events.Message) (bot.Event, bool) {
	ev, ok := w.translate(ctx, evt)
	if ok && toFetch(ev) {
		w.fetch(ctx, ev.File, evt.Message, evt.Info)
	}
	return ev, ok
}

// translate is convert without fetching the file: ev.File, when Huddle
// would act on it, comes without its bytes (see toFetch).
func (w *WhatsApp) translate(ctx context.Context, evt *events.Message) (bot.Event, bool) {
	info := evt.Info
	if info.IsFromMe || evt.Message == nil {
		return bot.Event{}, false
	}
	switch {
	case info.Chat.Server == types.BroadcastServer, info.Chat.Server == types.NewsletterServer, info.Chat == types.StatusBroadcastJID:
		return bot.Event{}, false
	}
	sender, alias := w.person(ctx, info.Sender, info.SenderAlt)
	ev := bot.Event{
		Channel:     Name,
		SenderID:    sender,
		SenderAlias: alias,
		SenderName:  info.PushName,
		MessageID:   msgRef(info.ID, info.Sender),
		Time:        info.Timestamp,
	}
	if info.IsGroup {
		ev.ChatType, ev.ChatID = bot.Group, info.Chat.ToNonAD().String()
		if g := w.group(ctx, info.Chat); g != nil {
			ev.ChatTitle = g.name
			ev.ChatSize = max(g.size-1, 0) // its participants, the bot left out
			ev.SenderAdmin = g.admin(sender, alias, info.Sender.ToNonAD().String())
			ev.BotAdmin = w.botAdminOf(g)
		}
	} else {
		// A private chat is keyed like its member, so it is one chat
		// whether it arrives addressed by phone number or by LID.
		ev.ChatType, ev.ChatID = bot.Direct, sender
	}
	ev.ID = bot.EventID(Name, ev.ChatID, sender, info.ID)
	if !info.Timestamp.IsZero() && w.cfg.Clock.Now().Sub(info.Timestamp) > w.cfg.LateAfter {
		ev.Late = true
	}
	m := evt.Message
	switch {
	case m.GetPollUpdateMessage() != nil:
		return w.vote(ctx, evt, ev)
	case m.GetReactionMessage() != nil:
		r := m.GetReactionMessage()
		ev.Kind, ev.Text, ev.Target = bot.Reaction, r.GetText(), w.keyRef(r.GetKey(), info.Sender, false)
		return ev, true
	case m.GetProtocolMessage() != nil:
		pm := m.GetProtocolMessage()
		switch pm.GetType() {
		case waE2E.ProtocolMessage_REVOKE:
			ev.Kind, ev.Target = bot.Deleted, w.keyRef(pm.GetKey(), info.Sender, true)
			return ev, true
		case waE2E.ProtocolMessage_MESSAGE_EDIT:
			ev.Kind, ev.Target = bot.Edited, w.keyRef(pm.GetKey(), info.Sender, true)
			ev.Text, _ = textOf(pm.GetEditedMessage())
			return ev, true
		}
		return bot.Event{}, false
	}
	text, ci := textOf(m)
	if text == "" && ci == nil && !hasMedia(m) {
		return bot.Event{}, false // a protocol or unsupported message
	}
	ev.Kind, ev.Text = bot.Message, text
	if ci != nil {
		if ci.GetStanzaID() != "" {
			quoted, _ := types.ParseJID(ci.GetParticipant())
			mine := w.isMe(quoted)
			if mine {
				quoted = types.EmptyJID
			}
			ev.ReplyTo = msgRef(ci.GetStanzaID(), quoted)
			if !quoted.IsEmpty() {
				ev.ReplyToSender, _ = w.person(ctx, quoted, types.EmptyJID)
			}
			if data, ok := w.repliedOption(ctx, mine, ci.GetStanzaID(), text); ok && !hasMedia(m) {
				ev.Kind, ev.Option = bot.OptionChosen, data
			}
		}
		for _, s := range ci.GetMentionedJID() {
			if j, err := types.ParseJID(s); err == nil {
				id, _ := w.person(ctx, j, types.EmptyJID)
				ev.Mentions = append(ev.Mentions, id)
			}
		}
	}
	if !ev.Late && ev.Kind == bot.Message {
		// A photo or voice note Huddle may act on is fetched (a late
		// message is only counted).
		ev.File = w.fileOf(m, ev)
	}
	return ev, true
}

// textOf returns a message's text (conversation, extended text or a media
// caption) and its context info (quote, mentions).
func textOf(m *waE2E.Message) (string, *waE2E.ContextInfo) {
	switch {
	case m == nil:
		return "", nil
	case m.Conversation != nil:
		return m.GetConversation(), nil
	case m.ExtendedTextMessage != nil:
		return m.GetExtendedTextMessage().GetText(), m.GetExtendedTextMessage().GetContextInfo()
	case m.ImageMessage != nil:
		return m.GetImageMessage().GetCaption(), m.GetImageMessage().GetContextInfo()
	case m.VideoMessage != nil:
		return m.GetVideoMessage().GetCaption(), m.GetVideoMessage().GetContextInfo()
	case m.DocumentMessage != nil:
		return m.GetDocumentMessage().GetCaption(), m.GetDocumentMessage().GetContextInfo()
	case m.AudioMessage != nil:
		return "", m.GetAudioMessage().GetContextInfo()
	case m.StickerMessage != nil:
		return "", m.GetStickerMessage().GetContextInfo()
	}
	return "", nil
}

// hasMedia reports whether m carries media without text, which still counts
// as taking part.
func hasMedia(m *waE2E.Message) bool {
	return m.ImageMessage != nil || m.VideoMessage != nil || m.DocumentMessage != nil ||
		m.AudioMessage != nil || m.StickerMessage != nil
}

// isMe reports whether jid is the bot's own account, by phone number or LID.
func (w *WhatsApp) isMe(jid types.JID) bool {
	if jid.IsEmpty() {
		return false
	}
	st := w.cli.Store
	u := jid.ToNonAD()
	return (st.ID != nil && u.User == st.ID.User && u.Server == st.ID.Server) ||
		(!st.LID.IsEmpty() && u.User == st.LID.User && u.Server == st.LID.Server)
}

// vote decrypts a poll vote and maps its option hashes back to the option
// data of the poll the bot sent. The voter's phone encrypts a vote under
// the address it votes as, which need not be the one the vote arrives
// from (a phone number in a LID group): a vote that does not decrypt is
// tried under the voter's other address, from the event or, when WhatsApp
// gave none, from the LID map.
func (w *WhatsApp) vote(ctx context.Context, evt *events.Message, ev bot.Event) (bot.Event, bool) {
	pu := evt.Message.GetPollUpdateMessage()
	pollID := pu.GetPollCreationMessageKey().GetID()
	v, err := w.cli.DecryptPollVote(ctx, evt)
	if err != nil {
		if other := w.otherAddress(ctx, evt.Info.Sender, evt.Info.SenderAlt); !other.IsEmpty() {
			alt := *evt
			alt.Info.Sender, alt.Info.SenderAlt = other, evt.Info.Sender
			v, err = w.cli.DecryptPollVote(ctx, &alt)
		}
	}
	if err != nil {
		w.log.Warn("poll vote not decrypted", "poll", pollID, "err", err)
		return bot.Event{}, false
	}
	poll, err := w.cfg.Outbox.SentMessage(ctx, Name, pollID)
	// A vote can beat the outbox's record that its poll was sent (WhatsApp
	// took the poll; the mark commits a moment later): wait a little for
	// a poll this process just sent.
	// (Real time: it waits for a commit in this process, not for WhatsApp.)
	for tries := 0; errors.Is(err, bot.ErrNotFound) && tries < 40 && w.justSent(pollID); tries++ {
		select {
		case <-ctx.Done():
			tries = 40
			continue
		case <-time.After(50 * time.Millisecond):
		}
		poll, err = w.cfg.Outbox.SentMessage(ctx, Name, pollID)
	}
	if err != nil {
		w.log.Warn("vote for a poll not in the outbox", "poll", pollID, "err", err)
		return bot.Event{}, false
	}
	ev.Kind, ev.MessageID, ev.Choices = bot.Vote, pollID, []string{}
	for _, h := range v.GetSelectedOptions() {
		for _, o := range pollOptions(poll.Outbound) {
			if sum := sha256.Sum256([]byte(o.name)); bytes.Equal(sum[:], h) {
				ev.Choices = append(ev.Choices, o.data)
			}
		}
	}
	return ev, true
}

// otherAddress returns the voter's other address: alt when WhatsApp gave
// one, else the phone number of a LID or the LID of a phone number, from
// the LID map; empty when none is known.
func (w *WhatsApp) otherAddress(ctx context.Context, sender, alt types.JID) types.JID {
	if !alt.IsEmpty() {
		return alt
	}
	var other types.JID
	var err error
	switch sender.Server {
	case types.HiddenUserServer:
		other, err = w.cli.Store.LIDs.GetPNForLID(ctx, sender.ToNonAD())
	case types.DefaultUserServer:
		other, err = w.cli.Store.LIDs.GetLIDForPN(ctx, sender.ToNonAD())
	}
	if err != nil {
		w.log.Warn("look up a voter's other address", "err", err)
		return types.EmptyJID
	}
	return other
}

// noLIDs knows no mappings.
type noLIDs struct{ store.LIDStore }

func (noLIDs) GetLIDForPN(context.Context, types.JID) (types.JID, error) { return types.EmptyJID, nil }
func (noLIDs) GetPNForLID(context.Context, types.JID) (types.JID, error) { return types.EmptyJID, nil }

// repliedOption reads a reply to one of the bot's pictures that offered
// options in its caption (see mediaCaption) as the choice of one by its
// number. false for any other reply: talk about the picture.
func (w *WhatsApp) repliedOption(ctx context.Context, mine bool, id, text string) (string, bool) {
	if !mine || w.cfg.Outbox == nil {
		return "", false
	}
	it, err := w.cfg.Outbox.SentMessage(ctx, Name, id)
	if err != nil || it.File == nil || len(it.Options) == 0 {
		return "", false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(text)); err == nil && n >= 1 && n <= len(it.Options) {
		return it.Options[n-1].Data, true
	}
	return "", false // talk about the picture, not a choice
}
