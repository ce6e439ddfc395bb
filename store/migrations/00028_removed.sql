-- +goose Up
-- When a group removed the bot (NULL while the bot is in it): a channel
-- restarted reads which groups, and sends nothing there until the bot is
-- added again (WhatsApp's adapter; its earlier list was in memory only).
ALTER TABLE chats ADD COLUMN removed_at BIGINT;

-- +goose Down
ALTER TABLE chats DROP COLUMN removed_at;
