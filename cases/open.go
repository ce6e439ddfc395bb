package cases

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/deid"
)

// openCommand handles /case TEXT in a group.
func (sv *Service) openCommand(tx Tx, s bot.Session) error {
	if s.Chat.Type != bot.Group {
		return bot.Reply(tx, s, "case", sv.tr(s.Lang, "group_only"))
	}
	text := afterWords(s.Event.Text, 1)
	if sv.templated(s.Chat) && !sv.followsTemplate(text) {
		return bot.Reply(tx, s, "case", sv.tr(s.Lang, "template"))
	}
	if utf8.RuneCountInString(text) < 10 {
		return bot.Reply(tx, s, "case", sv.tr(s.Lang, "usage"))
	}
	if isPhoto(s.Event.File) {
		return sv.openWithPhoto(tx, s, text)
	}
	findings, redacted := sv.checkIn(text, s.Lang)
	if len(findings) == 0 {
		_, err := sv.open(tx, s.Chat, s.Member, text, bot.CaseOptions{MessageID: s.Event.MessageID}, s.Now)
		return err
	}
	kinds := sv.list(s.Lang, sv.kindNames(s.Lang, deid.Summary(findings)))
	who := sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym)
	dm, err := tx.DirectChatOf(s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return sv.takeDownFlagged(tx, s, s.Event.MessageID, sv.tr(s.Lang, "flagged_nodm_removed", who, kinds), sv.tr(s.Lang, "flagged_nodm_ask", who, kinds))
	}
	if err != nil {
		return err
	}
	p := bot.PendingCase{ChatID: s.Chat.ID, AuthorID: s.Member.ID, Text: redacted, Created: s.Now}
	if err := tx.SavePendingCase(&p); err != nil {
		return err
	}
	err = send(tx, dm, fmt.Sprintf("pending:%d", p.ID), sv.tr(s.Lang, "flagged_dm", s.Chat.Title, kinds, redacted), s.Now,
		bot.Option{Label: sv.tr(s.Lang, "post_redacted"), Data: fmt.Sprintf("%s%d", confirmPrefix, p.ID)},
		bot.Option{Label: sv.tr(s.Lang, "discard"), Data: fmt.Sprintf("%s%d", discardPrefix, p.ID)})
	if err != nil {
		return err
	}
	return sv.takeDownFlagged(tx, s, s.Event.MessageID, sv.tr(s.Lang, "flagged_removed", who), sv.tr(s.Lang, "flagged_ask", who))
}

// takeDownFlagged takes message msg, a case (or its edit) that may
// identify a patient, down from the group: the bot deletes it where it
// may (an admin with the right to), and the group hears only that a
// message was removed for privacy (removed); where it may not, the member
// is asked to delete it (ask). Neither quotes the message, nor replies to
// it (a reply would show it again beneath).
func (sv *Service) takeDownFlagged(tx Tx, s bot.Session, msg, removed, ask string) error {
	if s.Chat.Type != bot.Group || msg == "" {
		return bot.Reply(tx, s, "flagged", ask)
	}
	m := bot.ReplyMessage(s, "flagged", ask)
	m.ReplyTo, m.Delete, m.Removed = "", msg, removed
	return tx.Enqueue(m, s.Now)
}

// templated reports whether a group's cases follow the template.
func (sv *Service) templated(chat bot.Chat) bool {
	return slices.Contains(sv.cfg.TemplateGroups, "*") || slices.Contains(sv.cfg.TemplateGroups, chat.Key())
}

// templateFields are the keys of the template's labels: a case follows
// the template when it has each field, in any language.
var templateFields = []string{"field_age", "field_sex", "field_presentation", "field_done", "field_question"}

