-- +goose Up
-- A member's second platform id: on WhatsApp the phone-number address of a
-- member keyed by LID, so one person is one member whichever form arrives.
ALTER TABLE members ADD COLUMN alias TEXT;
CREATE UNIQUE INDEX members_alias ON members (channel, alias) WHERE alias IS NOT NULL;

-- Sent messages by their platform id: WhatsApp poll votes and retry
-- requests name the message they are about.
CREATE INDEX outbox_platform ON outbox (channel, platform_id) WHERE platform_id <> '';

-- +goose Down
DROP INDEX outbox_platform;
DROP INDEX members_alias;
ALTER TABLE members DROP COLUMN alias;
