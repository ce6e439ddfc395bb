package cases

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// shown is how a member is named to others: by their pseudonym when
// pseudonyms are on, else by name; "a former member" when they have
// neither (forgotten).
func (sv *Service) shown(lang, name, pseudonym string) string {
	if sv.cfg.Pseudonyms && pseudonym != "" {
		return pseudonym
	}
	if name == "" {
		return sv.tr(lang, "former")
	}
	return name
}

func (sv *Service) statusName(lang string, st bot.CaseStatus) string {
	return sv.tr(lang, "status_"+string(st))
}

// answer posts a mentor's answer into the case's group thread and tells the
// author. A voice note (voice) is an answer too, relayed as one, with
// text as its caption.
func (sv *Service) answer(tx Tx, s bot.Session, c bot.Case, text string, voice *bot.File) error {
	if ok, err := sv.mentorOrStaff(tx, s.Member, c.Queue); err != nil || !ok {
		if err != nil {
			return err
		}
		return sv.refuse(tx, s, "answer", "mentors_only")
	}
	if c.Status == bot.CaseAssigned && c.AssignedTo != s.Member.ID && !sv.isStaff(s.Member) {
		return bot.Reply(tx, s, "answer", sv.tr(s.Lang, "not_assignee", c.ID))
	}
	if c.Status == bot.CaseClosed {
		return bot.Reply(tx, s, "answer", sv.tr(s.Lang, "already_done", c.ID, sv.statusName(s.Lang, c.Status)))
	}
	if !isVoice(voice) {
		voice = nil
	}
	if voice != nil && len(voice.Data) == 0 {
		return bot.Reply(tx, s, "answer", sv.tr(s.Lang, "voice_unreadable"))
	}
	if strings.TrimSpace(text) == "" && voice == nil {
		return bot.Reply(tx, s, "answer", sv.tr(s.Lang, "answer_usage"))
	}
	_, text = sv.checkIn(text, s.Lang) // mentors' answers are kept de-identified too
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	quoted, err := tx.CaseMessageID(c.ID)
	if err != nil {
		return err
	}
	who := sv.shown(chat.Lang, s.Member.Name, s.Member.Pseudonym)
	out := bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, ReplyTo: quoted, ThreadOf: threadOf(chat, c.ID),
		Text: sv.tr(chat.Lang, "answer_post", c.ID, who, text), Key: "ev:" + s.Event.ID + ":answer"}
	posted := text
	if voice != nil {
		a := bot.Attachment{Kind: bot.AttachVoice, MIMEType: voice.MIMEType, MemberID: s.Member.ID, ChatID: c.ChatID, CaseID: c.ID,
			Caption: text, Status: bot.AttachShown, Created: s.Now, Data: voice.Data}
		if err := tx.SaveAttachment(&a); err != nil {
			return err
		}
		out.Key = fmt.Sprintf("att:%d:answer", a.ID)
		out.File = &bot.File{Name: fmt.Sprintf("case-%d-answer%s", c.ID, voiceExt(voice.MIMEType)), MIMEType: voice.MIMEType, Data: voice.Data}
		out.Text = strings.TrimSpace(sv.tr(chat.Lang, "voice_answer_post", c.ID, who) + "\n\n" + text)
		posted = strings.TrimSpace("🎤 " + text)
	}
	if err := tx.Enqueue(out, s.Now); err != nil {
		return err
	}
	if err := tx.LinkCaseMessage(out.Key, c.ID); err != nil {
		return err
	}
	if err := tx.AddCasePost(bot.CasePost{CaseID: c.ID, MemberID: s.Member.ID, Kind: bot.PostAnswer, Text: posted,
		MessageID: s.Event.MessageID, At: s.Now}); err != nil {
		return err
	}
	c = answered(c, s.Member.ID, s.Now)
	if err := tx.SaveCase(&c); err != nil {
		return err
	}
	if err := sv.reindex(tx, c); err != nil {
		return err
	}
	if c.AuthorID != 0 && c.AuthorID != s.Member.ID {
		if dm, err := tx.DirectChatOf(c.AuthorID); err == nil {
			if err := send(tx, dm, "ev:"+s.Event.ID+":author", sv.tr(dm.Lang, "answer_author", c.ID, chat.Title), s.Now); err != nil {
				return err
			}
		} else if !errors.Is(err, bot.ErrNotFound) {
			return err
		}
	}
	if s.Chat.Type == bot.Direct {
		return bot.Reply(tx, s, "answered", sv.tr(s.Lang, "answer_mentor", chat.Title, c.ID))
	}
	return nil
}