// followsTemplate reports whether text fills in every field.
func (sv *Service) followsTemplate(text string) bool {
	lower := strings.ToLower(strings.ReplaceAll(text, " :", ":"))
	for _, key := range templateFields {
		found := false
		for _, lang := range sv.texts.Languages() {
			n := strings.ToLower(strings.ReplaceAll(sv.tr(lang, key), " :", ":"))
			if i := strings.Index(lower, n); i >= 0 {
				rest, _, _ := strings.Cut(lower[i+len(n):], "\n")
				found = strings.TrimSpace(rest) != ""
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// kindNames translates finding kinds.
func (sv *Service) kindNames(lang string, kinds []string) []string {
	keys := map[string]string{deid.KindPhone: "kind_phone", deid.KindRecord: "kind_record", deid.KindDate: "kind_date",
		deid.KindEmail: "kind_email", deid.KindName: "kind_name", deid.KindAddress: "kind_address"}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = sv.tr(lang, keys[k])
	}
	return out
}

// Open shares a de-identified case in a group: it is numbered, posted,
// indexed for the archive, and its timers set.
func (sv *Service) Open(tx Tx, chat bot.Chat, author bot.Member, text string, o bot.CaseOptions, now time.Time) (bot.Case, error) {
	return sv.open(tx, chat, author, text, o, now)
}

// open is Open within the feature's part of the store.
func (sv *Service) open(tx Tx, chat bot.Chat, author bot.Member, text string, o bot.CaseOptions, now time.Time) (bot.Case, error) {
	c := bot.Case{ChatID: chat.ID, AuthorID: author.ID, RunID: o.RunID, Text: text, Status: bot.CaseOpen,
		Queue: o.Queue, Created: now, MessageID: o.MessageID}
	if c.Queue == "" {
		c.Queue = sv.queueFor(chat)
	}
	c = opened(c, now, o.EscalateAfter)
	if err := tx.CreateCase(&c); err != nil {
		return c, err
	}
	key := o.Key
	if key == "" {
		key = fmt.Sprintf("case:%d:post", c.ID)
		m := bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Key: key,
			Text: sv.tr(chat.Lang, "posted", c.ID, sv.shown(chat.Lang, author.Name, author.Pseudonym), text, c.ID)}
		if chat.Forum && sv.cfg.Topics {
			// The topic first; the post goes into it once it exists.
			topic := bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Key: topicKey(c.ID), Topic: topicName(c.ID, text)}
			if err := tx.Enqueue(topic, now); err != nil {
				return c, err
			}
			if err := tx.LinkCaseMessage(topic.Key, c.ID); err != nil {
				return c, err
			}
			m.ThreadOf = topic.Key
		}
		if err := tx.Enqueue(m, now); err != nil {
			return c, err
		}
	}
	if err := tx.LinkCaseMessage(key, c.ID); err != nil {
		return c, err
	}
	if author.ID != 0 && o.RunID == 0 && o.Key == "" {
		// A member's case, posted here: the archive first.
		if err := sv.suggest(tx, chat, c, now); err != nil {
			return c, err
		}
	}
	return c, tx.IndexCase(c.ID, text)
}

// topicKey is the outbox key of the message that opens case id's forum
// topic. Every later post about the case in its group names it as
// ThreadOf, and goes into the topic when there is one.
func topicKey(id int64) string { return fmt.Sprintf("case:%d:topic", id) }

// threadOf is the ThreadOf of a post about case id in chat: its topic's
// key in a forum, none elsewhere, so that the sender looks for a topic
// only where there can be one.
func threadOf(chat bot.Chat, id int64) string {
	if !chat.Forum {
		return ""
	}
	return topicKey(id)
}

// topicName names a case's topic: its number and its first words (the
// text is already de-identified). Telegram allows 128 characters.
func topicName(id int64, text string) string {
	name := fmt.Sprintf("#C%d", id)
	words := strings.Fields(text)
	for _, w := range words {
		if utf8.RuneCountInString(name)+1+utf8.RuneCountInString(w) > 60 {
			return name + " …"
		}
		name += " " + w
	}
	return name
}

// Option data prefixes of the author's answer to a held-back case.
const (
	confirmPrefix = "cc:"
	discardPrefix = "cx:"
)

// pendingAnswer takes the author's answer to a held-back case: post it
// as redacted, or discard it.
func (sv *Service) pendingAnswer(tx Tx, s bot.Session) error {
	data := s.Event.Option
	post := strings.HasPrefix(data, confirmPrefix)
	id, err := strconv.ParseInt(data[len(confirmPrefix):], 10, 64)
	if err != nil {
		return bot.Reply(tx, s, "pending", sv.tr(s.Lang, "pending_gone"))
	}
	p, err := tx.TakePendingCase(id, s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply(tx, s, "pending", sv.tr(s.Lang, "pending_gone"))
	}
	if err != nil {
		return err
	}
	photos, err := tx.PendingAttachments(p.ID)
	if err != nil {
		return err
	}
	if !post {
		for _, a := range photos {
			if err := tx.DeleteAttachment(a.ID); err != nil {
				return err
			}
		}
		return bot.Reply(tx, s, "pending", sv.tr(s.Lang, "discarded"))
	}
	chat, err := tx.ChatByID(p.ChatID)
	if err != nil {
		return err
	}
	c, err := sv.open(tx, chat, s.Member, p.Text, bot.CaseOptions{}, s.Now)
	if err != nil {
		return err
	}
	for _, a := range photos {
		if err := sv.showPhoto(tx, s.Member, c, chat, a, false, s.Now); err != nil {
			return err
		}
	}
	return bot.Reply(tx, s, "pending", sv.tr(s.Lang, "confirmed", c.ID, chat.Title))
}

// message takes a reply in a case's thread, or a mentor's answer by reply.
func (sv *Service) message(tx Tx, s bot.Session) (bool, error) {
	ev := s.Event
	c, err := caseOf(tx, s)
	if errors.Is(err, bot.ErrNotFound) && s.Chat.Type == bot.Group {
		if m := mentionRe.FindStringSubmatch(ev.Text); m != nil {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			if c, err = tx.CaseByID(id); err == nil && c.ChatID != s.Chat.ID {
				err = bot.ErrNotFound
			}
		}
	}
	if errors.Is(err, bot.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if s.Chat.Type == bot.Direct {
		// A reply to the case's copy in a mentor's private chat: the answer.
		if ok, err := sv.mentorOrStaff(tx, s.Member, c.Queue); err != nil || !ok {
			return false, err
		}
		return true, sv.answer(tx, s, c, ev.Text, ev.File)
	}
	if ev.Text == "" && !isPhoto(ev.File) {
		return false, nil
	}
	if c.Status == bot.CaseClosed {
		return true, bot.Reply(tx, s, "reply", sv.tr(s.Lang, "closed_thread", c.ID))
	}
	if isPhoto(ev.File) {
		return true, sv.photoInThread(tx, s, c)
	}
	findings, text := sv.checkIn(ev.Text, s.Lang)
	if err := tx.AddCasePost(bot.CasePost{CaseID: c.ID, MemberID: s.Member.ID, Kind: bot.PostReply, Text: text,
		MessageID: ev.MessageID, At: s.Now}); err != nil {
		return true, err
	}
	if c.AuthorID == 0 {
		// A lesson's discussion: the first member to share becomes its
		// author, and the others' replies are the peers'.
		c.AuthorID = s.Member.ID
		if err := tx.SaveCaseAuthor(c.ID, c.AuthorID); err != nil {
			return true, err
		}
	} else if s.Member.ID != c.AuthorID && c.FirstReply.IsZero() {
		c = replied(c, s.Now) // a peer replied: no automatic escalation
		if err := tx.SaveCase(&c); err != nil {
			return true, err
		}
	}
	if err := sv.reindex(tx, c); err != nil {
		return true, err
	}
	if len(findings) > 0 {
		return true, bot.Reply(tx, s, "redacted", sv.tr(s.Lang, "reply_redacted", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym), c.ID, sv.list(s.Lang, sv.kindNames(s.Lang, deid.Summary(findings)))))
	}
	return true, nil
}

// reindex writes the case, its thread and its answer to the search index.
func (sv *Service) reindex(tx Tx, c bot.Case) error {
	posts, err := tx.CasePosts(c.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(c.Text)
	for _, p := range posts {
		b.WriteString("\n")
		b.WriteString(p.Text)
	}
	return tx.IndexCase(c.ID, b.String())
}
