package cases

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
)

// Config holds what case discussions need.
type Config struct {
	// Mentors maps each queue to its mentors, in round-robin order.
	Mentors map[string][]bot.StaffRef
	// DefaultQueue takes the cases of groups with no queue of their own;
	// the only queue when there is just one.
	DefaultQueue string
	// GroupQueues maps a group ("telegram:-100123") to its queue.
	GroupQueues map[string]string
	// Capacity is the most unanswered cases a mentor holds at once; 3 by
	// default.
	Capacity int
	// Target is the response target: a mentor is reminded when a case has
	// waited this long, and it goes to another mentor after half as long
	// again; staff hear of it. 24h by default.
	Target time.Duration
	// Staff are told about overdue cases.
	Staff []bot.StaffRef
	// TemplateGroups are the groups ("telegram:-100123", or "*" for all)
	// whose cases follow the structured template: age band, sex,
	// presentation, what was done, the question.
	TemplateGroups []string
	// Topics makes each case opened in a forum group (Telegram topics)
	// open a topic of its own for its thread.
	Topics bool
	// Pseudonyms shows members in threads by their pseudonym, as the
	// router does everywhere else.
	Pseudonyms bool
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Service runs case discussions. It implements bot.Cases.
type Service struct {
	cfg Config
	log *slog.Logger
}

var _ bot.Cases = (*Service)(nil)

// retryAssign is how soon an escalated case no mentor could take is
// offered again.
const retryAssign = 15 * time.Minute

// New returns the case discussion service.
func New(cfg Config) *Service {
	if cfg.Capacity <= 0 {
		cfg.Capacity = 3
	}
	if cfg.Target <= 0 {
		cfg.Target = 24 * time.Hour
	}
	if cfg.DefaultQueue == "" && len(cfg.Mentors) == 1 {
		for q := range cfg.Mentors {
			cfg.DefaultQueue = q
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, log: cfg.Logger}
}

// send queues a message to a chat.
func send(tx bot.OutboxWriter, chat bot.Chat, key, text string, now time.Time, opts ...bot.Option) error {
	return tx.Enqueue(bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Text: text, Options: opts, Key: key}, now)
}

// post queues a message about case id to its group, into the case's topic
// when it has one.
func post(tx bot.OutboxWriter, chat bot.Chat, id int64, key, text string, now time.Time) error {
	return tx.Enqueue(bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Text: text, Key: key, ThreadOf: threadOf(chat, id)}, now)
}

// Commands are the case commands, for the router's table.
func (sv *Service) Commands() []bot.Command {
	text := func(key string) func(string) string { return func(lang string) string { return tr(lang, key) } }
	onCase := func(name string, do func(tx bot.Tx, s bot.Session, c bot.Case) error) func(bot.Tx, bot.Session, []string) error {
		return func(tx bot.Tx, s bot.Session, args []string) error {
			c, err := sv.caseFor(tx, s, args, "/"+name)
			if err != nil || c.ID == 0 {
				return err
			}
			return do(tx, s, c)
		}
	}
	return []bot.Command{
		{Name: "case", Usage: text("usage_text"), Help: text("help_case"), Run: sv.caseCommand},
		{Name: "escalate", Help: text("help_escalate"), Run: onCase("escalate", func(tx bot.Tx, s bot.Session, c bot.Case) error {
			return sv.escalate(tx, s, c, "escalated")
		})},
		{Name: "cases", Usage: text("usage_words"), Help: text("help_cases"), Run: func(tx bot.Tx, s bot.Session, args []string) error {
			return sv.search(tx, s, strings.Join(args, " "))
		}},
		{Name: "answer", Who: bot.Mentors, Run: sv.answerCommand},
		{Name: "queue", Who: bot.Mentors, Gate: bot.GateCarry, Run: func(tx bot.Tx, s bot.Session, _ []string) error { return sv.queue(tx, s) }},
		{Name: "take", Who: bot.Mentors, Run: onCase("take", sv.take)},
		{Name: "pass", Who: bot.Mentors, Run: onCase("pass", sv.pass)},
		{Name: "close", Who: bot.Mentors, Run: onCase("close", sv.close)},
		{Name: "mentor", Aliases: []string{"mentors"}, Who: bot.Mentors, Run: sv.mentorCommand},
	}
}

// Options are the handlers of the author's answer to a held-back case.
func (sv *Service) Options() []bot.OptionHandler {
	return []bot.OptionHandler{{Prefix: confirmPrefix, Run: sv.pendingAnswer}, {Prefix: discardPrefix, Run: sv.pendingAnswer}}
}

// caseCommand is /case: /case 12 shows case 12; /case TEXT shares one.
func (sv *Service) caseCommand(tx bot.Tx, s bot.Session, args []string) error {
	if len(args) == 1 {
		if _, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(args[0]), "#C"), 10, 64); err == nil {
			return sv.show(tx, s, args[0])
		}
	}
	return sv.openCommand(tx, s)
}

