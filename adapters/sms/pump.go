package sms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/smstext"
)

// look is how often the sender looks at the notebook without a poke
// (another instance may have queued texts).
const look = time.Second

// recordWithin bounds the recording of what the gateway took, which goes
// on when the channel is stopping.
const recordWithin = 10 * time.Second

// send sends what waits in the notebook until ctx ends, at the gateway's
// pace, and gathers the digests every Digest.
func (s *SMS) send(ctx context.Context) error {
	s.setState(true, "sending through "+s.cfg.Gateway.Name())
	if err := s.loadTallies(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("read this month's SMS tallies", "err", err)
	}
	p := &pacer{perSecond: s.cfg.Gateway.Limits().PerSecond, clock: s.cfg.Clock}
	nextDigest := s.cfg.Clock.Now().Add(s.cfg.Digest)
	var pruned time.Time
	for {
		if now := s.cfg.Clock.Now(); now.Sub(pruned) >= time.Hour {
			for prefix, keep := range map[string]time.Duration{keyInbound: keepInbound, keyQueued: keepInbound, keyMedia: keepMedia} {
				if err := s.prune(ctx, prefix, now.Add(-keep)); err != nil && ctx.Err() == nil {
					s.log.Warn("forget old notes", "notes", prefix, "err", err)
				}
			}
			pruned = now
		}
		if err := s.loadStopped(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("read the members who opted out", "err", err)
		}
		if now := s.cfg.Clock.Now(); !now.Before(nextDigest) {
			if err := s.digests(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("gather the digests", "err", err)
			}
			nextDigest = now.Add(s.cfg.Digest)
		}
		wait, err := s.drain(ctx, p)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("send texts", "err", err)
			s.setState(false, err.Error())
		}
		if ctx.Err() != nil {
			return nil
		}
		if wait <= 0 {
			wait = look
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
			if err := s.cfg.Clock.Sleep(ctx, s.cfg.Gather); err != nil {
				return nil
			}
		case <-time.After(min(wait, max(nextDigest.Sub(s.cfg.Clock.Now()), 0))):
		}
	}
}

// keepInbound is how long the channel remembers who sent a text (to send
// the bot's answer to them alone), and which messages it queued (to queue
// none twice): answers come within seconds, or minutes after an outage,
// and the outbox asks again at once after a restart.
const keepInbound = 48 * time.Hour

// prune forgets the notes of prefix noted before before.
func (s *SMS) prune(ctx context.Context, prefix string, before time.Time) error {
	for {
		notes, err := s.cfg.Notebook.Notes(ctx, Name, prefix, 500)
		if err != nil {
			return err
		}
		var drop []string
		for _, n := range notes {
			if !n.At.Before(before) {
				break
			}
			drop = append(drop, n.Key)
		}
		if len(drop) == 0 {
			return nil
		}
		if err := s.cfg.Notebook.WriteNotes(ctx, Name, nil, drop); err != nil {
			return err
		}
	}
}

// loadStopped reads the members who opted out (another instance may have
// heard a STOP).
func (s *SMS) loadStopped(ctx context.Context) error {
	notes, err := s.cfg.Notebook.Notes(ctx, Name, keyStopped, 0)
	if err != nil {
		return err
	}
	stopped := map[string]bool{}
	for _, n := range notes {
		stopped[strings.TrimPrefix(n.Key, keyStopped)] = true
	}
	s.mu.Lock()
	s.stopped = stopped
	s.mu.Unlock()
	return nil
}

