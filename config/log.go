package config

import (
	"io"
	"log/slog"

	"github.com/huddlebot/huddle/internal/redact"
)

// Logger returns the logger c asks for, writing to w, with secrets masked
// at every level and phone numbers and platform ids at info level and
// above.
func (cfg LogConfig) Logger(secrets *redact.Secrets, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(redact.NewHandler(h, secrets))
}
