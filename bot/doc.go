// Package bot holds Huddle's domain and its extension points.
//
// Extension points, for a program that embeds Huddle (see package huddle):
//
//   - Channel: a messaging platform (Name, Run, Send), with the optional
//     capabilities Caps lists; its Run passes each update to a Handler as
//     an Event, and its Send delivers an Outbound by its Shape and returns
//     a RetryError, PermanentError or MigratedError when it cannot
//     deliver. Package
//     bot/channeltest checks a channel against one table of cases.
//   - Command: a command members, mentors or staff type, with its help,
//     where it works, who may use it and how it meets the privacy notice;
//     Reply answers one.
//   - OptionHandler: what a press of a button (or a vote in a poll) whose
//     data has a prefix does.
//
// The rest: the normalized Event adapters produce and the Outbound
// messages they deliver; the Updater and its Tx, made of one small
// interface per area (MemberStore, RunStore, CaseStore, OutboxWriter…);
// the Engine and Cases interfaces the lesson engine and case discussions
// implement; the Feature through which every feature plugs in. The
// router (package router), the clock's work (package schedule) and the
// delivery of the outbox (package outbox) live apart.
//
// Data flows one way: adapters turn platform updates into Event values and
// pass them to the router; every state change and the messages it causes
// are committed in one transaction into the store's outbox; outbox.Sender
// delivers them. bot knows no platform and no SQL.
package bot
