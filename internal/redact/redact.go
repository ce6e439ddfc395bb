// Package redact keeps phone numbers, platform ids and the operator's
// secrets out of logs, stored errors and pages.
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
	"net/url"
	"regexp"
	"strings"
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

// SecretMask replaces a configured secret.
const SecretMask = "[secret]"

// minSecret is the shortest value taken as a secret: a shorter one would
// mask ordinary words (every secret Huddle takes is longer).
const minSecret = 6

// Secrets is the one redaction step every error passes before it is
// logged, stored or shown: it knows every secret the operator configured
// (bot tokens, the webhook secret, the dashboard token, database and
// export passwords) and masks each wherever it stands, also URL-escaped.
// The zero value and nil mask nothing. It is not changed after it is
// made, so it is safe to share.
type Secrets struct {
	r *strings.Replacer
}

// NewSecrets returns the step that masks each of secrets (empty and
// short values are passed over).
func NewSecrets(secrets ...string) *Secrets {
	var pairs []string
	seen := make(map[string]bool)
	add := func(s string) {
		if len(s) < minSecret || seen[s] {
			return
		}
		seen[s] = true
		pairs = append(pairs, s, SecretMask)
	}
	for _, s := range secrets {
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
	}
	if len(pairs) == 0 {
		return &Secrets{}
	}
	return &Secrets{r: strings.NewReplacer(pairs...)}
}

// String returns s with every secret masked.
func (x *Secrets) String(s string) string {
	if x == nil || x.r == nil {
		return s
	}
	return x.r.Replace(s)
}

// Error returns err's text with every secret masked; "" for nil.
func (x *Secrets) Error(err error) string {
	if err == nil {
		return ""
	}
	return x.String(err.Error())
}

// PasswordOf returns the password of a URL such as a PostgreSQL
// connection string, or "" when it has none.
func PasswordOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// Handler passes records to another handler with the configured secrets
// masked at every level, and numbers masked in the message and in text,
// error and Stringer values at info level and above. Numbers typed as
// integers are left alone: Huddle logs its own ids (of members, outbox
// rows) that way.
type Handler struct {
	raw     slog.Handler // for debug records, numbers as logged
	safe    slog.Handler // for the others, with what WithAttrs added masked
	secrets *Secrets
}

// NewHandler wraps next; secrets may be nil.
func NewHandler(next slog.Handler, secrets *Secrets) *Handler {
	return &Handler{raw: next, safe: next, secrets: secrets}
}

// Enabled reports whether next handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.raw.Enabled(ctx, level)
}

// Handle masks r, unless it is a debug record, and passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	mask := h.masker(r.Level)
	out := slog.NewRecord(r.Time, r.Level, mask(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a, mask))
		return true
	})
	if r.Level < slog.LevelInfo {
		return h.raw.Handle(ctx, out)
	}
	return h.safe.Handle(ctx, out)
}

// masker returns what masks a text of a record at level: the secrets
// always, numbers from info level up.
func (h *Handler) masker(level slog.Level) func(string) string {
	if level < slog.LevelInfo {
		return h.secrets.String
	}
	return func(s string) string { return Numbers(h.secrets.String(s)) }
}

// WithAttrs returns a Handler whose records carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	raw := make([]slog.Attr, len(attrs))
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		raw[i] = attr(a, h.masker(slog.LevelDebug))
		masked[i] = attr(a, h.masker(slog.LevelInfo))
	}
	return &Handler{raw: h.raw.WithAttrs(raw), safe: h.safe.WithAttrs(masked), secrets: h.secrets}
}

// WithGroup returns a Handler that puts later attributes in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{raw: h.raw.WithGroup(name), safe: h.safe.WithGroup(name), secrets: h.secrets}
}

// attr returns a with its value's text passed through mask; a value that
// mask leaves as it was is returned as it was, so a JSON handler still
// writes it in its own form.
func attr(a slog.Attr, mask func(string) string) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, mask(v.String()))
	case slog.KindGroup:
		group := v.Group()
		masked := make([]any, len(group))
		for i, g := range group {
			masked[i] = attr(g, mask)
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
		if m := mask(s); m != s {
			return slog.String(a.Key, m)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