// queue lists a mentor's cases and those waiting in their queues.
func (sv *Service) queue(tx Tx, s bot.Session) error {
	queues, err := sv.queuesOf(tx, s.Member, "")
	if err != nil {
		return err
	}
	if len(queues) == 0 && !sv.isStaff(s.Member) {
		return sv.refuse(tx, s, "queue", "mentors_only")
	}
	list, err := tx.MentorCases(s.Member.ID, queues)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return bot.Reply(tx, s, "queue", sv.tr(s.Lang, "queue_empty", strings.Join(queues, ", ")))
	}
	return bot.Reply(tx, s, "queue", sv.tr(s.Lang, "queue_head")+sv.queueLines(tx, s.Lang, list, s.Now))
}

// queueLines lists a mentor's cases, a line each.
func (sv *Service) queueLines(tx bot.ChatStore, lang string, list []bot.Case, now time.Time) string {
	var b strings.Builder
	for _, c := range list {
		title := ""
		if chat, err := tx.ChatByID(c.ChatID); err == nil {
			title = chat.Title
		}
		if c.Status == bot.CaseAssigned {
			b.WriteString(sv.tr(lang, "queue_mine", c.ID, title, since(now, c.Assigned), bot.Clip(c.Text, 80)))
		} else {
			b.WriteString(sv.tr(lang, "queue_wait", c.ID, title, since(now, c.Escalated), c.ID, bot.Clip(c.Text, 80)))
		}
	}
	return b.String()
}

