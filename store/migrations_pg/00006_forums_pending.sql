-- +goose Up
-- Telegram groups with topics (see SQLite's 00006, which also makes held
-- cases' numbers never reused: an identity never gives one twice).
ALTER TABLE chats ADD COLUMN forum INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE chats DROP COLUMN forum;
