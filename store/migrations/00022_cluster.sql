-- +goose Up
-- Several instances on one database (PostgreSQL's, in practice): each
-- chat is owned by one instance at a time, by a lease named for the chat
-- (lease: "chat:" and a keyed hash of the chat, so no lease holds a phone
-- number). An event another instance received waits in inbox for the
-- owner, deleted once handled. A due message or timer carries its chat's
-- lease name, and is claimed by the instance that sends or fires it,
-- until claimed_until, so no other takes it meanwhile.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    lease       TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX inbox_lease ON inbox (lease, id);

ALTER TABLE outbox ADD COLUMN lease TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
ALTER TABLE timers ADD COLUMN lease TEXT;
ALTER TABLE timers ADD COLUMN claimed_by TEXT;
ALTER TABLE timers ADD COLUMN claimed_until INTEGER;

-- +goose Down
ALTER TABLE timers DROP COLUMN claimed_until;
ALTER TABLE timers DROP COLUMN claimed_by;
ALTER TABLE timers DROP COLUMN lease;
ALTER TABLE outbox DROP COLUMN claimed_until;
ALTER TABLE outbox DROP COLUMN claimed_by;
ALTER TABLE outbox DROP COLUMN lease;
DROP TABLE inbox;
