-- +goose Up
-- Each member's part of a lesson run, one row each (see SQLite's 00013).
CREATE TABLE run_members (
    run_id    BIGINT NOT NULL REFERENCES runs (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    state     JSONB  NOT NULL,
    PRIMARY KEY (run_id, member_id)
);
CREATE INDEX run_members_member ON run_members (member_id);

-- +goose Down
DROP TABLE run_members;
