// Package sms is Huddle's SMS channel, for members without a smartphone or
// a data bundle. It is written against the public channel API alone, as a
// program's own channel would be (bot.Channel, bot.WebChannel, bot.Notebook,
// and the conformance kit bot/channeltest), and sends and receives through
// a Gateway: Twilio's (package twilio) or Africa's Talking's (package
// africastalking).
//
// SMS has no groups. A cohort, a list of phone numbers the program
// enrolls, stands in for one: what the bot posts in the group goes to
// every member's phone; what the bot says in reply to a member goes to that
// member alone; what a member texts reaches the bot as said in the group,
// and the other members in a digest, a few texts gathered in one SMS, every
// Digest. A member answers options by their number. STOP, HELP and START
// are honoured as carriers require. What the channel still has to send, the
// digests it gathers and the members who opted out are notes in the App's
// store (bot.Notebook): a restart loses none of them. docs/sms.md is the
// program officer's guide.
package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Name is the channel's name in events and the outbox.
const Name = "sms"

// Cohort is a group of members who learn by SMS: the group's chat.
type Cohort struct {
	// ID is the group's chat id ("ward-7-sms"); it may not start with
	// "+", which private chats (a phone number) do.
	ID    string
	Title string
	// Members are its phones. A number is in one cohort at most.
	Members []Phone
}

// Phone is one member's phone.
type Phone struct {
	// Number in E.164 ("+254700000001").
	Number string
	// Name is the name the other members see in digests, and the bot
	// learns (a platform's profile name, which SMS has not).
	Name string
}

// Config holds what the SMS channel needs.
type Config struct {
	Gateway Gateway
	Cohorts []Cohort
	// Notebook keeps the channel's texts to send, its digests and its
	// opted-out members: the App's store.
	Notebook bot.Notebook
	// MaxSegments is how many segments one SMS may take before a text is
	// split, at sentence ends, into several; 3 when zero.
	MaxSegments int
	// Digest is how often the members' texts are relayed to the rest of
	// their cohort, gathered; 10 minutes when zero.
	Digest time.Duration
	// Gather is how long the sender waits, once a text is queued, for
	// those that come with it (a lesson's title, words and question), to
	// join them in one SMS where they fit; 2s when zero.
	Gather time.Duration
	// Help answers HELP: the program's name and how to reach it, as
	// carriers require; HelpText when empty.
	Help string
	// Costs are the price of one segment by the start of the numbers it
	// goes to ("+254"): the channel's state on the dashboard says what
	// each month's texts cost, by prefix.
	Costs map[string]Price
	// GiveUp is how long a text that keeps failing is retried before it
	// is given up and the staff told; a day when zero.
	GiveUp time.Duration
	// PublicURL is the address phones reach Huddle at
	// (https://huddle.example.org): a lesson's picture, sound or video is
	// linked under it, for members whose phone can open a link; named
	// alone when empty.
	PublicURL string
	// Open takes texts from numbers in no cohort, as the private chat of
	// a member who learns alone; by default they are dropped (STOP and
	// HELP still answered), so that a stranger's texts cost nothing.
	Open bool
	// Leases and Instance, with several instances sharing a database,
	// let one of them at a time send (the lease "sms-sender", lasting
	// LeaseTTL unrenewed, 15s when zero); every instance receives.
	Leases   bot.Leases
	Instance string
	LeaseTTL time.Duration
	Clock    bot.Waiter
	Logger   *slog.Logger
}

// HelpText is the answer to HELP when Config.Help is empty.
const HelpText = "Huddle: lessons and case discussions for your group. Answer a question with its number. Text STOP to stop, START to come back."

// SMS is the channel.
type SMS struct {
	cfg     Config
	log     *slog.Logger
	cohorts map[string]*Cohort
	// phones are the members' numbers: their cohort and name.
	phones map[string]member

	mu      sync.Mutex
	h       bot.Handler
	stopped map[string]bool
	state   bot.ChannelState
	seq     int64
	wake    chan struct{}
	sent    atomic.Int64
	failed  atomic.Int64
	// notDelivered counts the texts the gateway took and then reported
	// undelivered (a phone switched off, a number out of service).
	notDelivered atomic.Int64
	// tallies are this month's texts and segments by priced prefix, by
	// their notes' keys.
	tallies map[string]tally
}

type member struct {
	cohort *Cohort
	name   string
}

