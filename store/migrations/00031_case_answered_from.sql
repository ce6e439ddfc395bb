-- +goose Up
-- A case its author closed because an answered case of the archive,
-- offered under it, answers it: that case's id. No foreign key: the
-- archived case may be removed later (at its author's or a patient's
-- request), and the link then names a case that is gone.
ALTER TABLE cases ADD COLUMN answered_from BIGINT;

-- +goose Down
ALTER TABLE cases DROP COLUMN answered_from;
