-- +goose Up
-- How many people a group has, as the platform reports (bots left out),
-- so that a question waits for the whole group, not only those the bot
-- has seen; 0 where the platform does not say.
ALTER TABLE chats ADD COLUMN size INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE chats DROP COLUMN size;
