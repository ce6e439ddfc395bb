-- +goose Up
-- Times are Unix milliseconds (INTEGER), so the schema ports to PostgreSQL
-- as BIGINT without conversion.
CREATE TABLE members (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,
    platform_id TEXT    NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    lang        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (channel, platform_id)
);

CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,
    platform_id TEXT    NOT NULL,
    type        TEXT    NOT NULL CHECK (type IN ('direct', 'group')),
    title       TEXT    NOT NULL DEFAULT '',
    lang        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (channel, platform_id)
);

CREATE TABLE chat_members (
    chat_id      INTEGER NOT NULL REFERENCES chats (id),
    member_id    INTEGER NOT NULL REFERENCES members (id),
    joined_at    INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, member_id)
) WITHOUT ROWID;

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    lesson_id   TEXT    NOT NULL,
    chat_id     INTEGER NOT NULL REFERENCES chats (id),
    started_by  INTEGER REFERENCES members (id),
    mode        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('active', 'done', 'stopped')),
    step        INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    state       BLOB    NOT NULL,
    started_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
);
-- One active run per chat.
CREATE UNIQUE INDEX runs_active ON runs (chat_id) WHERE status = 'active';

CREATE TABLE answers (
    run_id      INTEGER NOT NULL REFERENCES runs (id),
    member_id   INTEGER NOT NULL REFERENCES members (id),
    seq         INTEGER NOT NULL,
    step_id     TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    correct     INTEGER NOT NULL,
    points      REAL    NOT NULL,
    max_points  REAL    NOT NULL,
    answered_at INTEGER NOT NULL,
    -- One answer per member per step visit; keyed by member first, so a
    -- member's progress needs no other index.
    PRIMARY KEY (member_id, run_id, seq)
) WITHOUT ROWID;

CREATE TABLE timers (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES runs (id),
    seq      INTEGER NOT NULL,
    due_at   INTEGER NOT NULL,
    fired_at INTEGER
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;

CREATE TABLE seen_events (
    id      TEXT    PRIMARY KEY,
    seen_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    channel     TEXT    NOT NULL,
    chat_id     TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    sent_at     INTEGER,
    platform_id TEXT    NOT NULL DEFAULT '',
    given_up_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (channel, chat_id, id)
    WHERE sent_at IS NULL AND given_up_at IS NULL;

CREATE TABLE engagement (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id),
    chat_id   INTEGER NOT NULL REFERENCES chats (id),
    kind      TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX engagement_chat_at ON engagement (chat_id, at);

-- +goose Down
DROP TABLE engagement;
DROP TABLE outbox;
DROP TABLE seen_events;
DROP TABLE timers;
DROP TABLE answers;
DROP TABLE runs;
DROP TABLE chat_members;
DROP TABLE chats;
DROP TABLE members;
