-- +goose Up
-- Case discussions. Only de-identified text is stored: a case flagged for
-- identifiers is kept (redacted) in pending_cases until its author
-- confirms it; the raw text never reaches the database.
CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL REFERENCES chats (id),
    author_id       INTEGER REFERENCES members (id),
    run_id          INTEGER REFERENCES runs (id),
    text            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('open', 'assigned', 'answered', 'closed')),
    queue           TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    first_reply_at  INTEGER,
    escalate_at     INTEGER,
    escalated_at    INTEGER,
    assigned_to     INTEGER REFERENCES members (id),
    assigned_at     INTEGER,
    reminded        INTEGER NOT NULL DEFAULT 0,
    overdue_at      INTEGER,
    first_answer_at INTEGER,
    closed_at       INTEGER,
    next_check_at   INTEGER
);
CREATE INDEX cases_check ON cases (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX cases_chat ON cases (chat_id, created_at);
CREATE INDEX cases_assigned ON cases (assigned_to) WHERE status = 'assigned';

-- Every outbox message about a case (the post in the group, the mentor's
-- copy), so that a reply to one of them joins the case.
CREATE TABLE case_messages (
    outbox_key TEXT    PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id)
) WITHOUT ROWID;

-- The thread: peers' replies and mentors' answers.
CREATE TABLE case_posts (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    member_id  INTEGER REFERENCES members (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('reply', 'answer')),
    text       TEXT    NOT NULL,
    message_id TEXT    NOT NULL DEFAULT '',
    at         INTEGER NOT NULL
);
CREATE INDEX case_posts_case ON case_posts (case_id, at);
CREATE INDEX case_posts_message ON case_posts (message_id) WHERE message_id <> '';

-- Cases flagged for identifiers, redacted, waiting for the author.
CREATE TABLE pending_cases (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL REFERENCES chats (id),
    author_id  INTEGER NOT NULL REFERENCES members (id),
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- The archive's search index: a case's text, thread and answer.
CREATE VIRTUAL TABLE case_search USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');

-- +goose Down
DROP TABLE case_search;
DROP TABLE pending_cases;
DROP TABLE case_posts;
DROP TABLE case_messages;
DROP TABLE cases;
