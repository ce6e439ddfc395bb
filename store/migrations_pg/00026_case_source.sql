-- +goose Up
-- The platform id of the member's message that opened a case (a /case in
-- its group), so that an edit of it is checked as the original was and
-- the archive's copy follows it. NULL for cases a lesson or a private
-- confirmation opened.
ALTER TABLE cases ADD COLUMN message_id TEXT;
CREATE INDEX cases_message ON cases (chat_id, message_id) WHERE message_id IS NOT NULL;

-- +goose Down
DROP INDEX cases_message;
ALTER TABLE cases DROP COLUMN message_id;
