// Package demo generates a realistic Huddle database by playing weeks of
// group activity through the real router, lesson engine, case service and
// store, on a simulated clock: lessons started twice a week in every group,
// members answering (or not) with a skill that grows, chatter, shared
// cases with peer replies, escalations and mentors' answers. The dashboard,
// reports and exports are tested and demonstrated on it.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
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
	router := app.Handler()
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
	router bot.Handler
	rnd    *rand.Rand
	spec   Spec
	groups []*group
	stats  Stats
	seq    int
	mu     sync.Mutex
	played map[string]bool // run:seq already played
	cases  int64           // highest case id seen
	// answered is the last case a mentor answered, which later cases
	// may be answered from.
	answered int64
	// shared counts the cases members shared, which go to mentors, are
	// settled by peers or are answered from the archive by turns.
	shared int
	// later holds what members do at the session's next hour: peers'
	// replies in a lesson's discussion, which come after its case.
	later []func() error
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

// press has m press an option with data in gr.
func (g *gen) press(gr *group, m *member, data string) error {
	g.mu.Lock()
	g.seq++
	id := "p" + strconv.Itoa(g.seq)
	g.stats.Events++
	g.mu.Unlock()
	ev := bot.Event{ID: bot.EventID(Channel, gr.id, m.id, id), Kind: bot.OptionChosen, Channel: Channel, ChatID: gr.id,
		ChatType: bot.Group, ChatTitle: gr.title, SenderID: m.id, SenderName: m.name, Option: data, PressID: id, Time: g.clk.Now()}
	return g.router.HandleEvent(g.ctx, ev)
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
	// The last days' escalations are taken and answered before the data
	// ends, as mentors would: none waits for a mentor when Huddle first
	// runs on it, months later, which the cases page would count as a
	// wait of months.
	for range 3 {
		if err := g.mentorsAnswer(mentors); err != nil {
			return err
		}
		if err := g.advance(g.clk.Now().Add(time.Hour)); err != nil {
			return err
		}
	}
	return nil
}