// drain sends the texts waiting, oldest first: those queued together for
// one number joined in one SMS where they fit, and the same words to
// several numbers in one request where the gateway takes several. It
// returns how long to wait before the next look when the gateway asked
// to.
func (s *SMS) drain(ctx context.Context, p *pacer) (time.Duration, error) {
	limits := s.cfg.Gateway.Limits()
	for {
		notes, err := s.cfg.Notebook.Notes(ctx, Name, keyQueue, 500)
		if err != nil || len(notes) == 0 {
			return 0, err
		}
		done := 0
		for es := s.entries(notes); len(es) > 0; {
			n := 1
			for n < len(es) && n < max(limits.Batch, 1) && es[n].q.Text == es[0].q.Text {
				n++
			}
			batch := es[:n]
			es = es[n:]
			var send, drop, keys []string
			for _, e := range batch {
				switch age := s.cfg.Clock.Now().Sub(e.at); {
				case e.q.To == "" || (!e.q.Any && s.isStopped(e.q.To)):
					drop = append(drop, e.keys...)
				case age > s.cfg.GiveUp:
					drop = append(drop, e.keys...)
					s.gaveUp(ctx, e.q, fmt.Sprintf("not sent in %s", age.Round(time.Minute)))
				default:
					send = append(send, e.q.To)
					keys = append(keys, e.keys...)
				}
			}
			if len(send) > 0 {
				text := batch[0].q.Text
				if err := p.wait(ctx, smstext.Measure(text).Segments*len(send)); err != nil {
					return 0, nil
				}
				sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
				results, err := s.cfg.Gateway.Send(ctx, hex.EncodeToString(sum[:12]), text, send)
				var retry *bot.RetryError
				if errors.As(err, &retry) {
					s.setState(true, "the gateway asked to wait "+retry.After.String())
					return retry.After, s.record(ctx, nil, drop)
				}
				if err != nil {
					_ = s.record(ctx, nil, drop)
					return 5 * time.Second, fmt.Errorf("%s: %w", s.cfg.Gateway.Name(), err)
				}
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordWithin)
				done, tallies := s.settle(rctx, batch, results)
				cancel()
				drop = append(drop, done...)
				if err := s.record(ctx, tallies, nil); err != nil {
					s.log.Warn("keep the month's SMS tallies", "err", err)
				}
				s.setState(true, fmt.Sprintf("sending through %s: %d texts sent, %d failed", s.cfg.Gateway.Name(), s.sent.Load(), s.failed.Load()))
			}
			if err := s.record(ctx, nil, drop); err != nil {
				return 0, err
			}
			done += len(drop)
		}
		if done == 0 {
			return 5 * time.Second, nil // what is left waits for the gateway to say more
		}
	}
}

// record writes what became of texts the gateway was given, even when
// ctx is ending (the channel stopping): left unrecorded, they would go
// again at the next start.
func (s *SMS) record(ctx context.Context, put []bot.Note, drop []string) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordWithin)
	defer cancel()
	return s.cfg.Notebook.WriteNotes(rctx, Name, put, drop)
}

// entry is one SMS to one number: one queued text, or several queued
// together for it, joined.
type entry struct {
	q    queued
	keys []string
	at   time.Time
}

// entries reads the queued notes as SMS: a number's texts queued one
// after another (a lesson's title, its words and its question) joined,
// a blank line between, while they fit in MaxSegments; the answer to a
// keyword, and each part of a long text, alone. They keep the order of their first text.
func (s *SMS) entries(notes []bot.Note) []*entry {
	var out []*entry
	open := map[string]*entry{}
	for _, n := range notes {
		var q queued
		if err := json.Unmarshal(n.Data, &q); err != nil {
			s.log.Warn("a queued text cannot be read; dropped", "err", err)
		}
		if e := open[q.To]; e != nil && !q.Any && !e.q.Any && !q.Part && !e.q.Part && q.To != "" &&
			smstext.Measure(e.q.Text+"\n\n"+q.Text).Segments <= s.cfg.MaxSegments {
			e.q.Text += "\n\n" + q.Text
			e.keys = append(e.keys, n.Key)
			continue
		}
		e := &entry{q: q, keys: []string{n.Key}, at: n.At}
		open[q.To] = e
		out = append(out, e)
	}
	return out
}

// settle reads the gateway's results: the keys of the notes done with
// (sent, refused for good, or to a member who opted out at the gateway),
// and the month's tallies the texts sent change. A text the gateway did
// not take for a reason that may pass stays.
func (s *SMS) settle(ctx context.Context, batch []*entry, results []Result) ([]string, []bot.Note) {
	var done []string
	tallies := map[string]bot.Note{}
	for _, e := range batch {
		j := slices.IndexFunc(results, func(r Result) bool { return r.To == e.q.To })
		if j < 0 {
			continue // not sent (a stopped member), or not said: dropped above, or tried again
		}
		r := results[j]
		switch {
		case r.Err == nil:
			s.sent.Add(1)
			n := s.count(r.To, smstext.Measure(e.q.Text).Segments, r.Cost)
			tallies[n.Key] = n
		case r.Stopped:
			s.mu.Lock()
			s.stopped[r.To] = true
			s.mu.Unlock()
			_ = s.cfg.Notebook.WriteNotes(ctx, Name, []bot.Note{s.note(keyStopped+r.To, "", map[string]string{"at": s.cfg.Gateway.Name()}, e.at)}, nil)
		default:
			s.gaveUp(ctx, e.q, r.Err.Error())
		}
		done = append(done, e.keys...)
	}
	return done, slices.Collect(maps.Values(tallies))
}

