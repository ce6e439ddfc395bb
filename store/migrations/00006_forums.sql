-- +goose Up
-- Telegram groups with topics: a case opened there opens a topic of its own.
ALTER TABLE chats ADD COLUMN forum INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE chats DROP COLUMN forum;
