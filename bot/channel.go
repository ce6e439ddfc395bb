package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Handler takes inbound events. HandleEvent returns once the event is
// durably handled (or found to be a duplicate), so an adapter may then
// acknowledge it to the platform.
type Handler interface {
	HandleEvent(ctx context.Context, ev Event) error
}

// Leases lets one of several Huddle instances hold something alone for a
// time, renewed while it lives and taken over once it lapses: a WhatsApp
// number has one session, so one instance at a time connects it.
type Leases interface {
	// Lease takes or renews name for holder until now+ttl, and reports
	// whether holder has it (false while another holds it).
	Lease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	// Release gives holder's lease up, so that another need not wait for
	// it to lapse.
	Release(ctx context.Context, name, holder string) error
}

// Channel is one messaging platform, seen through its adapter.
type Channel interface {
	// Name is the channel's name as used in Event.Channel ("telegram").
	Name() string
	// Run receives platform updates and passes each to h until ctx ends. It
	// returns nil when ctx is cancelled.
	Run(ctx context.Context, h Handler) error
	// Send delivers one message and returns the platform's id for it.
	// It returns a *RetryError when the platform asks to wait, a
	// *MigratedError when the chat has a new id, and a *PermanentError when
	// retrying cannot help.
	Send(ctx context.Context, m Outbound) (string, error)
}

// Submitter is a Handler that can queue an event without waiting for it to
// be handled, as the Router does: a channel that receives updates in
// batches submits them all, in order, then waits for every result.
type Submitter interface {
	Submit(ctx context.Context, ev Event) <-chan error
}

// Submit queues ev with h when h is a Submitter, and otherwise handles it
// at once; the channel receives the result.
func Submit(ctx context.Context, h Handler, ev Event) <-chan error {
	if s, ok := h.(Submitter); ok {
		return s.Submit(ctx, ev)
	}
	done := make(chan error, 1)
	done <- h.HandleEvent(ctx, ev)
	return done
}

// Waker is a Handler that can be told a channel may send again (it
// reconnected), so its queued messages go now rather than at the sender's
// next look. The Router is one.
type Waker interface {
	Wake()
}

// WebChannel is a Channel that serves HTTP: a page (the simulator) or a
// platform's webhook. The application mounts its routes on its web
// server.
type WebChannel interface {
	Routes() []Route
}

// Route is one HTTP route of a WebChannel.
type Route struct {
	// Pattern is an http.ServeMux pattern ("/", "/telegram/webhook").
	Pattern string
	Handler http.Handler
	// Public routes are reached by the platform and check their callers
	// themselves (a webhook's secret); the others sit behind the web
	// server's protections (its token, its checks of the Origin).
	Public bool
}

// ChannelState is how a channel is doing, as the dashboard shows it.
type ChannelState struct {
	Name   string
	OK     bool
	Detail string
}

// Reporting is a Channel that can say how it is doing.
type Reporting interface {
	State() ChannelState
}

// Expiring is a Channel whose messages lose their point when late: one
// queued longer ago than MaxAge (across an outage, a ban, a logout) is
// given up instead of sent, and the staff hear how many. It bounds a
// message's retries in time, however often the channel asked to wait.
type Expiring interface {
	MaxAge() time.Duration
}

// RateShared is implemented by a channel whose platform limits the bot's
// messages a second in all, whichever instance sends them (Telegram's 30
// a second): with several instances sharing a database, each is told how
// many run and sends at its share of the rate, and a dead instance's
// share is taken up by the others.
type RateShared interface {
	ShareRate(instances int)
}

// SingleSession is implemented by a channel that one instance at a time
// may use (WhatsApp's one session per number): with several instances
// sharing a database, only the one leading it owns the channel's chats,
// so that their messages go out.
type SingleSession interface {
	Leading() bool
}

// Linking is a Channel whose members can open their private chat with the
// bot from a link that brings a command with it: Telegram's
// t.me/BOT?start=COMMAND (the member presses Start, and the bot receives
// "/start COMMAND"), WhatsApp's wa.me/NUMBER?text=/COMMAND (the member
// sends the command written for them). The bot may not write first to a
// member who has never written to it; such a link, said in the group, is
// how it reaches them.
type Linking interface {
	// DirectLink returns the link for command (letters, digits, _ and -,
	// as Telegram allows), or "" when the channel cannot make one now
	// (not yet connected, or not paired).
	DirectLink(command string) string
}

