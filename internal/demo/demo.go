// Package demo generates a realistic Huddle database by playing weeks of
// group activity through the real router, lesson engine, case service and
// store, on a simulated clock: lessons started twice a week in every group,
// members answering (or not) with a skill that grows, chatter, shared
// cases with peer replies, escalations and mentors' answers. The dashboard,
// reports and exports are tested and demonstrated on it.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/lessons"
	"github.com/huddlebot/huddle/store"
)

// Channel is the channel the generated activity is on.
const Channel = "sim"

// Spec says what to generate.
type Spec struct {
	Groups  int
	Members int // in all, spread over the groups
	Weeks   int
	// Seed makes the activity repeatable.
	Seed uint64
	// Start is the first Monday, at midnight, in UTC.
	Start time.Time
}

// DefaultSpec is 5 groups, 200 members and 8 weeks from Monday 5 January
// 2026.
func DefaultSpec() Spec {
	return Spec{Groups: 5, Members: 200, Weeks: 8, Seed: 1, Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
}

// Stats counts what was generated.
type Stats struct {
	Events, Answers, Cases int
	// End is the simulated time the activity ran to.
	End time.Time
}

// Generate plays spec's activity into the database at path, which it
// creates. progress, when not nil, is called after each week.
func Generate(ctx context.Context, path string, spec Spec, progress func(week, weeks int)) (Stats, error) {
	db, lib, err := prepare(ctx, path, spec)
	if err != nil {
		return Stats{}, err
	}
	defer db.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := &clock{now: spec.Start}
	app, err := huddle.New(ctx, huddle.Options{Store: db, Library: lib, Channels: []bot.Channel{&nullChannel{}},
		Cases: &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {{Channel: Channel, ID: "mentor-1"}, {Channel: Channel, ID: "mentor-2"}}}},
		// Made-up members, who have nothing to consent to.
		NoConsent: true,
		Clock:     clk, Logger: quiet, Tuning: huddle.Tuning{SenderPoll: 5 * time.Millisecond, SchedulerPoll: 2 * time.Millisecond}})
	if err != nil {
		return Stats{}, err
	}
	router := app.Router()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); app.Run(rctx) }()
	defer func() { cancel(); <-done }()

	g := &gen{ctx: ctx, db: db, lib: lib, clk: clk, router: router, rnd: rand.New(rand.NewPCG(spec.Seed, 2026)), spec: spec}
	g.cast()
	if err := g.run(progress); err != nil {
		return g.stats, err
	}
	// Let the sender drain, so that every message is marked sent.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		pending, err := db.PendingOutbox(ctx, Channel, clk.Now().Add(time.Hour), 1, nil)
		if err != nil || len(pending) == 0 {
			break
		}
	}
	g.stats.End = clk.Now()
	return g.stats, ctx.Err()
}

// prepare checks spec, creates the database at path and loads the
// built-in lessons.
func prepare(ctx context.Context, path string, spec Spec) (*store.DB, *flows.Library, error) {
	if spec.Groups < 1 || spec.Members < spec.Groups || spec.Weeks < 1 {
		return nil, nil, fmt.Errorf("demo: want at least one group, a member per group and a week; got %+v", spec)
	}
	lib, err := flows.Load(lessons.FS, ".", "(built-in)")
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	return db, lib, nil
}

// clock is the simulated clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// nullChannel takes every message and gives it an id, as a platform would.
type nullChannel struct {
	mu sync.Mutex
	n  int
}

func (*nullChannel) Name() string { return Channel }

func (*nullChannel) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }

func (c *nullChannel) Send(context.Context, bot.Outbound) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return "b" + strconv.Itoa(c.n), nil
}

// member is one generated health worker.
type member struct {
	id, name string
	// active is how likely they take part in a given activity; dropOut is
	// the week from which they stop (0: never).
	active  float64
	dropOut int
	// skill is how likely they answer right at first; it grows weekly.
	skill float64
}

// group is one generated learning group.
type group struct {
	id, title string
	members   []*member
	// rnd is the group's own random source, so that groups played at once
	// still make the same activity for the same seed.
	rnd *rand.Rand
}

