package bot

import (
	"context"
	"time"
)

// Notebook keeps a channel's own records in the App's store, so that they
// survive a restart and every instance sees them: WhatsApp's messages
// whose files are still to fetch, the SMS channel's texts waiting to go
// out and the digests it relays. A note names the member it is about
// (their platform id), so that erasing the member erases it.
type Notebook interface {
	// WriteNotes keeps put, replacing the channel's notes of the same
	// keys, and deletes the notes whose keys are in drop, together.
	WriteNotes(ctx context.Context, channel string, put []Note, drop []string) error
	// Notes lists up to limit of the channel's notes whose keys start with
	// prefix (all of them when limit is 0), oldest first: by At, then by
	// key.
	Notes(ctx context.Context, channel, prefix string, limit int) ([]Note, error)
}

// Note is one record of a channel's in a Notebook.
type Note struct {
	// Key is the channel's name for it, unique in the channel.
	Key string
	// Member is the platform id of the member it is about, "" for none.
	Member string
	// Data is the channel's own encoding of it; text (JSON, say), as the
	// store keeps it.
	Data []byte
	At   time.Time
}