// since says how long ago t was, roughly: "3h", "2d", "15m".
func since(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

// take gives a waiting case to the mentor who asks.
func (sv *Service) take(tx Tx, s bot.Session, c bot.Case) error {
	if ok, err := sv.isMentor(tx, s.Member, c.Queue); err != nil || !ok {
		if err != nil {
			return err
		}
		return sv.refuse(tx, s, "take", "mentors_only")
	}
	switch {
	case c.Status == bot.CaseAssigned && c.AssignedTo == s.Member.ID:
		return bot.Reply(tx, s, "take", sv.tr(s.Lang, "taken", c.ID))
	case c.Status == bot.CaseAssigned:
		return bot.Reply(tx, s, "take", sv.tr(s.Lang, "not_assignee", c.ID))
	case c.Status != bot.CaseOpen:
		return bot.Reply(tx, s, "take", sv.tr(s.Lang, "already_done", c.ID, sv.statusName(s.Lang, c.Status)))
	}
	n, err := tx.OpenAssignments(s.Member.ID)
	if err != nil {
		return err
	}
	if n >= sv.cfg.Capacity {
		return bot.Reply(tx, s, "take", sv.texts.Count(s.Lang, "full", n, n))
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	dm, err := tx.DirectChatOf(s.Member.ID)
	if err != nil {
		return err
	}
	c = taken(c, s.Member.ID, s.Now, sv.cfg.Target)
	if err := tx.SaveCase(&c); err != nil {
		return err
	}
	return sv.sendAssignment(tx, c, chat, s.Member, dm, s.Now)
}

// pass gives a mentor's case back to the queue, for the next mentor.
func (sv *Service) pass(tx Tx, s bot.Session, c bot.Case) error {
	if ok, err := sv.isMentor(tx, s.Member, c.Queue); err != nil || !ok {
		if err != nil {
			return err
		}
		return sv.refuse(tx, s, "pass", "mentors_only")
	}
	if c.Status != bot.CaseAssigned || c.AssignedTo != s.Member.ID {
		return bot.Reply(tx, s, "pass", sv.tr(s.Lang, "not_assignee", c.ID))
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	if _, err := sv.assign(tx, &c, chat, s.Now, s.Member.ID); err != nil {
		return err
	}
	if err := tx.SaveCase(&c); err != nil {
		return err
	}
	return bot.Reply(tx, s, "pass", sv.tr(s.Lang, "passed", c.ID, c.Queue))
}

// close closes a case: its mentor, a mentor of its queue, staff or its
// author may.
func (sv *Service) close(tx Tx, s bot.Session, c bot.Case) error {
	if s.Member.ID != c.AuthorID {
		if ok, err := sv.mentorOrStaff(tx, s.Member, c.Queue); err != nil || !ok {
			if err != nil {
				return err
			}
			return sv.refuse(tx, s, "close", "not_yours")
		}
	}
	if c.Status != bot.CaseClosed {
		c = closed(c, s.Now)
		if err := tx.SaveCase(&c); err != nil {
			return err
		}
	}
	return bot.Reply(tx, s, "close", sv.tr(s.Lang, "closed", c.ID))
}

// archived returns the case ref names when it is an answered or closed
// case s's member may read from outside its group (the archive is the
// program's, and they are in none of the case's roles), with outsider
// true; a zero case otherwise, for caseFor to decide.
func (sv *Service) archived(tx Tx, s bot.Session, ref string) (bot.Case, bool, error) {
	m := caseRef.FindStringSubmatch(ref)
	if m == nil || sv.cfg.Similar != SimilarProgram && sv.cfg.Similar != SimilarCourse {
		return bot.Case{}, false, nil
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	c, err := tx.CaseByID(id)
	if errors.Is(err, bot.ErrNotFound) || err == nil && c.Status != bot.CaseAnswered && c.Status != bot.CaseClosed {
		return bot.Case{}, false, nil
	}
	if err != nil {
		return bot.Case{}, false, err
	}
	if ok, err := sv.mayDo(tx, s, c); err != nil || ok {
		return bot.Case{}, false, err
	}
	// The archive is its groups' members': someone in none of them
	// (met only in a private chat) reads none of it; with the archive
	// shared by course, only those in a group that took a course with
	// the case's.
	in, err := tx.InAnyGroup(s.Member.ID)
	if err == nil && in && sv.cfg.Similar == SimilarCourse {
		in, err = tx.InCourseWith(s.Member.ID, c.ChatID)
	}
	if err != nil || !in {
		return bot.Case{}, false, err
	}
	return c, true, nil
}

// search finds answered cases of the member's groups.
func (sv *Service) search(tx Tx, s bot.Session, words string) error {
	words = strings.TrimSpace(words)
	if words == "" {
		return bot.Reply(tx, s, "cases", sv.tr(s.Lang, "search_usage"))
	}
	hits, err := tx.SearchCases(s.Member.ID, words, 5)
	if err != nil {
		return err
	}
	if len(hits) == 0 {
		return bot.Reply(tx, s, "cases", sv.tr(s.Lang, "search_none", bot.Clip(words, 60)))
	}
	var b strings.Builder
	b.WriteString(sv.tr(s.Lang, "search_head", bot.Clip(words, 60)))
	for _, h := range hits {
		b.WriteString(sv.tr(s.Lang, "search_line", h.ID, h.ChatTitle, bot.Clip(strings.ReplaceAll(h.Snippet, "\n", " "), 120)))
	}
	return bot.Reply(tx, s, "cases", b.String())
}

// show prints one case with its thread, for a member of its group; and
// an answered one of the archive for a member of another group it may be
// offered in (Config.Similar: the program's, or its course's), as under
// a new case: its posters then by their pseudonyms, without its photos
// and voice notes.
func (sv *Service) show(tx Tx, s bot.Session, ref string) error {
	c, outsider, err := sv.archived(tx, s, ref)
	if err != nil {
		return err
	}
	if c.ID == 0 {
		if c, err = sv.caseFor(tx, s, []string{ref}, "/case"); err != nil || c.ID == 0 {
			return err
		}
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	posts, err := tx.CasePosts(c.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(sv.tr(s.Lang, "show", c.ID, chat.Title, sv.statusName(s.Lang, c.Status), c.Text))
	for _, p := range posts {
		mark := "💬"
		if p.Kind == bot.PostAnswer {
			mark = "👩‍⚕️"
		}
		who := sv.shown(s.Lang, p.Name, p.Pseudonym)
		if outsider {
			who = sv.shown(s.Lang, p.Pseudonym, p.Pseudonym)
		}
		b.WriteString(sv.tr(s.Lang, "show_post", mark, who, bot.Clip(p.Text, 500)))
	}
	if err := bot.Reply(tx, s, "show", bot.Clip(b.String(), bot.MaxText)); err != nil || outsider {
		return err
	}
	// The case's photos and voice answers follow, from the archive.
	attached, err := tx.CaseAttachments(c.ID)
	if err != nil {
		return err
	}
	for _, a := range attached {
		data, err := tx.AttachmentData(a)
		if err != nil {
			return err
		}
		f, text := photoFile(a.ID, data), sv.tr(s.Lang, "show_photo", c.ID)
		if a.Kind == bot.AttachVoice {
			f = &bot.File{Name: fmt.Sprintf("case-%d-answer%s", c.ID, voiceExt(a.MIMEType)), MIMEType: a.MIMEType, Data: data}
			text = sv.tr(s.Lang, "show_voice", c.ID)
		}
		if a.Caption != "" {
			text += "\n\n" + a.Caption
		}
		err = tx.Enqueue(bot.Outbound{Channel: s.Chat.Channel, ChatID: s.Chat.PlatformID, File: f, Text: text,
			Key: fmt.Sprintf("att:%d:show:%s", a.ID, s.Event.ID)}, s.Now)
		if err != nil {
			return err
		}
	}
	return nil
}

// voiceExt is the file extension of a voice note's type.
func voiceExt(mimeType string) string {
	switch mimeType {
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "audio/mp4", "audio/aac":
		return ".m4a"
	}
	return ""
}