type gen struct {
	ctx    context.Context
	db     *store.DB
	lib    *flows.Library
	clk    *clock
	router *bot.Router
	rnd    *rand.Rand
	spec   Spec
	groups []*group
	stats  Stats
	seq    int
	mu     sync.Mutex
	played map[string]bool // run:seq already played
	cases  int64           // highest case id seen
}

var (
	givenNames = []string{"Amina", "Brigitte", "Chinedu", "Damaris", "Esther", "Fatou", "Grace", "Halima", "Irene", "Joyce",
		"Kemi", "Lilian", "Mercy", "Nafula", "Olive", "Precious", "Rehema", "Salome", "Tendai", "Vivian", "Wanjiku", "Yaa", "Zawadi",
		"Aisha", "Beatrice", "Chipo", "Doris", "Emmanuel", "Francis", "Gloria"}
	wards   = []string{"Maternity", "Labour ward", "Postnatal", "Paediatrics", "Outpatients", "Antenatal clinic", "Theatre"}
	chatter = []string{"Good morning everyone", "Busy night shift, three deliveries", "Thanks for the reminder",
		"Does anyone have the new partograph forms?", "We ran out of gloves again", "Great discussion yesterday",
		"Bonjour à toutes", "Who is on call this weekend?", "The training was very useful", "👍"}
	caseTexts = []string{
		"Woman of 30, para 3, 1 L blood loss 20 minutes after delivery, uterus soft despite oxytocin. What next?",
		"Primigravida at 38 weeks, BP 160/110 and headache, no magnesium in stock. How do we manage?",
		"Newborn not breathing at birth, no heartbeat heard at first. We ventilated for 2 minutes. When do we stop?",
		"Child of 4 with fever, RDT negative twice, still febrile after 3 days. What else should we test?",
		"Mother at 34 weeks with ruptured membranes for 24 hours, no labour. Antibiotics and steroids?",
		"Woman of 25 with retained placenta after 45 minutes, bleeding moderately. Manual removal here or refer?",
	}
	replies = []string{"We had the same last month; bimanual compression helped while we waited.",
		"Check the bladder and give a second uterotonic.", "Refer early, the road takes two hours.",
		"Our protocol says magnesium first, then hydralazine.", "Did you check the glucose?", "Agree, call the doctor on call now."}
	answers = []string{"Follow the protocol: stabilise first, give the first-line drug, then reassess in 15 minutes and refer if it continues.",
		"Good discussion. Key points: early recognition, a second uterotonic, tranexamic acid within 3 hours, and timely referral."}
)

// cast makes the groups and members.
func (g *gen) cast() {
	per := g.spec.Members / g.spec.Groups
	n := 0
	for i := 0; i < g.spec.Groups; i++ {
		gr := &group{id: fmt.Sprintf("g%d", i+1), title: fmt.Sprintf("%s %d", wards[i%len(wards)], i/len(wards)+1),
			rnd: rand.New(rand.NewPCG(g.spec.Seed, uint64(i+1)))}
		count := per
		if i == g.spec.Groups-1 {
			count = g.spec.Members - n
		}
		for j := 0; j < count; j++ {
			n++
			m := &member{id: fmt.Sprintf("m%05d", n), name: fmt.Sprintf("%s %d", givenNames[n%len(givenNames)], n),
				skill: 0.35 + 0.35*g.rnd.Float64()}
			switch r := g.rnd.Float64(); {
			case r < 0.15: // drops out
				m.active, m.dropOut = 0.7, 1+g.rnd.IntN(max(g.spec.Weeks/2, 1))
			case r < 0.35: // lurks
				m.active = 0.15
			default:
				m.active = 0.6 + 0.35*g.rnd.Float64()
			}
			gr.members = append(gr.members, m)
		}
		g.groups = append(g.groups, gr)
	}
}

// takesPart reports whether m, of group gr, acts this time in week w.
func (gr *group) takesPart(m *member, w int) bool {
	if m.dropOut > 0 && w >= m.dropOut {
		return false
	}
	return gr.rnd.Float64() < m.active
}

func (gr *group) chance(p float64) bool { return gr.rnd.Float64() < p }

func (gr *group) pick(n int) int { return gr.rnd.IntN(n) }

