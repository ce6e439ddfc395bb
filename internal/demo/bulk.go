package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/store"
)

// GenerateBulk makes a database of spec's size by writing the activity
// straight into the tables (store.Loader) instead of playing it through the
// engine, for sizes the engine would take hours over: a year of 50,000
// members is some twenty million rows. The activity follows Generate's
// model (the same members, lessons twice a week with the built-in lessons'
// real questions and answer keys, chatter, a case a week per group with
// peer replies, half of them escalated and answered by mentors), so every
// dashboard page and report has realistic figures to show; but no message
// is sent and the runs cannot be resumed. progress, when not nil, is
// called after each week.
func GenerateBulk(ctx context.Context, path string, spec Spec, progress func(week, weeks int)) (Stats, error) {
	db, lib, err := prepare(ctx, path, spec)
	if err != nil {
		return Stats{}, err
	}
	defer db.Close()
	g := &gen{spec: spec, rnd: rand.New(rand.NewPCG(spec.Seed, 2026))}
	g.cast()
	b := &bulk{gen: g, lessons: lib.All(), ids: make(map[*member]int64)}
	err = db.Load(ctx, func(l *store.Loader) error {
		b.l = l
		if err := b.people(); err != nil {
			return err
		}
		for w := range spec.Weeks {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := b.week(w); err != nil {
				return err
			}
			if progress != nil {
				progress(w+1, spec.Weeks)
			}
		}
		return nil
	})
	g.stats.End = spec.Start.AddDate(0, 0, 7*spec.Weeks)
	return g.stats, err
}

// bulk writes gen's cast and their activity through a store.Loader.
type bulk struct {
	*gen
	l       *store.Loader
	lessons []*flows.Lesson
	ids     map[*member]int64
	chats   []int64 // the groups' ids, as g.groups
	mentors []int64
	// load counts each mentor's open cases, to assign to the least loaded.
	load []int
	// answered is the last case a mentor answered, which later cases may
	// be answered from.
	answered int64
}

// mentorsPer is how many groups share a mentor.
const mentorsPer = 25

