package demo

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
)

// session starts lesson in every group (or, with start false, goes on
// with it) and plays it until it ends or until, the groups in step.
func (g *gen) session(w int, lesson string, start bool, until time.Time) error {
	l, ok := g.lib.Get(lesson)
	if !ok {
		return fmt.Errorf("demo: no lesson %s", lesson)
	}
	err := g.each(func(gr *group) error {
		if !start {
			return nil
		}
		for _, m := range gr.members {
			if gr.takesPart(m, w) && gr.chance(0.3) {
				if err := g.say(gr, m, chatter[gr.pick(len(chatter))], ""); err != nil {
					return err
				}
			}
		}
		return g.say(gr, gr.members[0], "/lesson "+lesson+" replace", "")
	})
	if err != nil {
		return err
	}
	for g.clk.Now().Before(until) {
		active := 0
		err := g.each(func(gr *group) error {
			run, err := g.activeRun(gr)
			if errors.Is(err, bot.ErrNotFound) || (err == nil && run.LessonID != lesson) {
				return nil
			}
			if err != nil {
				return err
			}
			g.mu.Lock()
			active++
			key := fmt.Sprintf("%d:%d", run.ID, run.Seq)
			done := g.played[key]
			g.played[key] = true
			g.mu.Unlock()
			if done {
				return nil
			}
			return g.play(w, gr, l, run)
		})
		if err != nil {
			return err
		}
		if active == 0 {
			break
		}
		if err := g.advance(g.clk.Now().Add(time.Hour)); err != nil {
			return err
		}
		g.mu.Lock()
		later := g.later
		g.later = nil
		g.mu.Unlock()
		for _, f := range later {
			if err := f(); err != nil {
				return err
			}
		}
	}
	return nil
}

