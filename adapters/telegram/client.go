package telegram

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ctxClient binds one request to a context, since MakeRequest takes none,
// and keeps the bot's token out of the errors it returns.
type ctxClient struct {
	ctx   context.Context
	base  *http.Client
	token string
	// answer, when set, gets the answer's HTTP status and the start of
	// its body: the library keeps both from its errors, and a server
	// without a method says so in them.
	answer *answerSeen
}

// answerSeen is what a request's answer was, as the library does not say.
type answerSeen struct {
	status int
	head   []byte // up to headSize bytes of the body, as read
}

// headSize is how much of an answer's body answerSeen keeps.
const headSize = 512

// Do sends req bound to the client's context.
func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.base.Do(req.WithContext(c.ctx))
	if err != nil {
		return nil, withoutToken(err, c.token)
	}
	if c.answer != nil {
		c.answer.status = resp.StatusCode
		resp.Body = &headReader{ReadCloser: resp.Body, seen: c.answer}
	}
	return resp, nil
}

// headReader keeps the first bytes read of a body.
type headReader struct {
	io.ReadCloser
	seen *answerSeen
}

func (h *headReader) Read(p []byte) (int, error) {
	n, err := h.ReadCloser.Read(p)
	if room := headSize - len(h.seen.head); room > 0 {
		h.seen.head = append(h.seen.head, p[:min(n, room)]...)
	}
	return n, err
}

// noMethod reports whether an answer says the server does not know the
// method asked for: Telegram's and a self-hosted Bot API server's 404,
// or telegram-test-api's "API method '…' is not supported" (a 500).
func (a *answerSeen) noMethod() bool {
	return a.status == http.StatusNotFound ||
		(a.status >= 500 && bytes.Contains(a.head, []byte("is not supported")))
}

// noMethodError says the Bot API server does not know a method (it
// answered 404): an older self-hosted server, or an emulator.
type noMethodError struct {
	method string
	err    error
}

func (e *noMethodError) Error() string {
	return "the Bot API server has no method " + e.method + ": " + e.err.Error()
}

func (e *noMethodError) Unwrap() error { return e.err }

// tokenMask stands for the bot's token in an error.
const tokenMask = "<token>"

// withoutToken returns err with the bot's token taken out of its text.
// The Bot API puts the token in every request's path, and net/http's
// errors (a refused connection, a timeout, a TLS failure) quote the URL:
// go-telegram-bot-api passes them on as they are, so the token would
// reach the log and the outbox's stored error. A *url.Error stays one
// (its Timeout and Temporary still answer), with the URL masked.
func withoutToken(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	if ue, ok := err.(*url.Error); ok {
		clean := *ue
		clean.URL = strings.ReplaceAll(ue.URL, token, tokenMask)
		clean.Err = withoutToken(ue.Err, token)
		return &clean
	}
	return maskedError{text: strings.ReplaceAll(err.Error(), token, tokenMask), timeout: isTimeout(err)}
}

// maskedError is an error whose text had the token in it; what it
// wrapped is not kept, as unwrapping it would bring the token back.
type maskedError struct {
	text    string
	timeout bool
}

func (e maskedError) Error() string { return e.text }

// Timeout reports whether the masked error was a time-out.
func (e maskedError) Timeout() bool { return e.timeout }

// isTimeout reports whether err, or an error it wraps, is a time-out.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
