package xapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// LRS posts statements to a learning record store.
type LRS struct {
	// Endpoint is the store's xAPI base URL, such as
	// https://lrs.example.org/data/xAPI.
	Endpoint           string
	Username, Password string
	// Client defaults to one with a 30 s timeout.
	Client *http.Client
	// Batch is how many statements go in one request; 100 by default.
	Batch int
	// Tries is how many times a batch is tried before giving up; 5 by
	// default, waiting 1 s, 2 s, 4 s … between them.
	Tries int
	// Wait waits between tries; tests make it instant.
	Wait func(ctx context.Context, d time.Duration) error
}

// SentLog remembers which statements a store has accepted: a file of
// statement ids, one a line, appended to and flushed after each batch, so
// that an export resumed after a failure or run again sends nothing twice.
type SentLog struct {
	path string
	ids  map[string]bool
}

// OpenSentLog reads the log at path, which need not exist yet.
func OpenSentLog(path string) (*SentLog, error) {
	l := &SentLog{path: path, ids: map[string]bool{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("xapi sent log: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			l.ids[id] = true
		}
	}
	return l, sc.Err()
}

// Sent reports whether the statement with id was accepted already.
func (l *SentLog) Sent(id string) bool { return l.ids[id] }

// Len is how many statements the log holds.
func (l *SentLog) Len() int { return len(l.ids) }

// add records accepted ids durably.
func (l *SentLog) add(ids []string) error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("xapi sent log: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, id := range ids {
		w.WriteString(id + "\n")
		l.ids[id] = true
	}
	if err := errors.Join(w.Flush(), f.Sync()); err != nil {
		f.Close()
		return fmt.Errorf("xapi sent log: %w", err)
	}
	return f.Close()
}

// Send posts the statements not yet in the log, in batches, retrying each
// batch with back-off, and records each accepted batch. It returns how
// many it sent.
func (r *LRS) Send(ctx context.Context, log *SentLog, statements []Statement, progress func(sent, total int)) (int, error) {
	batch, tries := r.Batch, r.Tries
	if batch <= 0 {
		batch = 100
	}
	if tries <= 0 {
		tries = 5
	}
	var todo []Statement
	for _, s := range statements {
		if !log.Sent(s.ID) {
			todo = append(todo, s)
		}
	}
	sent := 0
	for start := 0; start < len(todo); start += batch {
		part := todo[start:min(start+batch, len(todo))]
		var err error
		for try, wait := 1, time.Second; try <= tries; try, wait = try+1, wait*2 {
			if err = r.post(ctx, part); err == nil {
				break
			}
			if try < tries {
				if werr := r.wait(ctx, wait); werr != nil {
					return sent, werr
				}
			}
		}
		if err != nil {
			return sent, fmt.Errorf("post statements %d–%d of %d: %w", start+1, start+len(part), len(todo), err)
		}
		ids := make([]string, len(part))
		for i, s := range part {
			ids[i] = s.ID
		}
		if err := log.add(ids); err != nil {
			return sent, err
		}
		sent += len(part)
		if progress != nil {
			progress(sent, len(todo))
		}
	}
	return sent, nil
}

func (r *LRS) wait(ctx context.Context, d time.Duration) error {
	if r.Wait != nil {
		return r.Wait(ctx, d)
	}
	return bot.SystemClock{}.Sleep(ctx, d)
}

// post sends one batch: POST {endpoint}/statements with the xAPI version
// header and basic authentication.
func (r *LRS) post(ctx context.Context, part []Statement) error {
	body, err := json.Marshal(part)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(r.Endpoint, "/")+"/statements", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Experience-API-Version", Version)
	if r.Username != "" || r.Password != "" {
		req.SetBasicAuth(r.Username, r.Password)
	}
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("learning record store answered %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
