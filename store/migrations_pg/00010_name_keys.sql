-- +goose Up
-- The chosen name's comparison key (lower case, no accents, letters and
-- digits only), so that "Mama-Grace" or "Mamá Grace" cannot pass for
-- another member's "Mama Grace". Filled when the database is next opened.
ALTER TABLE members ADD COLUMN name_key TEXT;
CREATE INDEX members_name_key ON members (name_key) WHERE name_key IS NOT NULL;

-- +goose Down
DROP INDEX members_name_key;
ALTER TABLE members DROP COLUMN name_key;
