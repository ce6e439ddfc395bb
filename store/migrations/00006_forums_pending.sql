-- +goose Up
-- Telegram groups with topics: a case opened there opens a topic of its own.
ALTER TABLE chats ADD COLUMN forum INTEGER NOT NULL DEFAULT 0;
-- only: sqlite

-- A held-back case's number is never used again: its private offer is
-- keyed by it in the outbox, and a button of an old offer must not post
-- a newer case.
CREATE TABLE pending_cases_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL REFERENCES chats (id),
    author_id  INTEGER NOT NULL REFERENCES members (id),
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO pending_cases_new SELECT id, chat_id, author_id, text, created_at FROM pending_cases;
-- Numbers offered before this migration stay used.
INSERT INTO sqlite_sequence (name, seq) SELECT 'pending_cases_new', 0
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'pending_cases_new');
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(CAST(substr(key, 9) AS INTEGER)), 0)
    FROM outbox WHERE key LIKE 'pending:%')) WHERE name = 'pending_cases_new';
DROP TABLE pending_cases;
ALTER TABLE pending_cases_new RENAME TO pending_cases;
-- end only

-- +goose Down
ALTER TABLE chats DROP COLUMN forum;
