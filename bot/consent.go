package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// ConsentStatus is where a person stands with the privacy notice.
type ConsentStatus string

// Consent statuses.
const (
	// ConsentAsked: shown the notice, not answered yet.
	ConsentAsked ConsentStatus = "asked"
	// ConsentAccepted: accepted the notice's Version.
	ConsentAccepted ConsentStatus = "accepted"
	// ConsentDeclined: declined it; Huddle records nothing about them.
	ConsentDeclined ConsentStatus = "declined"
)

// Consent is a person's answer to the privacy notice. Stores keep it apart
// from members, under a keyed hash of the platform id, so that someone who
// declines leaves nothing else behind.
type Consent struct {
	Status ConsentStatus
	// Version is the notice's version that was shown or answered.
	Version    int
	AskedAt    time.Time
	AnsweredAt time.Time
	// LastEvent fingerprints the last event handled for them before they
	// accepted (EventPrint), so a redelivered one is not answered twice.
	LastEvent string
}

// Accepted reports whether c accepts version of the notice (or a later one).
func (c Consent) Accepted(version int) bool {
	return c.Status == ConsentAccepted && c.Version >= version
}

// ConsentNotice is the privacy notice members accept before Huddle
// records anything about them.
type ConsentNotice struct {
	// Version numbers the notice; raising it asks everyone again.
	Version int
	// Text holds the program's notice by language code; the built-in
	// notice stands in for a language without one.
	Text map[string]string
}

// EventPrint is a short fingerprint of an event id: enough to recognise a
// redelivery, and without the sender's platform id.
func EventPrint(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:12])
}
