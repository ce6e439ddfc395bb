-- +goose Up
-- When a member left a chat (or was removed), as the platform said: a
-- question no longer waits for them, and they no longer search its
-- archive. NULL while they are in it; cleared when they come back.
ALTER TABLE chat_members ADD COLUMN left_at BIGINT;

-- +goose Down
ALTER TABLE chat_members DROP COLUMN left_at;
