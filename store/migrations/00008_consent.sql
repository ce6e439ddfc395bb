-- +goose Up
-- Answers to the privacy notice, apart from members: someone who declines
-- leaves this row and nothing else. subject is a keyed hash (HMAC-SHA256
-- under secrets.subject) of "channel:platform id", so the row does not
-- hold a phone number.
CREATE TABLE consents (
    subject     TEXT    PRIMARY KEY,
    status      TEXT    NOT NULL CHECK (status IN ('asked', 'accepted', 'declined')),
    version     INTEGER NOT NULL,
    asked_at    BIGINT,
    answered_at BIGINT,
    last_event  TEXT
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres

-- Keys made once per database.
CREATE TABLE secrets (
    name  TEXT  PRIMARY KEY,
    value BLOB NOT NULL -- only: sqlite
) WITHOUT ROWID; -- only: sqlite
INSERT INTO secrets (name, value) VALUES ('subject', randomblob(32)); -- only: sqlite
    value BYTEA NOT NULL -- only: postgres
); -- only: postgres

-- +goose Down
DROP TABLE secrets;
DROP TABLE consents;
