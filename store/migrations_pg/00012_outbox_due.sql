-- +goose Up
-- The sender's query (PendingOutbox) walks a channel's unsent messages in
-- id order and stops at its batch: an index in that order, carrying
-- next_at, answers it without sorting or reading the rows it skips. The
-- per-chat index carries next_at too, for the check that an older
-- message to the chat is not waiting.
CREATE INDEX outbox_due ON outbox (channel, id, next_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (channel, chat_id, id, next_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;

-- +goose Down
DROP INDEX outbox_due;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (channel, chat_id, id)
    WHERE sent_at IS NULL AND given_up_at IS NULL;
