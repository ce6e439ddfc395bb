-- +goose Up
-- Each member's pseudonym, unique without regard to case.
ALTER TABLE members ADD COLUMN pseudonym TEXT;
CREATE UNIQUE INDEX members_pseudonym ON members (lower(pseudonym));

-- +goose Down
DROP INDEX members_pseudonym;
ALTER TABLE members DROP COLUMN pseudonym;
