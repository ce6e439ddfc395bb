-- +goose Up
-- Lessons staff assigned to a group with /assign: each starts by itself at
-- next_at, which then moves to the lesson's next scheduled time.
CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats (id),
    lesson_id   TEXT    NOT NULL,
    assigned_by INTEGER REFERENCES members (id),
    next_at     INTEGER NOT NULL,
    UNIQUE (chat_id, lesson_id)
);
CREATE INDEX assignments_due ON assignments (next_at);

-- +goose Down
DROP TABLE assignments;