// gaveUp counts a text given up and tells the staff.
func (s *SMS) gaveUp(ctx context.Context, q queued, why string) {
	s.failed.Add(1)
	s.log.Warn("an SMS given up", "why", why)
	if h := s.handler(); h != nil {
		// The event's id names the text, not the number, which must not
		// outlive the member's erasure in the events seen.
		sum := sha256.Sum256([]byte(q.To))
		_ = h.HandleEvent(ctx, bot.Event{ID: bot.EventID(Name, "", "", "gave-up:"+q.Msg+":"+hex.EncodeToString(sum[:6])), Kind: bot.ChannelNotice, Channel: Name,
			Text: fmt.Sprintf("An SMS to %s was given up: %s.", s.whose(q.To), why), Time: s.cfg.Clock.Now()})
	}
}

// mask shows a number's country code and last digits alone.
func mask(number string) string {
	if len(number) < 8 {
		return "a member"
	}
	return number[:4] + strings.Repeat("•", len(number)-7) + number[len(number)-3:]
}

// pacer keeps the channel within the gateway's segments a second. Not
// x/time/rate's Limiter: a request of many numbers may cost more than a
// second's worth (100 numbers, 3 segments each), which a Limiter refuses
// outright; here it goes, and the next waits for the debt.
type pacer struct {
	perSecond float64
	clock     bot.Waiter
	free      time.Time
}

// wait waits until n more segments may go.
func (p *pacer) wait(ctx context.Context, n int) error {
	if p.perSecond <= 0 {
		return ctx.Err()
	}
	now := p.clock.Now()
	if p.free.Before(now) {
		p.free = now
	}
	at := p.free
	p.free = p.free.Add(time.Duration(float64(n) / p.perSecond * float64(time.Second)))
	return p.clock.Sleep(ctx, at.Sub(now))
}

// digests gathers, for each member with texts of others waiting, one SMS
// of them (as many as fit; the rest wait for the next), and queues it.
func (s *SMS) digests(ctx context.Context) error {
	notes, err := s.cfg.Notebook.Notes(ctx, Name, keyDigest, 0)
	if err != nil {
		return err
	}
	byMember := map[string][]bot.Note{}
	var order []string
	for _, n := range notes {
		number, _, _ := strings.Cut(strings.TrimPrefix(n.Key, keyDigest), "/")
		if byMember[number] == nil {
			order = append(order, number)
		}
		byMember[number] = append(byMember[number], n)
	}
	now := s.cfg.Clock.Now()
	for _, number := range order {
		var drop []string
		if s.isStopped(number) {
			for _, n := range byMember[number] {
				drop = append(drop, n.Key)
			}
			if err := s.cfg.Notebook.WriteNotes(ctx, Name, nil, drop); err != nil {
				return err
			}
			continue
		}
		text, used := s.digest(byMember[number])
		for _, n := range byMember[number][:used] {
			drop = append(drop, n.Key)
		}
		put := []bot.Note{s.note(keyQueue+fmt.Sprintf("%020d", s.nextSeq())+"/0/"+number, number, queued{To: number, Text: text, Msg: "digest"}, now)}
		if err := s.cfg.Notebook.WriteNotes(ctx, Name, put, drop); err != nil {
			return err
		}
	}
	if len(order) > 0 {
		s.poke()
	}
	return nil
}

// digest is one SMS of the texts waiting for a member, as many as fit in
// MaxSegments (a long one shortened), and how many it holds.
func (s *SMS) digest(notes []bot.Note) (string, int) {
	var b strings.Builder
	used := 0
	for _, n := range notes {
		var r relayed
		_ = json.Unmarshal(n.Data, &r)
		if used == 0 {
			title := r.Cohort
			if c := s.cohorts[r.Cohort]; c != nil && c.Title != "" {
				title = c.Title
			}
			fmt.Fprintf(&b, "%s:", title)
		}
		line := "\n" + r.Name + ": " + r.Text
		if smstext.Measure(b.String()+line).Segments > s.cfg.MaxSegments {
			if used > 0 {
				break
			}
			line = shorten(b.String(), line, s.cfg.MaxSegments)
		}
		b.WriteString(line)
		used++
	}
	return b.String(), used
}

// shorten cuts line so that head+line fits in max segments, ending "…".
func shorten(head, line string, max int) string {
	r := []rune(line)
	for len(r) > 0 && smstext.Measure(head+string(r)+"…").Segments > max {
		r = r[:len(r)-max1(len(r)/20)]
	}
	return string(r) + "…"
}
