package cases

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Where the answered cases offered under a new one come from
// (Config.Similar).
const (
	SimilarProgram = "program"
	SimilarCourse  = "course"
	SimilarGroup   = "group"
	SimilarOff     = "off"
)

// similarPrefix begins the data of an offered case's button:
// "sa:CASE:ARCHIVED".
const similarPrefix = "sa:"

// suggest offers, under case c a member just shared in chat, the answered
// cases of the archive most like it, each with its mentor's answer in one
// line and a button by which c's author says that it answers c. Peers and
// the archive answer what they can; a mentor gets what is new.
func (sv *Service) suggest(tx Tx, chat bot.Chat, c bot.Case, now time.Time) error {
	if sv.cfg.Similar == SimilarOff {
		return nil
	}
	hits, err := sv.Similar(tx, chat, c.Text, c.ID, sv.cfg.Similar)
	if err != nil || len(hits) == 0 {
		return err
	}
	text, err := sv.offered(tx, chat.Lang, hits)
	if err != nil {
		return err
	}
	opts := make([]bot.Option, len(hits))
	for i, h := range hits {
		opts[i] = bot.Option{Label: sv.tr(chat.Lang, "similar_button", h.ID), Data: fmt.Sprintf("%s%d:%d", similarPrefix, c.ID, h.ID)}
	}
	key := fmt.Sprintf("case:%d:similar", c.ID)
	m := bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Key: key, ThreadOf: threadOf(chat, c.ID),
		Text: sv.tr(chat.Lang, "similar_head", c.ID) + text + "\n\n" + sv.tr(chat.Lang, "similar_foot"), Options: opts}
	if err := tx.Enqueue(m, now); err != nil {
		return err
	}
	// A reply to the offer is a reply in the case's thread.
	return tx.LinkCaseMessage(key, c.ID)
}

// offered lists hits in lang, one paragraph each: the case's number,
// group and first words, its mentor's answer in a line, and how to read
// its thread.
func (sv *Service) offered(tx Tx, lang string, hits []bot.CaseHit) (string, error) {
	var b strings.Builder
	for i, h := range hits {
		answer, err := sv.answerOf(tx, h.ID)
		if err != nil {
			return "", err
		}
		b.WriteString(sv.tr(lang, "similar_line", i+1, h.ID, h.ChatTitle, bot.Clip(oneLine(h.Text), 90), bot.Clip(oneLine(answer), 140), h.ID))
	}
	return b.String(), nil
}

// answerOf is the mentor's first answer in case id's thread ("🎤" for a
// voice answer); "" when there is none.
func (sv *Service) answerOf(tx Tx, id int64) (string, error) {
	posts, err := tx.CasePosts(id)
	if err != nil {
		return "", err
	}
	for _, p := range posts {
		if p.Kind == bot.PostAnswer {
			if strings.TrimSpace(p.Text) == "" {
				return "🎤", nil
			}
			return p.Text, nil
		}
	}
	return "", nil
}

// oneLine is s on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// similarAnswer takes a press of an offered case's button: from the
// case's author, while it waits for an answer, it closes the case as
// answered from the archive, linked to the one that answered it; anyone
// else is told, privately, that it is the author's to say.
func (sv *Service) similarAnswer(tx Tx, s bot.Session) error {
	ids := strings.Split(strings.TrimPrefix(s.Event.Option, similarPrefix), ":")
	if len(ids) != 2 {
		return nil
	}
	caseID, err1 := strconv.ParseInt(ids[0], 10, 64)
	from, err2 := strconv.ParseInt(ids[1], 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	c, err := tx.CaseByID(caseID)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.AnswerPress(tx, s.Event, s.Now, sv.tr(s.Lang, "unknown_case", ids[0]), false)
	}
	if err != nil {
		return err
	}
	if s.Member.ID != c.AuthorID {
		return bot.AnswerPress(tx, s.Event, s.Now, sv.tr(s.Lang, "not_yours"), false)
	}
	if c.Status != bot.CaseOpen {
		return bot.AnswerPress(tx, s.Event, s.Now, sv.tr(s.Lang, "already_done", c.ID, sv.statusName(s.Lang, c.Status)), false)
	}
	// The one that answers it must be an answered case of the archive
	// (a stale or made-up button names another).
	if a, err := tx.CaseByID(from); errors.Is(err, bot.ErrNotFound) || err == nil && a.Status != bot.CaseAnswered && a.Status != bot.CaseClosed {
		return bot.AnswerPress(tx, s.Event, s.Now, sv.tr(s.Lang, "unknown_case", ids[1]), false)
	} else if err != nil {
		return err
	}
	c = closed(c, s.Now)
	c.AnsweredFrom = from
	if err := tx.SaveCase(&c); err != nil {
		return err
	}
	sv.log.Info("case answered from the archive", "case", c.ID, "by", from)
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	return tx.Enqueue(bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, ThreadOf: threadOf(chat, c.ID),
		Key: fmt.Sprintf("case:%d:from-archive", c.ID), Text: sv.tr(chat.Lang, "similar_closed", c.ID, from, from)}, s.Now)
}
