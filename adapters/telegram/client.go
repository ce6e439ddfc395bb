package telegram

import (
	"context"
	"errors"
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
}

// Do sends req bound to the client's context.
func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.base.Do(req.WithContext(c.ctx))
	if err != nil {
		return nil, withoutToken(err, c.token)
	}
	return resp, nil
}

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
