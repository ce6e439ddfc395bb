package cases

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// escalate sends an open case to its queue's mentors.
func (sv *Service) escalate(tx Tx, s bot.Session, c bot.Case, key string) error {
	switch c.Status {
	case bot.CaseAssigned:
		return bot.Reply(tx, s, "escalate", sv.tr(s.Lang, "already_mentor", c.ID))
	case bot.CaseAnswered, bot.CaseClosed:
		return bot.Reply(tx, s, "escalate", sv.tr(s.Lang, "already_done", c.ID, sv.statusName(s.Lang, c.Status)))
	}
	if !c.Escalated.IsZero() {
		has, err := sv.hasMentors(tx, c.Queue)
		if err != nil {
			return err
		}
		how := "mentor_wait"
		if !has {
			how = "mentor_none"
		}
		return bot.Reply(tx, s, "escalate", sv.escalatedText(s.Lang, "escalated", c, how))
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	how, err := sv.escalateCase(tx, &c, chat, s.Now)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "escalate", sv.escalatedText(s.Lang, key, c, how))
}

// escalatedText says where an escalated case is: with key's text (the
// queue and how), or that no mentor is set up.
func (sv *Service) escalatedText(lang, key string, c bot.Case, how string) string {
	if how == "mentor_none" {
		return sv.tr(lang, "escalated_none", c.ID)
	}
	return sv.tr(lang, key, c.ID, c.Queue, sv.tr(lang, how))
}

// escalateCase marks c escalated and offers it to a mentor. It returns
// the key of what happened: mentor_has (a mentor has it), mentor_wait
// (it waits for one to be free) or mentor_none (the queue has no mentor
// at all: the staff are told).
func (sv *Service) escalateCase(tx Tx, c *bot.Case, chat bot.Chat, now time.Time) (string, error) {
	*c = escalated(*c, now)
	if c.Queue == "" {
		c.Queue = sv.queueFor(chat)
	}
	assigned, err := sv.assign(tx, c, chat, now, 0)
	if err != nil {
		return "", err
	}
	how := "mentor_wait"
	switch has, err := sv.hasMentors(tx, c.Queue); {
	case err != nil:
		return "", err
	case assigned:
		how = "mentor_has"
	case !has:
		how = "mentor_none"
		if err := sv.tellStaffNoMentor(tx, *c, chat, now); err != nil {
			return "", err
		}
	}
	return how, tx.SaveCase(c)
}

// hasMentors reports whether queue has any mentor, in the config or
// added, whether or not they can take a case now.
func (sv *Service) hasMentors(tx Tx, queue string) (bool, error) {
	if queue == "" {
		return false, nil
	}
	if len(sv.cfg.Mentors[queue]) > 0 {
		return true, nil
	}
	added, err := tx.AddedMentors(queue)
	return len(added[queue]) > 0, err
}

// tellStaffNoMentor tells the staff that case c was escalated where no
// mentor is set up, and logs it.
func (sv *Service) tellStaffNoMentor(tx Tx, c bot.Case, chat bot.Chat, now time.Time) error {
	sv.log.Warn("case escalated with no mentor set up", "case", c.ID, "queue", c.Queue)
	return sv.toStaff(tx, now, func(m bot.Member, lang string) (string, string) {
		why := sv.tr(lang, "nomentor_noq")
		if c.Queue != "" {
			why = sv.tr(lang, "nomentor_queue", c.Queue)
		}
		return fmt.Sprintf("case:%d:nomentor:%d", c.ID, m.ID), sv.tr(lang, "nomentor_staff", c.ID, chat.Title, why)
	})
}

