-- +goose Up
-- Each member's pseudonym ("Member-4821", or one they chose with /name),
-- shown instead of their name; unique without regard to case. Members
-- from before get theirs when the database is next opened.
ALTER TABLE members ADD COLUMN pseudonym TEXT;
CREATE UNIQUE INDEX members_pseudonym ON members (pseudonym COLLATE NOCASE); -- only: sqlite
CREATE UNIQUE INDEX members_pseudonym ON members (lower(pseudonym)); -- only: postgres

-- +goose Down
DROP INDEX members_pseudonym;
ALTER TABLE members DROP COLUMN pseudonym;
