-- +goose Up
-- Mentors added by staff with /mentor add, beside those in the config.
CREATE TABLE mentors (
    queue     TEXT    NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members (id),
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (queue, member_id)
);

-- +goose Down
DROP TABLE mentors;