// assign gives c to the least-loaded mentor of its queue who has written to
// the bot privately and has room, skipping exclude; among equally loaded
// mentors, to the next in turn after the last one given a case. It returns
// false when none can take it now (it is offered again later). The caller
// saves c.
func (sv *Service) assign(tx Tx, c *bot.Case, chat bot.Chat, now time.Time, exclude int64) (bool, error) {
	if c.Queue == "" {
		// Escalated before any queue was configured: it may have one now.
		c.Queue = sv.queueFor(chat)
	}
	refs := sv.cfg.Mentors[c.Queue]
	last, err := tx.LastAssignee(c.Queue)
	if err != nil {
		return false, err
	}
	type cand struct {
		m  bot.Member
		dm bot.Chat
	}
	// The config's mentors, then those staff added, each once.
	var mentors []bot.Member
	for _, ref := range refs {
		m, err := tx.MemberByRef(ref)
		if errors.Is(err, bot.ErrNotFound) {
			continue // has never written: cannot be reached privately
		}
		if err != nil {
			return false, err
		}
		mentors = append(mentors, m)
	}
	added, err := tx.AddedMentors(c.Queue)
	if err != nil {
		return false, err
	}
	for _, m := range added[c.Queue] {
		if !slices.ContainsFunc(mentors, func(x bot.Member) bool { return x.ID == m.ID }) {
			mentors = append(mentors, m)
		}
	}
	var cands []cand
	start := 0
	for _, m := range mentors {
		dm, err := tx.DirectChatOf(m.ID)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if m.ID == last {
			start = len(cands) + 1
		}
		cands = append(cands, cand{m, dm})
	}
	best, bestLoad := -1, sv.cfg.Capacity
	for i := range cands {
		k := (start + i) % len(cands)
		if cands[k].m.ID == exclude {
			continue
		}
		n, err := tx.OpenAssignments(cands[k].m.ID)
		if err != nil {
			return false, err
		}
		if n < bestLoad {
			best, bestLoad = k, n
		}
	}
	if best >= 0 {
		cd := cands[best]
		*c = assigned(*c, cd.m.ID, now, sv.cfg.Target)
		return true, sv.sendAssignment(tx, *c, chat, cd.m, cd.dm, now)
	}
	*c = waiting(*c, now, retryAssign)
	return false, nil
}

// sendAssignment gives the mentor the case, the thread so far and how to
// answer, privately.
func (sv *Service) sendAssignment(tx Tx, c bot.Case, chat bot.Chat, mentor bot.Member, dm bot.Chat, now time.Time) error {
	lang := dm.Lang // the mentor's language, or their group's
	posts, err := tx.CasePosts(c.ID)
	if err != nil {
		return err
	}
	var thread strings.Builder
	if len(posts) > 0 {
		thread.WriteString(sv.tr(lang, "thread"))
		for _, p := range posts {
			who := sv.shown(lang, p.Name, p.Pseudonym)
			if p.MemberID == 0 {
				who = sv.tr(lang, "lesson_note")
			}
			fmt.Fprintf(&thread, "\n• %s: %s", who, bot.Clip(p.Text, 300))
		}
	}
	// The archive's answered cases like it, so that an answer can cite
	// them (the group saw them offered).
	if sv.cfg.Similar != SimilarOff {
		hits, err := sv.Similar(tx, chat, c.Text, c.ID, sv.cfg.Similar)
		if err != nil {
			return err
		}
		if len(hits) > 0 {
			offered, err := sv.offered(tx, lang, hits)
			if err != nil {
				return err
			}
			thread.WriteString("\n\n" + sv.tr(lang, "similar_mentor") + offered)
		}
	}
	key := fmt.Sprintf("case:%d:assign:%d:%d", c.ID, mentor.ID, now.UnixMilli())
	if err := send(tx, dm, key, sv.tr(lang, "assigned_dm", c.ID, chat.Title, c.Queue, c.Text, thread.String(), c.ID, c.ID), now); err != nil {
		return err
	}
	if err := tx.LinkCaseMessage(key, c.ID); err != nil {
		return err
	}
	// The case's photos follow its text.
	attached, err := tx.CaseAttachments(c.ID)
	if err != nil {
		return err
	}
	for _, a := range attached {
		if a.Kind != bot.AttachPhoto {
			continue
		}
		data, err := tx.AttachmentData(a)
		if err != nil {
			return err
		}
		if err := sv.sendPhotoTo(tx, dm, c, a, data, fmt.Sprintf("att:%d:assign:%d:%d", a.ID, mentor.ID, now.UnixMilli()), now); err != nil {
			return err
		}
	}
	return nil
}
