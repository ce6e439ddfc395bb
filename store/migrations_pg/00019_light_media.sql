-- +goose Up
-- A group that asked to be light on data (/data light) gets a lesson's
-- pictures as small previews, each with a button for the full size.
ALTER TABLE chats ADD COLUMN light_media INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE chats DROP COLUMN light_media;
