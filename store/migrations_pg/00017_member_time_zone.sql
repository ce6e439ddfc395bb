-- +goose Up
-- The time zone a member's hours (review, nudges) are read in; the
-- program's when empty.
ALTER TABLE review_prefs ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE review_prefs DROP COLUMN time_zone;
