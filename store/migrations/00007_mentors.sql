-- +goose Up
-- Mentors added by staff with /mentor add, beside those in the config.
CREATE TABLE mentors (
    queue     TEXT   NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members (id),
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (queue, member_id)
);

-- +goose Down
DROP TABLE mentors;
