package bot

import (
	"fmt"
	"strings"
)

// StaffRef names one program staff member (or mentor) on one channel, as
// written in the config: "telegram:123456789", "whatsapp:254700000000",
// "sim:nurse-1".
type StaffRef struct {
	Channel string
	// ID is the member's platform id, or on WhatsApp the phone number in
	// international form without "+".
	ID string
}

// ParseStaffRef reads "channel:id".
func ParseStaffRef(s string) (StaffRef, error) {
	ch, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	id = strings.TrimPrefix(strings.TrimSpace(id), "+")
	if !ok || ch == "" || id == "" {
		return StaffRef{}, fmt.Errorf("staff %q: want channel:id, such as telegram:123456789", s)
	}
	return StaffRef{Channel: ch, ID: id}, nil
}

// String returns the "channel:id" form.
func (r StaffRef) String() string { return r.Channel + ":" + r.ID }

// Matches reports whether m is the person r names: by platform id or
// alias, whole or by the user part before "@" (so "whatsapp:2547..."
// matches "2547...@s.whatsapp.net").
func (r StaffRef) Matches(m Member) bool {
	if m.Channel != r.Channel {
		return false
	}
	for _, id := range []string{m.PlatformID, m.Alias} {
		if id == "" {
			continue
		}
		// A phone number matches with its "+" or without (ParseStaffRef
		// takes it off: "sms:+254…" names the SMS member "+254…").
		user, _, _ := strings.Cut(strings.TrimPrefix(id, "+"), "@")
		if id == r.ID || user == r.ID {
			return true
		}
	}
	return false
}

// DirectChat is the chat id to message r privately in: on every channel
// Huddle speaks, a private chat's id is the member's id (adapters take a
// bare phone number on WhatsApp and SMS).
func (r StaffRef) DirectChat() string { return r.ID }