// answerCommand is a mentor's /answer NUMBER TEXT.
func (sv *Service) answerCommand(tx bot.Tx, s bot.Session, args []string) error {
	if len(args) < 2 {
		return bot.Reply(tx, s, "answer", tr(s.Lang, "answer_usage"))
	}
	c, err := sv.caseFor(tx, s, args[:1], "/answer")
	if err != nil || c.ID == 0 {
		return err
	}
	return sv.answer(tx, s, c, afterWords(s.Event.Text, 2))
}

// afterWords returns text after its first n words, keeping its line
// breaks: the body of "/answer 12 Give oxytocin…".
func afterWords(text string, n int) string {
	rest := strings.TrimSpace(text)
	for i := 0; i < n; i++ {
		j := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' })
		if j < 0 {
			return ""
		}
		rest = strings.TrimSpace(rest[j:])
	}
	return rest
}

// caseRef reads "12", "#C12" or "C12".
var caseRef = regexp.MustCompile(`(?i)^#?c?(\d+)$`)

// mentionRe finds "#C12" in a message.
var mentionRe = regexp.MustCompile(`(?i)#C(\d+)\b`)

// caseFor finds the case a command is about: its number, or the case whose
// message the command replies to. It replies itself when there is none,
// returning a zero case.
func (sv *Service) caseFor(tx bot.Tx, s bot.Session, args []string, cmd string) (bot.Case, error) {
	if len(args) > 0 {
		m := caseRef.FindStringSubmatch(args[0])
		if m == nil {
			return bot.Case{}, bot.Reply(tx, s, "case", tr(s.Lang, "no_case", cmd))
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		c, err := tx.CaseByID(id)
		if errors.Is(err, bot.ErrNotFound) {
			return bot.Case{}, bot.Reply(tx, s, "case", tr(s.Lang, "unknown_case", m[1]))
		}
		if err != nil {
			return c, err
		}
		// A member sees only the cases of their groups; a mentor those of
		// their queues too.
		if ok, err := sv.mayDo(tx, s, c); err != nil || !ok {
			if err != nil {
				return bot.Case{}, err
			}
			return bot.Case{}, bot.Reply(tx, s, "case", tr(s.Lang, "unknown_case", m[1]))
		}
		return c, nil
	}
	c, err := caseOf(tx, s)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, bot.ErrNotFound) {
		return c, err
	}
	return bot.Case{}, bot.Reply(tx, s, "case", tr(s.Lang, "no_case", cmd))
}

// caseOf finds the case the session's message is about by where it was
// posted: in reply to one of the case's messages, or in the case's forum
// topic. It returns bot.ErrNotFound when there is none.
func caseOf(tx bot.Tx, s bot.Session) (bot.Case, error) {
	for _, id := range []string{s.Event.ReplyTo, s.Event.Thread} {
		if id == "" {
			continue
		}
		c, err := tx.CaseByMessage(s.Chat.ID, id)
		if !errors.Is(err, bot.ErrNotFound) {
			return c, err
		}
	}
	return bot.Case{}, bot.ErrNotFound
}

// mayDo reports whether the member may see or act on case c: they are in
// its group, or they are one of its queue's mentors or staff.
func (sv *Service) mayDo(tx bot.Tx, s bot.Session, c bot.Case) (bool, error) {
	if ok, err := sv.mentorOrStaff(tx, s.Member, c.Queue); err != nil || ok {
		return ok, err
	}
	return tx.InChat(s.Member.ID, c.ChatID)
}

// mentorOrStaff reports whether m mentors queue or is staff.
func (sv *Service) mentorOrStaff(tx bot.Tx, m bot.Member, queue string) (bool, error) {
	if sv.isStaff(m) {
		return true, nil
	}
	return sv.isMentor(tx, m, queue)
}

// refuse answers a mentor's or staff command from someone else, and logs
// it for the programme (by member number, not name or phone).
func (sv *Service) refuse(tx bot.Tx, s bot.Session, tag, key string) error {
	sv.log.Info("command refused: not a mentor or staff", "command", tag, "member", s.Member.ID, "channel", s.Chat.Channel)
	return bot.Reply(tx, s, tag, tr(s.Lang, key))
}

func (sv *Service) isStaff(m bot.Member) bool {
	return slices.ContainsFunc(sv.cfg.Staff, func(r bot.StaffRef) bool { return r.Matches(m) })
}

// isMentor reports whether m mentors queue (any queue when queue is "").
func (sv *Service) isMentor(tx bot.Tx, m bot.Member, queue string) (bool, error) {
	qs, err := sv.queuesOf(tx, m, queue)
	return len(qs) > 0, err
}

// queuesOf lists the queues m mentors (only queue, when given): by the
// config, or added by staff.
func (sv *Service) queuesOf(tx bot.Tx, m bot.Member, queue string) ([]string, error) {
	var out []string
	for q, refs := range sv.cfg.Mentors {
		if queue != "" && q != queue {
			continue
		}
		if slices.ContainsFunc(refs, func(r bot.StaffRef) bool { return r.Matches(m) }) {
			out = append(out, q)
		}
	}
	added, err := tx.AddedMentors(queue)
	if err != nil {
		return nil, err
	}
	for q, ms := range added {
		if !slices.Contains(out, q) && slices.ContainsFunc(ms, func(x bot.Member) bool { return x.ID == m.ID }) {
			out = append(out, q)
		}
	}
	slices.Sort(out)
	return out, nil
}