// WritingFirst is a Channel that may write to a member who has never
// written to it privately: on SMS a member's private chat is their
// number. A member of a group on it has a private chat from the start,
// so what goes to them privately (a certificate, a review question) is
// sent rather than waiting for them to open one.
type WritingFirst interface {
	// DirectChat is the id of member's private chat (as Event.ChatID
	// gives it), "" when the channel cannot write first to them.
	DirectChat(member string) string
}

// Typed is a Channel on which members answer a message's options by
// typing them: SMS carries the options as numbered lines, with nothing to
// press. What tells members how to answer then asks for the number
// typed, and a multi-select's numbers in one reply, with no Done to
// press.
type Typed interface {
	// TypesOptions reports that members type options rather than press
	// them.
	TypesOptions() bool
}

// Caps is a channel with what it can do beyond Channel: each field is
// the channel seen through one capability, nil when it has not got it.
// CapsOf reads them once, when the App takes the channel, so the set of
// capabilities is written down here, in one type, and the rest of Huddle
// asks a field rather than guessing at a type.
type Caps struct {
	Channel
	// Web serves HTTP routes; Reporting says how the channel is doing;
	// Expiring bounds how late a message may go; Single is one session
	// that one instance at a time may lead; Rate is a rate shared by all
	// instances; Link opens a member's private chat from a link; First
	// writes first to a member's private chat; Typed has its options
	// typed, not pressed.
	Web       WebChannel
	Reporting Reporting
	Expiring  Expiring
	Single    SingleSession
	Rate      RateShared
	Link      Linking
	First     WritingFirst
	Typed     Typed
}

// CapsOf reads what ch can do.
func CapsOf(ch Channel) Caps {
	c := Caps{Channel: ch}
	c.Web, _ = ch.(WebChannel)
	c.Reporting, _ = ch.(Reporting)
	c.Expiring, _ = ch.(Expiring)
	c.Single, _ = ch.(SingleSession)
	c.Rate, _ = ch.(RateShared)
	c.Link, _ = ch.(Linking)
	c.First, _ = ch.(WritingFirst)
	c.Typed, _ = ch.(Typed)
	return c
}

// TypesOptions reports whether the channel's members type options rather
// than press them (Typed).
func (c Caps) TypesOptions() bool { return c.Typed != nil && c.Typed.TypesOptions() }

// MaxAge is how late the channel's messages may go (Expiring), or 0 for
// no bound.
func (c Caps) MaxAge() time.Duration {
	if c.Expiring == nil {
		return 0
	}
	return c.Expiring.MaxAge()
}

// RetryError asks the sender to wait before the next attempt (a platform's
// rate limit, Telegram's retry_after).
type RetryError struct {
	After time.Duration
	// Pace says the channel is pacing itself under the platform's limits:
	// not a failed attempt, so it does not count towards giving up.
	Pace bool
	Err  error
}

// Error says how long to wait and why.
func (e *RetryError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

// Unwrap returns the platform's error.
func (e *RetryError) Unwrap() error { return e.Err }

// MigratedError says the chat moved to a new platform id; the message should
// go there instead.
type MigratedError struct {
	NewChatID string
}

// Error names the new chat id.
func (e *MigratedError) Error() string { return "chat migrated to " + e.NewChatID }

// PermanentError says retrying the message cannot succeed (the bot was
// removed from the chat, the chat does not exist).
type PermanentError struct {
	Err error
}

// Error says the failure is permanent, and why.
func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }

// Unwrap returns the platform's error.
func (e *PermanentError) Unwrap() error { return e.Err }

// ErrNoTopics is the error (inside a *PermanentError) of a channel asked
// to open a forum topic it cannot have.
var ErrNoTopics = errors.New("this channel has no forum topics")

// Errors stores return.
var (
	// ErrNotFound says a looked-up record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate says a record that must be unique exists already.
	ErrDuplicate = errors.New("duplicate")
)