// people adds the mentors, the groups and their members.
func (b *bulk) people() error {
	at := b.spec.Start
	for i := range max(2, len(b.groups)/mentorsPer) {
		id, err := b.l.Member(Channel, fmt.Sprintf("mentor-%d", i+1), fmt.Sprintf("Dr %s", givenNames[i%len(givenNames)]), at)
		if err != nil {
			return err
		}
		b.mentors = append(b.mentors, id)
	}
	b.load = make([]int, len(b.mentors))
	for _, gr := range b.groups {
		chat, err := b.l.Group(Channel, gr.id, gr.title, at)
		if err != nil {
			return err
		}
		b.chats = append(b.chats, chat)
		last := b.spec.Start.AddDate(0, 0, 7*b.spec.Weeks)
		for _, m := range gr.members {
			id, err := b.l.Member(Channel, m.id, m.name, at)
			if err != nil {
				return err
			}
			b.ids[m] = id
			seen := last
			if m.dropOut > 0 {
				seen = b.spec.Start.AddDate(0, 0, 7*m.dropOut)
			}
			if err := b.l.Join(chat, id, at, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// week writes week w of every group: two lesson runs, chatter and a case.
func (b *bulk) week(w int) error {
	start := b.spec.Start.AddDate(0, 0, 7*w)
	for i, gr := range b.groups {
		chat := b.chats[i]
		// A lesson on Monday and one on Thursday, each open two days.
		for k, day := range []int{0, 3} {
			l := b.lessons[(2*w+k+i)%len(b.lessons)]
			if err := b.run(w, gr, chat, l, start.AddDate(0, 0, day).Add(8*time.Hour)); err != nil {
				return err
			}
		}
		for _, m := range gr.members {
			if !gr.takesPart(m, w) {
				continue
			}
			for range gr.pick(3) {
				kind := bot.EngageMessage
				if gr.chance(0.1) {
					kind = bot.EngageCommand
				}
				if err := b.engage(m, chat, kind, b.during(gr, start, 7*24*time.Hour)); err != nil {
					return err
				}
			}
		}
		if err := b.shareCase(w, gr, chat, start.AddDate(0, 0, 2).Add(9*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

// during is a random moment in [from, from+d), to the minute.
func (b *bulk) during(gr *group, from time.Time, d time.Duration) time.Time {
	return from.Add(time.Duration(gr.rnd.Int64N(int64(d/time.Minute))) * time.Minute)
}

func (b *bulk) engage(m *member, chat int64, kind string, at time.Time) error {
	b.stats.Events++
	return b.l.Engagement(bot.Engagement{MemberID: b.ids[m], ChatID: chat, Kind: kind, At: at})
}

// run writes one group lesson run: members answer its questions, right as
// often as their skill allows, over the two days it is open; one run in
// ten is stopped half way.
func (b *bulk) run(w int, gr *group, chat int64, l *flows.Lesson, at time.Time) error {
	steps := len(l.Steps)
	status, last := bot.RunDone, steps-1
	if gr.chance(0.1) {
		status, last = bot.RunStopped, steps/2
	}
	open := 48 * time.Hour
	id, err := b.l.Run(bot.Run{LessonID: l.ID, ChatID: chat, StartedBy: b.ids[gr.members[0]], Status: status,
		Step: last, Seq: last + 1, Started: at, Finished: at.Add(open)})
	if err != nil {
		return err
	}
	for i := 0; i <= last; i++ {
		key, ok := l.Key(i)
		if !ok {
			continue
		}
		stepAt := at.Add(open * time.Duration(i) / time.Duration(steps))
		for _, m := range gr.members {
			if !gr.takesPart(m, w) {
				continue
			}
			skill := m.skill + 0.04*float64(min(w, 10))
			if slices.Contains(key.Tags, "post") {
				skill += 0.15
			}
			right := gr.chance(min(skill, 0.97))
			value := gr.answer(key, right)
			if key.Options > 0 {
				value = strings.ReplaceAll(value, " ", ",")
			}
			points := 0.0
			if right {
				points = 1
			}
			ans := bot.Answer{RunID: id, MemberID: b.ids[m], StepID: l.StepKey(i), Seq: i + 1, Value: value,
				Correct: right, Points: points, MaxPoints: 1, At: b.during(gr, stepAt, 6*time.Hour)}
			if err := b.l.Answer(ans); err != nil {
				return err
			}
			if err := b.engage(m, chat, bot.EngageAnswer, ans.At); err != nil {
				return err
			}
			b.stats.Answers++
		}
	}
	return nil
}

// shareCase has a member share a case, up to five peers reply within the
// day, and every other case go to the least loaded mentor, who answers
// within two days.
func (b *bulk) shareCase(w int, gr *group, chat int64, at time.Time) error {
	author := gr.members[gr.pick(len(gr.members))]
	if !gr.takesPart(author, w) {
		return nil
	}
	c := bot.Case{ChatID: chat, AuthorID: b.ids[author], Text: caseTexts[gr.pick(len(caseTexts))], Status: bot.CaseOpen,
		Queue: "obstetrics", Created: at}
	var (
		posts []bot.CasePost
		by    []*member // who wrote each reply
	)
	for _, m := range gr.members[1:min(6, len(gr.members))] {
		if m != author && gr.takesPart(m, w) && gr.chance(0.4) {
			p := bot.CasePost{MemberID: b.ids[m], Kind: bot.PostReply, Text: replies[gr.pick(len(replies))],
				At: b.during(gr, at, 12*time.Hour)}
			if c.FirstReply.IsZero() || p.At.Before(c.FirstReply) {
				c.FirstReply = p.At
			}
			posts, by = append(posts, p), append(by, m)
		}
	}
	if gr.chance(0.5) {
		mentor := 0
		for i, n := range b.load {
			if n < b.load[mentor] {
				mentor = i
			}
		}
		b.load[mentor]++
		c.Escalated = at.Add(time.Hour)
		c.AssignedTo, c.Assigned = b.mentors[mentor], c.Escalated
		c.Status = bot.CaseAssigned
		if wait := time.Duration(1+gr.pick(48)) * time.Hour; w < b.spec.Weeks-1 || gr.chance(0.5) {
			if wait > 24*time.Hour {
				c.Overdue = c.Assigned.Add(24 * time.Hour)
			}
			c.FirstAnswer, c.Status = c.Assigned.Add(wait), bot.CaseAnswered
			b.load[mentor]--
			posts = append(posts, bot.CasePost{MemberID: c.AssignedTo, Kind: bot.PostAnswer,
				Text: answers[gr.pick(len(answers))], At: c.FirstAnswer})
		}
	} else {
		// Of the others, by turns (not by chance, so that the rest of
		// the data stays as it was): one in five its author closes once
		// peers settled it, and one in five from the archive, answered
		// by the last case a mentor answered.
		switch b.stats.Cases % 5 {
		case 1:
			if len(posts) > 0 {
				c.Status, c.Closed = bot.CaseClosed, posts[len(posts)-1].At.Add(time.Hour)
			}
		case 3:
			if b.answered != 0 {
				c.Status, c.Closed, c.AnsweredFrom = bot.CaseClosed, at.Add(30*time.Minute), b.answered
			}
		}
	}
	id, err := b.l.Case(c)
	if err != nil {
		return err
	}
	if c.Status == bot.CaseAnswered {
		b.answered = id
	}
	b.stats.Cases++
	if err := b.engage(author, chat, bot.EngageCommand, at); err != nil {
		return err
	}
	for i, p := range posts {
		p.CaseID = id
		if err := b.l.CasePost(p); err != nil {
			return err
		}
		if i < len(by) {
			if err := b.engage(by[i], chat, bot.EngageCaseReply, p.At); err != nil {
				return err
			}
		}
	}
	return nil
}