// queueFor is the queue of a group's cases.
func (sv *Service) queueFor(chat bot.Chat) string {
	if q, ok := sv.cfg.GroupQueues[chat.Key()]; ok {
		return q
	}
	return sv.cfg.DefaultQueue
}

// openCommand handles /case TEXT in a group.
func (sv *Service) openCommand(tx bot.Tx, s bot.Session) error {
	if s.Chat.Type != bot.Group {
		return bot.Reply(tx, s, "case", tr(s.Lang, "group_only"))
	}
	text := afterWords(s.Event.Text, 1)
	if sv.templated(s.Chat) && !followsTemplate(text) {
		return bot.Reply(tx, s, "case", tr(s.Lang, "template"))
	}
	if utf8.RuneCountInString(text) < 10 {
		return bot.Reply(tx, s, "case", tr(s.Lang, "usage"))
	}
	findings, redacted := checkIn(text, s.Lang)
	if len(findings) == 0 {
		_, err := sv.Open(tx, s.Chat, s.Member, text, bot.CaseOptions{}, s.Now)
		return err
	}
	kinds := list(s.Lang, kindNames(s.Lang, Summary(findings)))
	dm, err := tx.DirectChatOf(s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply(tx, s, "flagged", tr(s.Lang, "flagged_nodm", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym), kinds))
	}
	if err != nil {
		return err
	}
	p := bot.PendingCase{ChatID: s.Chat.ID, AuthorID: s.Member.ID, Text: redacted, Created: s.Now}
	if err := tx.SavePendingCase(&p); err != nil {
		return err
	}
	err = send(tx, dm, fmt.Sprintf("pending:%d", p.ID), tr(s.Lang, "flagged_dm", s.Chat.Title, kinds, redacted), s.Now,
		bot.Option{Label: tr(s.Lang, "post_redacted"), Data: fmt.Sprintf("%s%d", confirmPrefix, p.ID)},
		bot.Option{Label: tr(s.Lang, "discard"), Data: fmt.Sprintf("%s%d", discardPrefix, p.ID)})
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "flagged", tr(s.Lang, "flagged_group", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym)))
}

// templated reports whether a group's cases follow the template.
func (sv *Service) templated(chat bot.Chat) bool {
	return slices.Contains(sv.cfg.TemplateGroups, "*") || slices.Contains(sv.cfg.TemplateGroups, chat.Key())
}

// templateFields are the keys of the template's labels: a case follows
// the template when it has each field, in any language.
var templateFields = []string{"field_age", "field_sex", "field_presentation", "field_done", "field_question"}

// followsTemplate reports whether text fills in every field.
func followsTemplate(text string) bool {
	lower := strings.ToLower(strings.ReplaceAll(text, " :", ":"))
	for _, key := range templateFields {
		found := false
		for _, lang := range texts.Languages() {
			n := strings.ToLower(strings.ReplaceAll(tr(lang, key), " :", ":"))
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
func kindNames(lang string, kinds []string) []string {
	keys := map[string]string{KindPhone: "kind_phone", KindRecord: "kind_record", KindDate: "kind_date",
		KindEmail: "kind_email", KindName: "kind_name", KindAddress: "kind_address"}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = tr(lang, keys[k])
	}
	return out
}

// Open shares a de-identified case in a group: it is numbered, posted,
// indexed for the archive, and its timers set.
func (sv *Service) Open(tx bot.Tx, chat bot.Chat, author bot.Member, text string, o bot.CaseOptions, now time.Time) (bot.Case, error) {
	c := bot.Case{ChatID: chat.ID, AuthorID: author.ID, RunID: o.RunID, Text: text, Status: bot.CaseOpen,
		Queue: o.Queue, Created: now}
	if c.Queue == "" {
		c.Queue = sv.queueFor(chat)
	}
	if o.EscalateAfter > 0 {
		c.EscalateAt = now.Add(o.EscalateAfter)
		c.NextCheck = c.EscalateAt
	}
	if err := tx.CreateCase(&c); err != nil {
		return c, err
	}
	key := o.Key
	if key == "" {
		key = fmt.Sprintf("case:%d:post", c.ID)
		m := bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Key: key,
			Text: tr(chat.Lang, "posted", c.ID, sv.shown(chat.Lang, author.Name, author.Pseudonym), text, c.ID)}
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
func (sv *Service) pendingAnswer(tx bot.Tx, s bot.Session) error {
	data := s.Event.Option
	post := strings.HasPrefix(data, confirmPrefix)
	id, err := strconv.ParseInt(data[len(confirmPrefix):], 10, 64)
	if err != nil {
		return bot.Reply(tx, s, "pending", tr(s.Lang, "pending_gone"))
	}
	p, err := tx.TakePendingCase(id, s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply(tx, s, "pending", tr(s.Lang, "pending_gone"))
	}
	if err != nil {
		return err
	}
	if !post {
		return bot.Reply(tx, s, "pending", tr(s.Lang, "discarded"))
	}
	chat, err := tx.ChatByID(p.ChatID)
	if err != nil {
		return err
	}
	c, err := sv.Open(tx, chat, s.Member, p.Text, bot.CaseOptions{}, s.Now)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "pending", tr(s.Lang, "confirmed", c.ID, chat.Title))
}

// Message takes a reply in a case's thread, or a mentor's answer by reply.
func (sv *Service) Message(tx bot.Tx, s bot.Session) (bool, error) {
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
		return true, sv.answer(tx, s, c, ev.Text)
	}
	if ev.Text == "" {
		return false, nil
	}
	if c.Status == bot.CaseClosed {
		return true, bot.Reply(tx, s, "reply", tr(s.Lang, "closed_thread", c.ID))
	}
	findings, text := checkIn(ev.Text, s.Lang)
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
		c.FirstReply = s.Now
		if c.Escalated.IsZero() && !c.EscalateAt.IsZero() {
			c.EscalateAt, c.NextCheck = time.Time{}, time.Time{} // a peer replied: no automatic escalation
		}
		if err := tx.SaveCase(&c); err != nil {
			return true, err
		}
	}
	if err := sv.reindex(tx, c); err != nil {
		return true, err
	}
	if len(findings) > 0 {
		return true, bot.Reply(tx, s, "redacted", tr(s.Lang, "reply_redacted", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym), c.ID, list(s.Lang, kindNames(s.Lang, Summary(findings)))))
	}
	return true, nil
}

