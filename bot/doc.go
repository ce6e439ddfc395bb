// Package bot holds Huddle's domain: the normalized events that adapters
// produce, the outbound messages they deliver, the interfaces the rest of the
// system consumes (Channel, Store, Engine), and the Router that ties them
// together.
//
// Data flows one way: adapters turn platform updates into Event values and
// pass them to the Router; the Router deduplicates, registers members and
// chats, answers commands and hands the rest to the Engine; every state
// change and the messages it causes are committed in one transaction into the
// Store's outbox; a Sender drains the outbox through each Channel.
//
// bot imports nothing of Huddle's own and knows no platform and no SQL.
package bot
