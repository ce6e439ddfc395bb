-- +goose Up
-- Photos and voice notes members send: the file is in the data folder's
-- media/ under its hash (content-addressed); a row says whose it is and
-- what it belongs to: a case, a case held back for its author, or an
-- answer to a lesson's question (run_id, step). Its number is never used
-- again: the messages about it are keyed by it in the outbox.
CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    mime_type  TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    member_id  INTEGER REFERENCES members (id),
    chat_id    INTEGER NOT NULL REFERENCES chats (id),
    case_id    INTEGER REFERENCES cases (id),
    pending_id INTEGER,
    run_id     INTEGER,
    step       INTEGER NOT NULL DEFAULT 0,
    caption    TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_hash ON attachments (hash);
CREATE INDEX attachments_case ON attachments (case_id);
CREATE INDEX attachments_pending ON attachments (pending_id);
CREATE INDEX attachments_member ON attachments (member_id);
CREATE INDEX attachments_run ON attachments (run_id, step);

-- The bytes of pictures, sounds and files sent to each chat, counted by
-- the day each was sent: what a group's members paid for in data. A sent
-- message's file leaves its outbox row (the file is kept elsewhere, or
-- made again from the lesson).
ALTER TABLE chat_days ADD COLUMN media_bytes INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE chat_days DROP COLUMN media_bytes;
DROP TABLE attachments;
