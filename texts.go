package huddle

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/catalog"
	"github.com/huddlebot/huddle/course"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/learning"
	"github.com/huddlebot/huddle/motivation"
	"github.com/huddlebot/huddle/privacy"
	"github.com/huddlebot/huddle/review"
	"github.com/huddlebot/huddle/router"
)

// builtinMessages are each part's built-in texts, by the folder name a
// program's own go in (Options.Messages).
func builtinMessages() map[string]fs.FS {
	return map[string]fs.FS{
		"router": router.Messages(), "privacy": privacy.Messages(), "learning": learning.Messages(),
		"flows": flows.Messages(), "cases": cases.Messages(), "review": review.Messages(),
		"course": course.Messages(), "motivation": motivation.Messages(),
	}
}

// loadTexts loads each part's catalog: its built-in files with the
// program's own (own, when not nil) laid over them. A folder of own that
// names no part is refused, so a misspelt one does not go unnoticed.
func loadTexts(own fs.FS) (map[string]*catalog.Catalog, error) {
	parts := builtinMessages()
	out := make(map[string]*catalog.Catalog, len(parts))
	for name, fsys := range parts {
		c, err := catalog.Load(fsys, "locales")
		if err != nil {
			return nil, fmt.Errorf("built-in texts of %s: %w", name, err)
		}
		if own != nil {
			if c, err = c.With(own, name); err != nil {
				return nil, fmt.Errorf("messages: %w", err)
			}
		}
		out[name] = c
	}
	if own == nil {
		return out, nil
	}
	entries, err := fs.ReadDir(own, ".")
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	for _, e := range entries {
		if _, ok := parts[e.Name()]; !ok {
			return nil, fmt.Errorf("messages: %s names no part of Huddle; the parts are %s", e.Name(),
				strings.Join(slices.Sorted(maps.Keys(parts)), ", "))
		}
	}
	return out, nil
}
