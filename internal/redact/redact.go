// Package redact keeps phone numbers and other platform ids out of logs.
//
// Huddle's own log lines name members by their number in the database,
// never by platform id, but errors can carry one: a WhatsApp send error
// names the JID it failed for ("send to 254722123456@s.whatsapp.net: …"),
// whatsmeow's warnings name the JIDs they had trouble with. Handler masks
// them in every record at info level and above, whatever package logged
// it; debug records keep them, for troubleshooting.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
)

// Mask replaces what Numbers removes.
const Mask = "[number]"

// numberRe matches what could be a phone number or a platform id: seven
// digits or more in a row, with an optional "+" (the user part of a JID,
// "254722123456@s.whatsapp.net" or "…:12@…", a LID, a Telegram user id,
// a bare international number).
var numberRe = regexp.MustCompile(`\+?\d{7,}`)

// Numbers returns s with every run of seven digits or more masked.
func Numbers(s string) string { return numberRe.ReplaceAllString(s, Mask) }

// Handler passes records to another handler with numbers masked in the
// message and in text, error and Stringer values, at info level and above.
// Numbers typed as integers are left alone: Huddle logs its own ids (of
// members, outbox rows) that way.
type Handler struct {
	raw  slog.Handler // for debug records, as logged
	safe slog.Handler // for the others, with what WithAttrs added masked
}

// NewHandler wraps next.
func NewHandler(next slog.Handler) *Handler { return &Handler{raw: next, safe: next} }

// Enabled reports whether next handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.raw.Enabled(ctx, level)
}

// Handle masks r, unless it is a debug record, and passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelInfo {
		return h.raw.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, Numbers(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a))
		return true
	})
	return h.safe.Handle(ctx, out)
}

// WithAttrs returns a Handler whose records carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = attr(a)
	}
	return &Handler{raw: h.raw.WithAttrs(attrs), safe: h.safe.WithAttrs(masked)}
}

// WithGroup returns a Handler that puts later attributes in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{raw: h.raw.WithGroup(name), safe: h.safe.WithGroup(name)}
}

// attr returns a with numbers masked in its value; a value with none is
// returned as it was, so a JSON handler still writes it in its own form.
func attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Numbers(v.String()))
	case slog.KindGroup:
		group := v.Group()
		masked := make([]any, len(group))
		for i, g := range group {
			masked[i] = attr(g)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		default:
			s = fmt.Sprint(x)
		}
		if numberRe.MatchString(s) {
			return slog.String(a.Key, Numbers(s))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
