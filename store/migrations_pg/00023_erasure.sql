-- +goose Up
-- A certificate outlives its holder's erasure (see SQLite's 00023; an
-- identity never gives a number twice, so members need no change here).
ALTER TABLE certificates ALTER COLUMN member_id DROP NOT NULL;
ALTER TABLE certificates ADD COLUMN name_hash TEXT;

-- +goose Down
DELETE FROM certificates WHERE member_id IS NULL;
ALTER TABLE certificates DROP COLUMN name_hash;
ALTER TABLE certificates ALTER COLUMN member_id SET NOT NULL;
