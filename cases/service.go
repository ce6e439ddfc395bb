// Package cases runs case discussions: a member shares a de-identified
// case with the group, peers reply in its thread, and a case peers could
// not settle goes to a mentor, whose answer comes back to the thread. Case
// text is scanned for what could identify a patient (package deid) before
// anything is posted or stored.
package cases

import (
	"errors"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/catalog"
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
	// Similar says where the answered cases offered under a member's new
	// case come from: SimilarProgram (every group of the case's language;
	// the default), SimilarCourse (its group and those that took a
	// course it took), SimilarGroup (its own group) or SimilarOff.
	Similar string
	// Pseudonyms shows members in threads by their pseudonym, as the
	// router does everywhere else.
	Pseudonyms bool
	// Location is the program's time zone, for the mentors' morning
	// digest; UTC when nil. Clock defaults to the system clock.
	Location *time.Location
	Clock    bot.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Texts are case discussions' texts (Messages, or a program's laid
	// over them); the built-in ones when nil.
	Texts *catalog.Catalog
}

// Service runs case discussions. It implements bot.Cases.
type Service struct {
	cfg   Config
	log   *slog.Logger
	texts *catalog.Catalog
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
	if cfg.Similar == "" {
		cfg.Similar = SimilarProgram
	}
	if cfg.DefaultQueue == "" && len(cfg.Mentors) == 1 {
		for q := range cfg.Mentors {
			cfg.DefaultQueue = q
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Texts == nil {
		cfg.Texts = builtinTexts()
	}
	return &Service{cfg: cfg, log: cfg.Logger, texts: cfg.Texts}
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

// commands are the case commands, for the router's table.
func (sv *Service) commands() []bot.Command {
	text := sv.texts.Phrase
	onCase := func(name string, do func(tx Tx, s bot.Session, c bot.Case) error) func(bot.Tx, bot.Session, []string) error {
		return func(tx bot.Tx, s bot.Session, args []string) error {
			c, err := sv.caseFor(tx, s, args, "/"+name)
			if err != nil || c.ID == 0 {
				return err
			}
			return do(tx, s, c)
		}
	}
	return []bot.Command{
		{Name: "case", Usage: text("usage_text"), Help: text("help_case"), Run: asCommand(sv.caseCommand)},
		{Name: "escalate", Help: text("help_escalate"), Run: onCase("escalate", func(tx Tx, s bot.Session, c bot.Case) error {
			return sv.escalate(tx, s, c, "escalated")
		})},
		{Name: "cases", Usage: text("usage_words"), Help: text("help_cases"), Run: asCommand(func(tx Tx, s bot.Session, args []string) error {
			return sv.search(tx, s, strings.Join(args, " "))
		})},
		{Name: "answer", Usage: text("usage_answer"), Help: text("help_answer"), Who: bot.Mentors, Run: asCommand(sv.answerCommand)},
		{Name: "queue", Help: text("help_queue"), Who: bot.Mentors, Gate: bot.GateCarry, Run: asCommand(bot.NoArgs(sv.queue))},
		{Name: "take", Usage: text("usage_case"), Help: text("help_take"), Who: bot.Mentors, Run: onCase("take", sv.take)},
		{Name: "pass", Usage: text("usage_case"), Help: text("help_pass"), Who: bot.Mentors, Run: onCase("pass", sv.pass)},
		{Name: "close", Usage: text("usage_case"), Help: text("help_close"), Who: bot.Mentors, Run: onCase("close", sv.close)},
		{Name: "helpful", Who: bot.Mentors, Where: bot.InGroup, Help: text("help_helpful"), Run: asCommand(sv.helpful)},
		{Name: "mentor", Aliases: []string{"mentors"}, Usage: text("usage_mentor"), Help: text("help_mentor"), Who: bot.Staff, Run: asCommand(sv.mentorCommand)},
		{Name: "removecase", Usage: text("usage_case"), Help: text("help_removecase"), Who: bot.Staff, Run: onCase("removecase", sv.removeCase)},
	}
}

// removeCase is staff's /removecase N: the case is erased, at its author's
// or a patient's request (a confirmed case otherwise outlives its author's
// erasure, in the group's archive).
func (sv *Service) removeCase(tx Tx, s bot.Session, c bot.Case) error {
	if err := tx.RemoveCase(c.ID); err != nil {
		return err
	}
	sv.log.Info("case removed by staff", "case", c.ID, "staff", s.Member.ID)
	return bot.Reply(tx, s, "removecase", sv.tr(s.Lang, "case_removed", c.ID))
}

// options are the handlers of the author's answer to a held-back case
// and to a photo held back for its check.
func (sv *Service) options() []bot.OptionHandler {
	return []bot.OptionHandler{{Prefix: confirmPrefix, Run: asOption(sv.pendingAnswer)}, {Prefix: discardPrefix, Run: asOption(sv.pendingAnswer)},
		{Prefix: photoPostPrefix, Run: asOption(sv.photoAnswer)}, {Prefix: photoDiscardPrefix, Run: asOption(sv.photoAnswer)},
		{Prefix: similarPrefix, Run: asOption(sv.similarAnswer)}}
}

// caseCommand is /case: /case 12 shows case 12; /case TEXT shares one.
func (sv *Service) caseCommand(tx Tx, s bot.Session, args []string) error {
	if len(args) == 1 {
		if _, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(args[0]), "#C"), 10, 64); err == nil {
			return sv.show(tx, s, args[0])
		}
	}
	return sv.openCommand(tx, s)
}

// answerCommand is a mentor's /answer NUMBER TEXT, or /answer NUMBER as a
// voice note's caption.
func (sv *Service) answerCommand(tx Tx, s bot.Session, args []string) error {
	if len(args) < 2 && !(len(args) == 1 && isVoice(s.Event.File)) {
		return bot.Reply(tx, s, "answer", sv.tr(s.Lang, "answer_usage"))
	}
	c, err := sv.caseFor(tx, s, args[:1], "/answer")
	if err != nil || c.ID == 0 {
		return err
	}
	return sv.answer(tx, s, c, afterWords(s.Event.Text, 2), s.Event.File)
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
func (sv *Service) caseFor(tx Tx, s bot.Session, args []string, cmd string) (bot.Case, error) {
	if len(args) > 0 {
		m := caseRef.FindStringSubmatch(args[0])
		if m == nil {
			return bot.Case{}, bot.Reply(tx, s, "case", sv.tr(s.Lang, "no_case", cmd))
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		c, err := tx.CaseByID(id)
		if errors.Is(err, bot.ErrNotFound) {
			return bot.Case{}, bot.Reply(tx, s, "case", sv.tr(s.Lang, "unknown_case", m[1]))
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
			return bot.Case{}, bot.Reply(tx, s, "case", sv.tr(s.Lang, "unknown_case", m[1]))
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
	return bot.Case{}, bot.Reply(tx, s, "case", sv.tr(s.Lang, "no_case", cmd))
}

// caseOf finds the case the session's message is about by where it was
// posted: in reply to one of the case's messages, or in the case's forum
// topic. It returns bot.ErrNotFound when there is none.
func caseOf(tx Tx, s bot.Session) (bot.Case, error) {
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
func (sv *Service) mayDo(tx Tx, s bot.Session, c bot.Case) (bool, error) {
	if ok, err := sv.mentorOrStaff(tx, s.Member, c.Queue); err != nil || ok {
		return ok, err
	}
	return tx.InChat(s.Member.ID, c.ChatID)
}

// mentorOrStaff reports whether m mentors queue or is staff.
func (sv *Service) mentorOrStaff(tx Tx, m bot.Member, queue string) (bool, error) {
	if sv.isStaff(m) {
		return true, nil
	}
	return sv.isMentor(tx, m, queue)
}

// refuse answers a mentor's or staff command from someone else, and logs
// it for the programme (by member number, not name or phone).
func (sv *Service) refuse(tx Tx, s bot.Session, tag, key string) error {
	sv.log.Info("command refused: not a mentor or staff", "command", tag, "member", s.Member.ID, "channel", s.Chat.Channel)
	return bot.Reply(tx, s, tag, sv.tr(s.Lang, key))
}

func (sv *Service) isStaff(m bot.Member) bool {
	return slices.ContainsFunc(sv.cfg.Staff, func(r bot.StaffRef) bool { return r.Matches(m) })
}

// anyMentor reports whether m mentors a queue, by the config or added by
// staff.
func (sv *Service) anyMentor(tx Tx, m bot.Member) (bool, error) {
	return sv.isMentor(tx, m, "")
}

// isMentor reports whether m mentors queue (any queue when queue is "").
func (sv *Service) isMentor(tx Tx, m bot.Member, queue string) (bool, error) {
	qs, err := sv.queuesOf(tx, m, queue)
	return len(qs) > 0, err
}

// queuesOf lists the queues m mentors (only queue, when given): by the
// config, or added by staff.
func (sv *Service) queuesOf(tx Tx, m bot.Member, queue string) ([]string, error) {
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