// send hands one event to the router and waits for it to be handled.
func (g *gen) send(chat, chatTitle string, typ bot.ChatType, m *member, text, replyTo string) error {
	g.mu.Lock()
	g.seq++
	id := "u" + strconv.Itoa(g.seq)
	g.stats.Events++
	g.mu.Unlock()
	ev := bot.Event{ID: bot.EventID(Channel, chat, m.id, id), Kind: bot.Message, Channel: Channel, ChatID: chat,
		ChatType: typ, ChatTitle: chatTitle, SenderID: m.id, SenderName: m.name, MessageID: id, Text: text,
		ReplyTo: replyTo, Time: g.clk.Now()}
	return g.router.HandleEvent(g.ctx, ev)
}

func (g *gen) say(gr *group, m *member, text, replyTo string) error {
	return g.send(gr.id, gr.title, bot.Group, m, text, replyTo)
}

// settle waits until the router has fired every timer and case check due
// now.
func (g *gen) settle() error {
	for quiet := 0; quiet < 2; {
		now := g.clk.Now()
		timers, err := g.db.DueTimers(g.ctx, now, 1)
		if err != nil {
			return err
		}
		due, err := g.db.DueCases(g.ctx, now, 1)
		if err != nil {
			return err
		}
		if len(timers) == 0 && len(due) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(time.Millisecond)
	}
	return g.ctx.Err()
}

// advance moves the clock to t an hour at a time, letting timers fire.
func (g *gen) advance(t time.Time) error {
	for now := g.clk.Now(); now.Before(t); now = g.clk.Now() {
		g.clk.set(minTime(now.Add(time.Hour), t))
		if err := g.settle(); err != nil {
			return err
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// run plays every week.
func (g *gen) run(progress func(week, weeks int)) error {
	g.played = make(map[string]bool)
	mentors := []*member{{id: "mentor-1", name: "Dr Achieng"}, {id: "mentor-2", name: "Dr Mensah"}}
	g.clk.set(g.spec.Start.Add(7 * time.Hour))
	for _, m := range mentors {
		if err := g.send("dm-"+m.id, "", bot.Direct, m, "/start", ""); err != nil {
			return err
		}
	}
	for w := 0; w < g.spec.Weeks; w++ {
		week := g.spec.Start.AddDate(0, 0, 7*w)
		at := func(day, hour, minute int) time.Time {
			return week.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
		}
		// Even weeks: hand hygiene on Monday and again on Thursday. Odd
		// weeks: PPH, a longer lesson, over the whole week. Cases on
		// Wednesday; chatter on the way.
		first, second := "hand-hygiene", "hand-hygiene"
		if w%2 == 1 {
			first, second = "pph-first-hour", ""
		}
		if err := g.advance(at(0, 8, 30)); err != nil {
			return err
		}
		if err := g.session(w, first, true, at(2, 9, 0)); err != nil {
			return err
		}
		if err := g.caseDay(w); err != nil {
			return err
		}
		if err := g.session(w, first, false, at(3, 8, 30)); err != nil {
			return err
		}
		if err := g.mentorsAnswer(mentors); err != nil {
			return err
		}
		if err := g.advance(at(3, 8, 30)); err != nil {
			return err
		}
		lesson := second
		if lesson == "" {
			lesson = first
		}
		if err := g.session(w, lesson, second != "", at(7, 8, 0)); err != nil {
			return err
		}
		if progress != nil {
			progress(w+1, g.spec.Weeks)
		}
	}
	return nil
}

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
		for _, m := range gr.members[:3] {
			if m != sharer && gr.chance(0.4) {
				if err := g.say(gr, m, replies[gr.pick(len(replies))], post); err != nil {
					return err
				}
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
		if !right {
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

// caseDay has one member per group share a case, peers reply, and half
// the cases are escalated; mentors answer them later.
func (g *gen) caseDay(w int) error {
	type shared struct {
		gr *group
		m  *member
		id int64
	}
	var opened []shared
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
		opened = append(opened, shared{gr, author, id})
		for _, m := range gr.members[1:6] {
			if m != author && gr.takesPart(m, w) && gr.chance(0.4) {
				if err := g.say(gr, m, fmt.Sprintf("#C%d %s", id, replies[gr.pick(len(replies))]), ""); err != nil {
					return err
				}
			}
		}
	}
	for i, s := range opened {
		if i%2 == 0 {
			if err := g.say(s.gr, s.m, fmt.Sprintf("/escalate %d", s.id), ""); err != nil {
				return err
			}
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