// each runs f for every group at once and waits for all.
func (g *gen) each(f func(*group) error) error {
	errs := make([]error, len(g.groups))
	var wg sync.WaitGroup
	for i, gr := range g.groups {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f(gr) }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (g *gen) activeRun(gr *group) (bot.Run, error) {
	var run bot.Run
	err := g.db.Update(g.ctx, func(tx bot.Tx) error {
		c, err := tx.EnsureChat(Channel, gr.id, bot.Group, "", g.clk.Now())
		if err != nil {
			return err
		}
		run, err = tx.ActiveRun(c.ID)
		return err
	})
	return run, err
}

// play has the group's members respond to the run's current step.
func (g *gen) play(w int, gr *group, l *flows.Lesson, run bot.Run) error {
	step := l.Steps[run.Step]
	switch step.Kind {
	case "quiz":
		key, _ := l.Key(run.Step)
		for _, m := range gr.members {
			if !gr.takesPart(m, w) {
				continue
			}
			skill := m.skill + 0.04*float64(w)
			if slices.Contains(key.Tags, "post") {
				skill += 0.15 // the lesson taught them something
			}
			right := gr.chance(min(skill, 0.97))
			if err := g.say(gr, m, gr.answer(key, right), ""); err != nil {
				return err
			}
			g.mu.Lock()
			g.stats.Answers++
			g.mu.Unlock()
		}
	case "ask":
		for _, m := range gr.members {
			if gr.takesPart(m, w) && gr.chance(0.5) {
				if err := g.say(gr, m, "I will check the "+[]string{"bleeding", "blood pressure", "uterus", "partograph"}[gr.pick(4)]+" more often.", ""); err != nil {
					return err
				}
			}
		}
	case "discuss":
		var post string
		err := g.db.Update(g.ctx, func(tx bot.Tx) error {
			c, err := tx.LatestRunCase(run.ID)
			if err != nil {
				return err
			}
			post, err = tx.CaseMessageID(c.ID)
			return err
		})
		if err != nil || post == "" {
			return err
		}
		sharer := gr.members[gr.pick(len(gr.members))]
		if !gr.takesPart(sharer, w) {
			return nil
		}
		if err := g.say(gr, sharer, caseTexts[gr.pick(len(caseTexts))], post); err != nil {
			return err
		}
		// The peers reply within the hour after, not the instant it is
		// shared (the session plays them at its next hour).
		for _, m := range gr.members[:3] {
			if m != sharer && gr.chance(0.4) {
				text := replies[gr.pick(len(replies))]
				g.mu.Lock()
				g.later = append(g.later, func() error { return g.say(gr, m, text, post) })
				g.mu.Unlock()
			}
		}
	}
	return nil
}

// answer writes a member's answer to a quiz, right or wrong.
func (gr *group) answer(k flows.QuizKey, right bool) string {
	switch {
	case k.Numeric != nil:
		v := *k.Numeric
		if !right {
			v += k.Tolerance + 1 + float64(gr.pick(10))
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case k.Options > 0:
		picks := k.Correct
		switch {
		case right:
		case len(picks) > 1:
			// A multi-select is mostly missed by leaving a right option out,
			// else by adding a wrong one.
			if extra := wrongOptions(k); len(extra) == 0 || gr.chance(0.6) {
				drop := gr.pick(len(picks))
				picks = slices.Delete(slices.Clone(picks), drop, drop+1)
			} else {
				picks = append(slices.Clone(picks), extra[gr.pick(len(extra))])
				slices.Sort(picks)
			}
		default:
			wrong := 1 + gr.pick(k.Options)
			for len(picks) == 1 && wrong == picks[0] && k.Options > 1 {
				wrong = 1 + gr.pick(k.Options)
			}
			picks = []int{wrong}
		}
		parts := make([]string, len(picks))
		for i, p := range picks {
			parts[i] = strconv.Itoa(p)
		}
		return strings.Join(parts, " ")
	case len(k.Accept) > 0:
		if right {
			return k.Accept[0]
		}
		return "not sure"
	}
	return "ok"
}

// replyRounds are when peers reply to the cases shared at once, after
// their sharing: each group's first replier in one of the first three
// rounds, the others in the rounds after, as a ward's nurses read their
// phones between tasks.
var replyRounds = []time.Duration{18 * time.Minute, 47 * time.Minute, 92 * time.Minute, 160 * time.Minute, 245 * time.Minute, 330 * time.Minute, 420 * time.Minute}

// caseDay has one member per group share a case, peers reply over the
// next hours, and half the cases are escalated (mentors answer them
// later); the others are settled by peers or answered from the archive.
func (g *gen) caseDay(w int) error {
	type shared struct {
		gr *group
		m  *member
		id int64
		// repliers reply in turn, from round first on.
		repliers []*member
		first    int
	}
	var opened []*shared
	for _, gr := range g.groups {
		author := gr.members[gr.pick(len(gr.members))]
		if !gr.takesPart(author, w) {
			continue
		}
		if err := g.say(gr, author, "/case "+caseTexts[gr.pick(len(caseTexts))], ""); err != nil {
			return err
		}
		id, err := g.newestCase(gr.id)
		if err != nil || id == 0 {
			return err
		}
		g.stats.Cases++
		s := &shared{gr: gr, m: author, id: id, first: gr.pick(3)}
		for _, m := range gr.members[1:6] {
			if m != author && gr.takesPart(m, w) && gr.chance(0.4) {
				s.repliers = append(s.repliers, m)
			}
		}
		opened = append(opened, s)
	}
	// The clock is the program's: every group's replies of a round come
	// at its time.
	sharedAt := g.clk.Now()
	for round, after := range replyRounds {
		if err := g.advance(sharedAt.Add(after)); err != nil {
			return err
		}
		for _, s := range opened {
			if i := round - s.first; i >= 0 && i < len(s.repliers) {
				if err := g.say(s.gr, s.repliers[i], fmt.Sprintf("#C%d %s", s.id, replies[s.gr.pick(len(replies))]), ""); err != nil {
					return err
				}
			}
		}
	}
	for _, s := range opened {
		// By turns over the program's cases: one in two goes to a
		// mentor, one in four its author closes once peers settled it,
		// and one in four is answered from the archive (its author says
		// so, as by the offer's button) once a mentor has answered one.
		var err error
		g.shared++
		switch {
		case g.shared%4 == 2:
			err = g.say(s.gr, s.m, fmt.Sprintf("/close %d", s.id), "")
		case g.shared%4 == 0 && g.answered != 0:
			err = g.press(s.gr, s.m, fmt.Sprintf("sa:%d:%d", s.id, g.answered))
		default:
			err = g.say(s.gr, s.m, fmt.Sprintf("/escalate %d", s.id), "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mentorsAnswer has the mentors answer every case assigned to them, the
// ones lessons escalated included.
func (g *gen) mentorsAnswer(mentors []*member) error {
	if _, err := g.newestCase(""); err != nil {
		return err
	}
	ids := make(map[int64]*member, len(mentors))
	for _, m := range mentors {
		ids[g.memberID(m)] = m
	}
	for id := int64(1); id <= g.cases; id++ {
		var c bot.Case
		err := g.db.Update(g.ctx, func(tx bot.Tx) error {
			var err error
			c, err = tx.CaseByID(id)
			return err
		})
		if err != nil {
			return err
		}
		m := ids[c.AssignedTo]
		if c.Status != bot.CaseAssigned || m == nil {
			continue
		}
		if err := g.send("dm-"+m.id, "", bot.Direct, m, fmt.Sprintf("/answer %d %s", c.ID, answers[int(c.ID)%len(answers)]), ""); err != nil {
			return err
		}
		g.answered = c.ID
	}
	return nil
}

// newestCase finds the latest case in a group ("" for none), scanning the
// ids after the last seen.
func (g *gen) newestCase(chat string) (int64, error) {
	var found int64
	err := g.db.Update(g.ctx, func(tx bot.Tx) error {
		var c bot.Chat
		if chat != "" {
			var err error
			if c, err = tx.EnsureChat(Channel, chat, bot.Group, "", g.clk.Now()); err != nil {
				return err
			}
		}
		for id := g.cases + 1; ; id++ {
			k, err := tx.CaseByID(id)
			if errors.Is(err, bot.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			g.cases = id
			if c.ID != 0 && k.ChatID == c.ID {
				found = id
			}
		}
	})
	return found, err
}

// memberID is the store's id of a generated member.
func (g *gen) memberID(m *member) int64 {
	var id int64
	_ = g.db.Update(g.ctx, func(tx bot.Tx) error {
		mm, err := tx.MemberByRef(bot.StaffRef{Channel: Channel, ID: m.id})
		id = mm.ID
		return err
	})
	return id
}

// wrongOptions are a quiz's options that are not right (1-based).
func wrongOptions(k flows.QuizKey) []int {
	var out []int
	for o := 1; o <= k.Options; o++ {
		if !slices.Contains(k.Correct, o) {
			out = append(out, o)
		}
	}
	return out
}
