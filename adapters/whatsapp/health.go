package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Health is the channel's state as the running adapter knows it: for
// `huddle whatsapp status` (which reads it from a file beside the session
// while huddle runs) and the dashboard.
type Health struct {
	Connected bool `json:"connected"`
	// Down says why sending stopped for good (logged out, replaced); empty
	// while it may go on.
	Down string `json:"down,omitempty"`
	// Outage says why sending is paused until the next connection (a ban,
	// a refused connection).
	Outage string `json:"outage,omitempty"`
	// BannedUntil is when a temporary ban ends; zero when none.
	BannedUntil time.Time `json:"banned_until,omitzero"`
	// Undecryptable counts the messages whatsmeow could not decrypt since
	// huddle started.
	Undecryptable int `json:"undecryptable"`
	// Removed lists the groups that removed the bot.
	Removed []string `json:"removed,omitempty"`
	// Groups names the groups the bot has heard from since it started.
	Groups []string `json:"groups,omitempty"`
	// At is when this was true.
	At time.Time `json:"at"`
}

// Health returns the channel's state now.
func (w *WhatsApp) Health() Health {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.healthLocked()
}

func (w *WhatsApp) healthLocked() Health {
	h := Health{Connected: w.connected, Down: w.down, Outage: w.outage, Undecryptable: w.undecryptable, At: w.cfg.Clock.Now()}
	if w.pauseTill.After(h.At) {
		h.BannedUntil = w.pauseTill
	}
	for jid := range w.removed {
		h.Removed = append(h.Removed, jid.String())
	}
	slices.Sort(h.Removed)
	for _, g := range w.groups {
		if g.name != "" {
			h.Groups = append(h.Groups, g.name)
		}
	}
	slices.Sort(h.Groups)
	return h
}

// HealthFile is where the running adapter keeps its Health, beside the
// session file; "" for a session kept in a database, whose instances
// show their state on the dashboard alone.
func HealthFile(sessionDB string) string {
	if InDatabase(sessionDB) {
		return ""
	}
	return sessionDB + ".health.json"
}

// saveHealth writes the channel's state to HealthFile, replacing it whole;
// a failure is logged, never fatal.
func (w *WhatsApp) saveHealth() {
	w.healthMu.Lock()
	defer w.healthMu.Unlock()
	if HealthFile(w.cfg.SessionDB) == "" || w.life.Err() != nil {
		return // closed: the file is left as it was
	}
	data, err := json.Marshal(w.Health())
	if err == nil {
		path := HealthFile(w.cfg.SessionDB)
		tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
		if err = os.WriteFile(tmp, data, 0o600); err == nil {
			err = os.Rename(tmp, path)
		}
	}
	if err != nil {
		w.log.Warn("save the channel's state for huddle whatsapp status", "err", err)
	}
}

// ReadHealth reads the state a running huddle left beside the session;
// ok is false when there is none.
func ReadHealth(sessionDB string) (Health, bool, error) {
	if HealthFile(sessionDB) == "" {
		return Health{}, false, nil
	}
	data, err := os.ReadFile(HealthFile(sessionDB))
	if errors.Is(err, fs.ErrNotExist) {
		return Health{}, false, nil
	}
	if err != nil {
		return Health{}, false, fmt.Errorf("read %s: %w", HealthFile(sessionDB), err)
	}
	var h Health
	if err := json.Unmarshal(data, &h); err != nil {
		return Health{}, false, fmt.Errorf("read %s: %w", HealthFile(sessionDB), err)
	}
	return h, true, nil
}

// State is Health as the dashboard shows it. It implements bot.Reporting.
func (w *WhatsApp) State() bot.ChannelState {
	h := w.Health()
	st := bot.ChannelState{Name: Name, OK: h.Connected && h.Down == "" && h.Outage == "", Detail: "connected"}
	switch {
	case h.Down != "":
		st.Detail = "stopped: " + h.Down
	case h.Outage != "":
		st.Detail = "paused: " + h.Outage
	case !h.Connected:
		st.Detail = "disconnected, reconnecting"
	}
	if !h.BannedUntil.IsZero() {
		st.Detail += ", until " + h.BannedUntil.Format(time.DateTime)
	}
	st.Detail += fmt.Sprintf("; %d messages could not be decrypted", h.Undecryptable)
	if len(h.Removed) > 0 {
		st.Detail += fmt.Sprintf("; removed from %d groups", len(h.Removed))
	}
	return st
}
