package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Price is what one segment costs to the numbers that start with a
// prefix, as the programme's gateway bills it.
type Price struct {
	Currency string
	Amount   float64
}

// ParsePrice reads a price as "KES 0.80" (a currency code, then the
// amount).
func ParsePrice(s string) (Price, error) {
	cur, amount, ok := strings.Cut(strings.TrimSpace(s), " ")
	v, err := strconv.ParseFloat(strings.TrimSpace(amount), 64)
	if !ok || err != nil || v < 0 || len(cur) != 3 || strings.ToUpper(cur) != cur {
		return Price{}, fmt.Errorf("price %q: want a currency code and an amount, such as \"KES 0.80\"", s)
	}
	return Price{Currency: cur, Amount: v}, nil
}

// keyCost is the notes' key of a month's segments to a prefix:
// cost/2026-12/+254.
const keyCost = "cost/"

// tally is a month's texts and segments to the numbers of one prefix.
type tally struct {
	Texts    int `json:"texts"`
	Segments int `json:"segments"`
	// Billed is what the gateway said the texts cost, by currency, where
	// it says (Africa's Talking does, for each number).
	Billed map[string]float64 `json:"billed,omitempty"`
}

// prefixOf is the longest priced prefix number starts with, "" for none.
func (s *SMS) prefixOf(number string) string {
	best := ""
	for p := range s.cfg.Costs {
		if strings.HasPrefix(number, p) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// month names the month of t, as the tallies are kept.
func month(t time.Time) string { return t.UTC().Format("2006-01") }

// count adds a text of segs segments sent to number, which the gateway
// said cost billed ("" when it did not say), to this month's tally of its
// prefix, and returns the note that keeps it.
func (s *SMS) count(number string, segs int, billed string) bot.Note {
	now := s.cfg.Clock.Now()
	key := keyCost + month(now) + "/" + s.prefixOf(number)
	s.mu.Lock()
	t := s.tallies[key]
	t.Texts++
	t.Segments += segs
	if p, err := ParsePrice(billed); err == nil {
		t.Billed = maps.Clone(t.Billed)
		if t.Billed == nil {
			t.Billed = map[string]float64{}
		}
		t.Billed[p.Currency] += p.Amount
	}
	s.tallies[key] = t
	s.mu.Unlock()
	return s.note(key, "", t, now)
}

// loadTallies reads this month's tallies (the sender counts on from
// them).
func (s *SMS) loadTallies(ctx context.Context) error {
	notes, err := s.cfg.Notebook.Notes(ctx, Name, keyCost+month(s.cfg.Clock.Now())+"/", 0)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range notes {
		var t tally
		if json.Unmarshal(n.Data, &t) == nil {
			s.tallies[n.Key] = t
		}
	}
	return nil
}

// costs says what this month's texts cost, by prefix: segments, and the
// estimate where a price is set ("this month: 530 segments to +254 ≈ KES
// 424.00; 3 to other numbers, no price set").
func (s *SMS) costs() string {
	now := s.cfg.Clock.Now()
	head := keyCost + month(now) + "/"
	s.mu.Lock()
	var keys []string
	for k := range s.tallies {
		if strings.HasPrefix(k, head) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		t, prefix := s.tallies[k], strings.TrimPrefix(k, head)
		part := fmt.Sprintf("%d segments to other numbers, no price set", t.Segments)
		if p, ok := s.cfg.Costs[prefix]; ok && prefix != "" {
			part = fmt.Sprintf("%d segments to %s ≈ %s %.2f (%s %.2f a segment)", t.Segments, prefix, p.Currency,
				p.Amount*float64(t.Segments), p.Currency, p.Amount)
		}
		for _, cur := range slices.Sorted(maps.Keys(t.Billed)) {
			part += fmt.Sprintf(", billed %s %.2f", cur, t.Billed[cur])
		}
		parts = append(parts, part)
	}
	s.mu.Unlock()
	if len(parts) == 0 {
		return ""
	}
	return " · " + now.UTC().Format("January 2006") + ": " + strings.Join(parts, "; ")
}
