-- +goose Up
-- Answers to the privacy notice, under a keyed hash of the person's id
-- (see SQLite's 00008). The key, a row of secrets, is made from the
-- operating system's random source when the store first opens the
-- database (PostgreSQL has no such source without an extension).
CREATE TABLE consents (
    subject     TEXT    PRIMARY KEY,
    status      TEXT    NOT NULL CHECK (status IN ('asked', 'accepted', 'declined')),
    version     INTEGER NOT NULL,
    asked_at    BIGINT,
    answered_at BIGINT,
    last_event  TEXT
);

CREATE TABLE secrets (
    name  TEXT  PRIMARY KEY,
    value BYTEA NOT NULL
);

-- +goose Down
DROP TABLE secrets;
DROP TABLE consents;
