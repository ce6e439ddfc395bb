package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// keyUndelivered is undeliv/NUMBER/: when the staff last heard that a
// text to NUMBER did not reach the phone.
const keyUndelivered = "undeliv/"

// undeliveredEvery is how often the staff hear that one member's texts
// do not arrive: once a day, however many texts a lesson day sends (a
// phone switched off for a week would otherwise bring a notice a text).
const undeliveredEvery = 24 * time.Hour

// undelivered takes the gateway's report that a text did not reach a
// member's phone (a phone switched off for days, a number no longer in
// service): it is counted on the dashboard, and the staff hear of
// it, once a day a number, by its masked number and cohort (a name in
// the staff's messages would outlive the member's erasure there).
func (s *SMS) undelivered(ctx context.Context, h bot.Handler, in Inbound) error {
	to, err := Number(in.To)
	if err != nil || in.ID == "" {
		s.log.Warn("a delivery report without a number or an id dropped", "err", err)
		return nil
	}
	// Counted once handled: what the staff hear is said by then.
	defer s.notDelivered.Add(1)
	s.log.Warn("an SMS did not reach the phone", "why", in.Undelivered)
	key := keyUndelivered + to + "/"
	last, err := s.cfg.Notebook.Notes(ctx, Name, key, 1)
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	if len(last) == 1 && now.Sub(last[0].At) < undeliveredEvery {
		return nil
	}
	// Told, then noted: a report whose telling failed comes again (the
	// webhook answers 500), and one told but not noted is told once (the
	// event's id is the text's).
	err = h.HandleEvent(ctx, bot.Event{ID: bot.EventID(Name, "", "", "undelivered:"+in.ID), Kind: bot.ChannelNotice, Channel: Name,
		Text: fmt.Sprintf("An SMS to %s did not reach the phone: %s. Those that follow may not either: a call may help.", s.whose(to), in.Undelivered),
		Time: now})
	if err != nil {
		return err
	}
	return s.cfg.Notebook.WriteNotes(ctx, Name, []bot.Note{s.note(key, to, map[string]string{"id": in.ID}, now)}, nil)
}

// whose names number for the staff: masked, with its cohort's title when
// it is in one (a name in the staff's messages would outlive the member's
// erasure there).
func (s *SMS) whose(number string) string {
	if m, ok := s.phones[number]; ok && m.cohort != nil {
		return mask(number) + " (" + m.cohort.Title + ")"
	}
	return mask(number)
}