// New checks cfg and returns the channel, not yet running.
func New(cfg Config) (*SMS, error) {
	if cfg.Gateway == nil || cfg.Notebook == nil {
		return nil, errors.New("sms: a gateway and a notebook are needed")
	}
	if cfg.MaxSegments <= 0 {
		cfg.MaxSegments = 3
	}
	if cfg.Digest <= 0 {
		cfg.Digest = 10 * time.Minute
	}
	if cfg.Help == "" {
		cfg.Help = HelpText
	}
	if cfg.Gather <= 0 {
		cfg.Gather = 2 * time.Second
	}
	if cfg.GiveUp <= 0 {
		cfg.GiveUp = 24 * time.Hour
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &SMS{cfg: cfg, log: cfg.Logger.With("channel", Name, "gateway", cfg.Gateway.Name()),
		cohorts: map[string]*Cohort{}, phones: map[string]member{}, stopped: map[string]bool{}, tallies: map[string]tally{},
		wake: make(chan struct{}, 1), state: bot.ChannelState{Name: Name, OK: true, Detail: "not started"}}
	for i := range cfg.Cohorts {
		c := &cfg.Cohorts[i]
		switch {
		case c.ID == "" || strings.HasPrefix(c.ID, "+"):
			return nil, fmt.Errorf("sms: cohort %q: an id that does not start with +", c.ID)
		case s.cohorts[c.ID] != nil:
			return nil, fmt.Errorf("sms: cohort %q twice", c.ID)
		}
		s.cohorts[c.ID] = c
		for j, p := range c.Members {
			n, err := Number(p.Number)
			if err != nil {
				return nil, fmt.Errorf("sms: cohort %s: %w", c.ID, err)
			}
			if m, ok := s.phones[n]; ok {
				return nil, fmt.Errorf("sms: %s is in cohorts %s and %s: a number is in one at most", n, m.cohort.ID, c.ID)
			}
			c.Members[j].Number = n
			s.phones[n] = member{cohort: c, name: p.Name}
		}
	}
	return s, nil
}

// Number reads a phone number in E.164: "+" and 8 to 15 digits, spaces,
// dots and dashes left out.
func Number(s string) (string, error) {
	n := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, s)
	digits := strings.TrimPrefix(n, "+")
	ok := strings.HasPrefix(n, "+") && len(digits) >= 8 && len(digits) <= 15
	for _, r := range digits {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		return "", fmt.Errorf("phone number %q: want + and the country code, then the number (+254700000001)", s)
	}
	return n, nil
}

// Name is "sms".
func (s *SMS) Name() string { return Name }

// Run receives (through Routes) and sends until ctx ends: the texts
// waiting in the notebook go out at the gateway's pace, and the digests
// every Digest.
func (s *SMS) Run(ctx context.Context, h bot.Handler) error {
	s.mu.Lock()
	s.h = h
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.h = nil
		s.mu.Unlock()
	}()
	// Every instance knows who opted out (the sender reads it again
	// before each round).
	if err := s.loadStopped(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("read the members who opted out", "err", err)
	}
	if s.cfg.Leases == nil {
		return s.send(ctx)
	}
	ttl := s.cfg.LeaseTTL
	if ttl <= 0 {
		ttl = 15 * time.Second
	}
	hold := bot.LeaseHold{Leases: s.cfg.Leases, Name: "sms-sender", Holder: s.cfg.Instance, TTL: ttl,
		What: "the SMS sender", Clock: s.cfg.Clock, Logger: s.log}
	return hold.Run(ctx, s.send)
}

// handler is the running channel's handler, nil before Run.
func (s *SMS) handler() bot.Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h
}

// Routes are the gateway's webhook, checked by the gateway's own
// verification, and the lessons' files the texts link to: both public.
func (s *SMS) Routes() []bot.Route {
	return []bot.Route{{Pattern: s.cfg.Gateway.Pattern(), Handler: http.HandlerFunc(s.serveInbound), Public: true},
		{Pattern: "GET /sms/media/{id}", Handler: http.HandlerFunc(s.serveMedia), Public: true}}
}

// State says how sending goes, and what this month's texts cost.
func (s *SMS) State() bot.ChannelState {
	costs := s.costs()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state
	if n := s.notDelivered.Load(); n > 0 {
		st.Detail += fmt.Sprintf("; %d not delivered to the phone", n)
	}
	st.Detail += costs
	return st
}

func (s *SMS) setState(ok bool, detail string) {
	s.mu.Lock()
	s.state = bot.ChannelState{Name: Name, OK: ok, Detail: detail}
	s.mu.Unlock()
}

// nextSeq is a number larger than every earlier one of this process, and
// than the clock's nanoseconds: the order of the texts queued.
func (s *SMS) nextSeq() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq = max(s.seq+1, s.cfg.Clock.Now().UnixNano())
	return s.seq
}

// poke wakes the sender.
func (s *SMS) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// isStopped reports whether number opted out.
func (s *SMS) isStopped(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped[number]
}

// DirectChat is a member's private chat: their number. The bot may write
// first to any number (bot.WritingFirst).
func (s *SMS) DirectChat(member string) string {
	if n, err := Number(member); err == nil {
		return n
	}
	return ""
}

// TypesOptions reports that members answer options by typing their
// numbers (bot.Typed): a text has nothing to press.
func (s *SMS) TypesOptions() bool { return true }
