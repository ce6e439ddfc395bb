-- +goose Up
-- Each member's part of a lesson run (score, what the open question
-- waits for from them, questions they missed), one row each: an answer
-- rewrites its member's row and the run's small header, never the whole
-- group's state. Runs begun before this keep their members in the run's
-- state until their next change moves them here.
CREATE TABLE run_members (
    run_id    BIGINT NOT NULL REFERENCES runs (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    state     BLOB    NOT NULL, -- only: sqlite
    state     JSONB  NOT NULL, -- only: postgres
    PRIMARY KEY (run_id, member_id)
-- only: sqlite
) WITHOUT ROWID;
-- Erasure finds a member's rows.
-- end only
); -- only: postgres
CREATE INDEX run_members_member ON run_members (member_id);

-- +goose Down
DROP TABLE run_members;
