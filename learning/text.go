package learning

import (
	"embed"

	"github.com/huddlebot/huddle/internal/catalog"
)

// localeFiles are the lessons' commands' interface text, one go-i18n file per
// language.
//
//go:embed locales/*.json
var localeFiles embed.FS

// texts is the lessons' commands' interface text; English is the fallback.
var texts = catalog.MustLoad(localeFiles, "locales")

// tr returns the text for key in lang, falling back to English, formatted
// with args.
func tr(lang, key string, args ...any) string { return texts.Text(lang, key, args...) }