// reindex writes the case, its thread and its answer to the search index.
func (sv *Service) reindex(tx bot.Tx, c bot.Case) error {
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

// escalate sends an open case to its queue's mentors.
func (sv *Service) escalate(tx bot.Tx, s bot.Session, c bot.Case, key string) error {
	switch c.Status {
	case bot.CaseAssigned:
		return bot.Reply(tx, s, "escalate", tr(s.Lang, "already_mentor", c.ID))
	case bot.CaseAnswered, bot.CaseClosed:
		return bot.Reply(tx, s, "escalate", tr(s.Lang, "already_done", c.ID, statusName(s.Lang, c.Status)))
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
		return bot.Reply(tx, s, "escalate", escalatedText(s.Lang, "escalated", c, how))
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	how, err := sv.escalateCase(tx, &c, chat, s.Now)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "escalate", escalatedText(s.Lang, key, c, how))
}

// escalatedText says where an escalated case is: with key's text (the
// queue and how), or that no mentor is set up.
func escalatedText(lang, key string, c bot.Case, how string) string {
	if how == "mentor_none" {
		return tr(lang, "escalated_none", c.ID)
	}
	return tr(lang, key, c.ID, c.Queue, tr(lang, how))
}

// escalateCase marks c escalated and offers it to a mentor. It returns
// the key of what happened: mentor_has (a mentor has it), mentor_wait
// (it waits for one to be free) or mentor_none (the queue has no mentor
// at all: the staff are told).
func (sv *Service) escalateCase(tx bot.Tx, c *bot.Case, chat bot.Chat, now time.Time) (string, error) {
	c.Escalated, c.EscalateAt = now, time.Time{}
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
func (sv *Service) hasMentors(tx bot.Tx, queue string) (bool, error) {
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
func (sv *Service) tellStaffNoMentor(tx bot.Tx, c bot.Case, chat bot.Chat, now time.Time) error {
	sv.log.Warn("case escalated with no mentor set up", "case", c.ID, "queue", c.Queue)
	return sv.toStaff(tx, now, func(m bot.Member, lang string) (string, string) {
		why := tr(lang, "nomentor_noq")
		if c.Queue != "" {
			why = tr(lang, "nomentor_queue", c.Queue)
		}
		return fmt.Sprintf("case:%d:nomentor:%d", c.ID, m.ID), tr(lang, "nomentor_staff", c.ID, chat.Title, why)
	})
}

// assign gives c to the least-loaded mentor of its queue who has written to
// the bot privately and has room, skipping exclude; among equally loaded
// mentors, to the next in turn after the last one given a case. It returns
// false when none can take it now (it is offered again later). The caller
// saves c.
func (sv *Service) assign(tx bot.Tx, c *bot.Case, chat bot.Chat, now time.Time, exclude int64) (bool, error) {
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
		c.Status, c.AssignedTo, c.Assigned, c.Reminded = bot.CaseAssigned, cd.m.ID, now, false
		c.NextCheck = now.Add(sv.cfg.Target)
		return true, sv.sendAssignment(tx, *c, chat, cd.m, cd.dm, now)
	}
	c.Status, c.AssignedTo, c.Assigned = bot.CaseOpen, 0, time.Time{}
	c.NextCheck = now.Add(retryAssign)
	return false, nil
}

// sendAssignment gives the mentor the case, the thread so far and how to
// answer, privately.
func (sv *Service) sendAssignment(tx bot.Tx, c bot.Case, chat bot.Chat, mentor bot.Member, dm bot.Chat, now time.Time) error {
	lang := dm.Lang // the mentor's language, or their group's
	posts, err := tx.CasePosts(c.ID)
	if err != nil {
		return err
	}
	var thread strings.Builder
	if len(posts) > 0 {
		thread.WriteString(tr(lang, "thread"))
		for _, p := range posts {
			who := sv.shown(lang, p.Name, p.Pseudonym)
			if p.MemberID == 0 {
				who = tr(lang, "lesson_note")
			}
			fmt.Fprintf(&thread, "\n• %s: %s", who, bot.Clip(p.Text, 300))
		}
	}
	key := fmt.Sprintf("case:%d:assign:%d:%d", c.ID, mentor.ID, now.UnixMilli())
	if err := send(tx, dm, key, tr(lang, "assigned_dm", c.ID, chat.Title, c.Queue, c.Text, thread.String(), c.ID, c.ID), now); err != nil {
		return err
	}
	return tx.LinkCaseMessage(key, c.ID)
}

// shown is how a member is named to others: by their pseudonym when
// pseudonyms are on, else by name; "a former member" when they have
// neither (forgotten).
func (sv *Service) shown(lang, name, pseudonym string) string {
	if sv.cfg.Pseudonyms && pseudonym != "" {
		return pseudonym
	}
	if name == "" {
		return tr(lang, "former")
	}
	return name
}

func statusName(lang string, st bot.CaseStatus) string { return tr(lang, "status_"+string(st)) }

// answer posts a mentor's answer into the case's group thread and tells the
// author.
func (sv *Service) answer(tx bot.Tx, s bot.Session, c bot.Case, text string) error {
	if ok, err := sv.mentorOrStaff(tx, s.Member, c.Queue); err != nil || !ok {
		if err != nil {
			return err
		}
		return sv.refuse(tx, s, "answer", "mentors_only")
	}
	if c.Status == bot.CaseAssigned && c.AssignedTo != s.Member.ID && !sv.isStaff(s.Member) {
		return bot.Reply(tx, s, "answer", tr(s.Lang, "not_assignee", c.ID))
	}
	if c.Status == bot.CaseClosed {
		return bot.Reply(tx, s, "answer", tr(s.Lang, "already_done", c.ID, statusName(s.Lang, c.Status)))
	}
	if strings.TrimSpace(text) == "" {
		return bot.Reply(tx, s, "answer", tr(s.Lang, "answer_usage"))
	}
	_, text = checkIn(text, s.Lang) // mentors' answers are kept de-identified too
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	quoted, err := tx.CaseMessageID(c.ID)
	if err != nil {
		return err
	}
	err = tx.Enqueue(bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, ReplyTo: quoted, ThreadOf: threadOf(chat, c.ID),
		Text: tr(chat.Lang, "answer_post", c.ID, sv.shown(chat.Lang, s.Member.Name, s.Member.Pseudonym), text), Key: "ev:" + s.Event.ID + ":answer"}, s.Now)
	if err != nil {
		return err
	}
	if err := tx.LinkCaseMessage("ev:"+s.Event.ID+":answer", c.ID); err != nil {
		return err
	}
	if err := tx.AddCasePost(bot.CasePost{CaseID: c.ID, MemberID: s.Member.ID, Kind: bot.PostAnswer, Text: text,
		MessageID: s.Event.MessageID, At: s.Now}); err != nil {
		return err
	}
	if c.FirstAnswer.IsZero() {
		c.FirstAnswer = s.Now
	}
	if c.AssignedTo == 0 {
		c.AssignedTo, c.Assigned = s.Member.ID, s.Now
	}
	c.Status, c.NextCheck = bot.CaseAnswered, time.Time{}
	if err := tx.SaveCase(&c); err != nil {
		return err
	}
	if err := sv.reindex(tx, c); err != nil {
		return err
	}
	if c.AuthorID != 0 && c.AuthorID != s.Member.ID {
		if dm, err := tx.DirectChatOf(c.AuthorID); err == nil {
			if err := send(tx, dm, "ev:"+s.Event.ID+":author", tr(dm.Lang, "answer_author", c.ID, chat.Title), s.Now); err != nil {
				return err
			}
		} else if !errors.Is(err, bot.ErrNotFound) {
			return err
		}
	}
	if s.Chat.Type == bot.Direct {
		return bot.Reply(tx, s, "answered", tr(s.Lang, "answer_mentor", chat.Title, c.ID))
	}
	return nil
}

// queue lists a mentor's cases and those waiting in their queues.
func (sv *Service) queue(tx bot.Tx, s bot.Session) error {
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
		return bot.Reply(tx, s, "queue", tr(s.Lang, "queue_empty", strings.Join(queues, ", ")))
	}
	var b strings.Builder
	b.WriteString(tr(s.Lang, "queue_head"))
	for _, c := range list {
		title := ""
		if chat, err := tx.ChatByID(c.ChatID); err == nil {
			title = chat.Title
		}
		if c.Status == bot.CaseAssigned {
			b.WriteString(tr(s.Lang, "queue_mine", c.ID, title, since(s.Now, c.Assigned), bot.Clip(c.Text, 80)))
		} else {
			b.WriteString(tr(s.Lang, "queue_wait", c.ID, title, since(s.Now, c.Escalated), c.ID, bot.Clip(c.Text, 80)))
		}
	}
	return bot.Reply(tx, s, "queue", b.String())
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
func (sv *Service) take(tx bot.Tx, s bot.Session, c bot.Case) error {
	if ok, err := sv.isMentor(tx, s.Member, c.Queue); err != nil || !ok {
		if err != nil {
			return err
		}
		return sv.refuse(tx, s, "take", "mentors_only")
	}
	switch {
	case c.Status == bot.CaseAssigned && c.AssignedTo == s.Member.ID:
		return bot.Reply(tx, s, "take", tr(s.Lang, "taken", c.ID))
	case c.Status == bot.CaseAssigned:
		return bot.Reply(tx, s, "take", tr(s.Lang, "not_assignee", c.ID))
	case c.Status != bot.CaseOpen:
		return bot.Reply(tx, s, "take", tr(s.Lang, "already_done", c.ID, statusName(s.Lang, c.Status)))
	}
	n, err := tx.OpenAssignments(s.Member.ID)
	if err != nil {
		return err
	}
	if n >= sv.cfg.Capacity {
		return bot.Reply(tx, s, "take", tr(s.Lang, "full", n))
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	dm, err := tx.DirectChatOf(s.Member.ID)
	if err != nil {
		return err
	}
	if c.Escalated.IsZero() {
		c.Escalated = s.Now
	}
	c.Status, c.AssignedTo, c.Assigned, c.Reminded, c.EscalateAt = bot.CaseAssigned, s.Member.ID, s.Now, false, time.Time{}
	c.NextCheck = s.Now.Add(sv.cfg.Target)
	if err := tx.SaveCase(&c); err != nil {
		return err
	}
	return sv.sendAssignment(tx, c, chat, s.Member, dm, s.Now)
}

// pass gives a mentor's case back to the queue, for the next mentor.
func (sv *Service) pass(tx bot.Tx, s bot.Session, c bot.Case) error {
	if ok, err := sv.isMentor(tx, s.Member, c.Queue); err != nil || !ok {
		if err != nil {
			return err
		}
		return sv.refuse(tx, s, "pass", "mentors_only")
	}
	if c.Status != bot.CaseAssigned || c.AssignedTo != s.Member.ID {
		return bot.Reply(tx, s, "pass", tr(s.Lang, "not_assignee", c.ID))
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
	return bot.Reply(tx, s, "pass", tr(s.Lang, "passed", c.ID, c.Queue))
}

// close closes a case: its mentor, a mentor of its queue, staff or its
// author may.
func (sv *Service) close(tx bot.Tx, s bot.Session, c bot.Case) error {
	if s.Member.ID != c.AuthorID {
		if ok, err := sv.mentorOrStaff(tx, s.Member, c.Queue); err != nil || !ok {
			if err != nil {
				return err
			}
			return sv.refuse(tx, s, "close", "not_yours")
		}
	}
	if c.Status != bot.CaseClosed {
		c.Status, c.Closed, c.NextCheck = bot.CaseClosed, s.Now, time.Time{}
		if err := tx.SaveCase(&c); err != nil {
			return err
		}
	}
	return bot.Reply(tx, s, "close", tr(s.Lang, "closed", c.ID))
}

// search finds answered cases of the member's groups.
func (sv *Service) search(tx bot.Tx, s bot.Session, words string) error {
	words = strings.TrimSpace(words)
	if words == "" {
		return bot.Reply(tx, s, "cases", tr(s.Lang, "search_usage"))
	}
	hits, err := tx.SearchCases(s.Member.ID, words, 5)
	if err != nil {
		return err
	}
	if len(hits) == 0 {
		return bot.Reply(tx, s, "cases", tr(s.Lang, "search_none", bot.Clip(words, 60)))
	}
	var b strings.Builder
	b.WriteString(tr(s.Lang, "search_head", bot.Clip(words, 60)))
	for _, h := range hits {
		b.WriteString(tr(s.Lang, "search_line", h.ID, h.ChatTitle, bot.Clip(strings.ReplaceAll(h.Snippet, "\n", " "), 120)))
	}
	return bot.Reply(tx, s, "cases", b.String())
}

// show prints one case with its thread, for a member of its group.
func (sv *Service) show(tx bot.Tx, s bot.Session, ref string) error {
	c, err := sv.caseFor(tx, s, []string{ref}, "/case")
	if err != nil || c.ID == 0 {
		return err
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
	b.WriteString(tr(s.Lang, "show", c.ID, chat.Title, statusName(s.Lang, c.Status), c.Text))
	for _, p := range posts {
		mark := "💬"
		if p.Kind == bot.PostAnswer {
			mark = "👩‍⚕️"
		}
		b.WriteString(tr(s.Lang, "show_post", mark, sv.shown(s.Lang, p.Name, p.Pseudonym), bot.Clip(p.Text, 500)))
	}
	return bot.Reply(tx, s, "show", bot.Clip(b.String(), bot.MaxText))
}

// Escalate sends a case to its queue's mentors now (a lesson's escalate
// step), saying so in its group.
func (sv *Service) Escalate(tx bot.Tx, c bot.Case, now time.Time) error {
	if c.Status != bot.CaseOpen || !c.Escalated.IsZero() {
		return nil
	}
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	how, err := sv.escalateCase(tx, &c, chat, now)
	if err != nil {
		return err
	}
	return post(tx, chat, c.ID, fmt.Sprintf("case:%d:escalated", c.ID), escalatedText(chat.Lang, "escalated", c, how), now)
}

// Check acts on a case whose next check has come: an automatic escalation
// when no peer replied, another offer of a waiting case, a reminder, a
// reassignment, and notices to staff when it is overdue.
func (sv *Service) Check(tx bot.Tx, c bot.Case, now time.Time) error {
	chat, err := tx.ChatByID(c.ChatID)
	if err != nil {
		return err
	}
	switch {
	case c.Status == bot.CaseOpen && c.Escalated.IsZero() && !c.EscalateAt.IsZero():
		if !c.FirstReply.IsZero() {
			c.EscalateAt, c.NextCheck = time.Time{}, time.Time{}
			return tx.SaveCase(&c)
		}
		how, err := sv.escalateCase(tx, &c, chat, now)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("case:%d:auto", c.ID)
		if err := post(tx, chat, c.ID, key, escalatedText(chat.Lang, "escalate_auto", c, how), now); err != nil {
			return err
		}
		return nil
	case c.Status == bot.CaseOpen && !c.Escalated.IsZero():
		if _, err := sv.assign(tx, &c, chat, now, 0); err != nil {
			return err
		}
		if c.Status == bot.CaseOpen && c.Overdue.IsZero() && now.Sub(c.Escalated) >= sv.cfg.Target {
			c.Overdue = now
			if err := sv.tellStaff(tx, c, chat, now, now.Sub(c.Escalated)); err != nil {
				return err
			}
		}
	case c.Status == bot.CaseAssigned:
		due := c.Assigned.Add(sv.cfg.Target)
		switch {
		case now.Before(due):
			c.NextCheck = due
		case !c.Reminded:
			c.Reminded, c.NextCheck = true, due.Add(sv.cfg.Target/2)
			if c.Overdue.IsZero() {
				c.Overdue = now
				if err := sv.tellStaff(tx, c, chat, now, now.Sub(c.Assigned)); err != nil {
					return err
				}
			}
			if dm, err := tx.DirectChatOf(c.AssignedTo); err == nil {
				err := send(tx, dm, fmt.Sprintf("case:%d:remind:%d", c.ID, c.Assigned.UnixMilli()),
					tr(dm.Lang, "reminder", c.ID, since(now, c.Assigned), c.ID, c.ID), now)
				if err != nil {
					return err
				}
			} else if !errors.Is(err, bot.ErrNotFound) {
				return err
			}
		default:
			prev, waited := c.AssignedTo, since(now, c.Assigned)
			moved, err := sv.assign(tx, &c, chat, now, prev)
			if err != nil {
				return err
			}
			if !moved {
				// No one else can take it: it stays with its mentor, who
				// is reminded again later.
				c.Status, c.AssignedTo, c.Reminded = bot.CaseAssigned, prev, false
				c.Assigned, c.NextCheck = now.Add(-sv.cfg.Target/2), now.Add(sv.cfg.Target/2)
				break
			}
			if dm, err := tx.DirectChatOf(prev); err == nil {
				if err := send(tx, dm, fmt.Sprintf("case:%d:moved:%d", c.ID, now.UnixMilli()), tr(dm.Lang, "reassigned", c.ID, waited), now); err != nil {
					return err
				}
			}
		}
	default:
		c.NextCheck = time.Time{}
	}
	return tx.SaveCase(&c)
}

// tellStaff tells the staff, privately where they have written to the bot,
// that a case is overdue.
func (sv *Service) tellStaff(tx bot.Tx, c bot.Case, chat bot.Chat, now time.Time, waited time.Duration) error {
	sv.log.Warn("case overdue", "case", c.ID, "queue", c.Queue, "waited", waited.Round(time.Minute))
	return sv.toStaff(tx, now, func(m bot.Member, lang string) (string, string) {
		return fmt.Sprintf("case:%d:overdue:%d", c.ID, m.ID), tr(lang, "overdue_staff", c.ID, chat.Title, c.Queue, since(now, now.Add(-waited)))
	})
}

// toStaff sends each member of staff who has written to the bot privately
// the message msg makes for them, in their language: its outbox key and
// text.
func (sv *Service) toStaff(tx bot.Tx, now time.Time, msg func(m bot.Member, lang string) (key, text string)) error {
	for _, ref := range sv.cfg.Staff {
		m, err := tx.MemberByRef(ref)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		dm, err := tx.DirectChatOf(m.ID)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		key, text := msg(m, dm.Lang)
		if err := send(tx, dm, key, text, now); err != nil {
			return err
		}
	}
	return nil
}

// mentorCommand handles /mentor for staff: alone, privately, it lists
// each queue's mentors; "add QUEUE" and "remove QUEUE" change those added
// with it (the config's stay as written), naming the member by replying to
// their message, by mentioning them, or as CHANNEL:ID.
func (sv *Service) mentorCommand(tx bot.Tx, s bot.Session, args []string) error {
	if !sv.isStaff(s.Member) {
		return sv.refuse(tx, s, "mentor", "staff_only")
	}
	queues := make([]string, 0, len(sv.cfg.Mentors))
	for q := range sv.cfg.Mentors {
		queues = append(queues, q)
	}
	slices.Sort(queues)
	if len(args) == 0 {
		if s.Chat.Type != bot.Direct {
			return bot.Reply(tx, s, "mentor", tr(s.Lang, "private_only"))
		}
		return sv.listMentors(tx, s, queues)
	}
	usage := func() error {
		return bot.Reply(tx, s, "mentor", tr(s.Lang, "mentor_usage", strings.Join(queues, ", ")))
	}
	if len(args) < 2 || len(args) > 3 || (args[0] != "add" && args[0] != "remove") {
		return usage()
	}
	queue := args[1]
	if !slices.Contains(queues, queue) {
		return bot.Reply(tx, s, "mentor", tr(s.Lang, "unknown_queue", queue, strings.Join(queues, ", ")))
	}
	// Whom: CHANNEL:ID, else the member mentioned (the third word is
	// then their name), else the sender of the message replied to.
	var ref bot.StaffRef
	if len(args) == 3 {
		ref, _ = bot.ParseStaffRef(args[2])
	}
	switch ev := s.Event; {
	case ref.ID != "":
	case len(ev.Mentions) == 1:
		ref = bot.StaffRef{Channel: s.Chat.Channel, ID: ev.Mentions[0]}
	case ev.ReplyToSender != "" && len(args) == 2:
		ref = bot.StaffRef{Channel: s.Chat.Channel, ID: ev.ReplyToSender}
	case len(args) == 3:
		return usage()
	default:
		return bot.Reply(tx, s, "mentor", tr(s.Lang, "mentor_whom", args[0], queue))
	}
	m, err := tx.MemberByRef(ref)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply(tx, s, "mentor", tr(s.Lang, "not_known", ref))
	}
	if err != nil {
		return err
	}
	who := sv.shown(s.Lang, m.Name, m.Pseudonym)
	if args[0] == "remove" {
		if slices.ContainsFunc(sv.cfg.Mentors[queue], func(r bot.StaffRef) bool { return r.Matches(m) }) {
			return bot.Reply(tx, s, "mentor", tr(s.Lang, "mentor_config", who, queue))
		}
		removed, err := tx.RemoveMentor(queue, m.ID)
		if err != nil || !removed {
			if err != nil {
				return err
			}
			return bot.Reply(tx, s, "mentor", tr(s.Lang, "mentor_not", who, queue))
		}
		sv.log.Info("mentor removed", "queue", queue, "member", m.ID, "by", s.Member.ID)
		return bot.Reply(tx, s, "mentor", tr(s.Lang, "mentor_removed", who, queue))
	}
	if ok, err := sv.isMentor(tx, m, queue); err != nil || ok {
		if err != nil {
			return err
		}
		return bot.Reply(tx, s, "mentor", tr(s.Lang, "mentor_already", who, queue))
	}
	if _, err := tx.AddMentor(queue, m.ID, s.Now); err != nil {
		return err
	}
	sv.log.Info("mentor added", "queue", queue, "member", m.ID, "by", s.Member.ID)
	if dm, err := tx.DirectChatOf(m.ID); err == nil {
		if err := send(tx, dm, "ev:"+s.Event.ID+":welcome", tr(dm.Lang, "mentor_welcome", queue), s.Now); err != nil {
			return err
		}
	} else if !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	return bot.Reply(tx, s, "mentor", tr(s.Lang, "mentor_added", who, queue))
}

// listMentors shows each queue's mentors: the config's, by name once they
// have written, and those added with /mentor, with the CHANNEL:ID that
// removes them.
func (sv *Service) listMentors(tx bot.Tx, s bot.Session, queues []string) error {
	added, err := tx.AddedMentors("")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(tr(s.Lang, "mentor_list"))
	for _, q := range queues {
		var names []string
		for _, ref := range sv.cfg.Mentors[q] {
			name := ref.String()
			if m, err := tx.MemberByRef(ref); err == nil {
				name = sv.shown(s.Lang, m.Name, m.Pseudonym) + " (" + ref.String() + ")"
			} else if !errors.Is(err, bot.ErrNotFound) {
				return err
			}
			names = append(names, name)
		}
		for _, m := range added[q] {
			names = append(names, sv.shown(s.Lang, m.Name, m.Pseudonym)+" ("+m.Channel+":"+m.PlatformID+", /mentor)")
		}
		if len(names) == 0 {
			names = append(names, tr(s.Lang, "mentor_none"))
		}
		b.WriteString(tr(s.Lang, "mentor_line", q, strings.Join(names, ", ")))
	}
	b.WriteString("\n\n" + tr(s.Lang, "mentor_usage", strings.Join(queues, ", ")))
	return bot.Reply(tx, s, "mentor", b.String())
}
