-- +goose Up
-- The messages the sender gave up on, listed on the dashboard newest
-- first (Reader.Undelivered): few among the outbox's many sent rows.
CREATE INDEX outbox_given_up ON outbox (given_up_at) WHERE given_up_at IS NOT NULL;

-- +goose Down
DROP INDEX outbox_given_up;
