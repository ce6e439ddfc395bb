-- +goose Up
-- Spaced review, learning preferences and mentors' digests (see SQLite's
-- 00014).
CREATE TABLE review_cards (
    member_id    BIGINT NOT NULL REFERENCES members (id),
    lesson_id    TEXT   NOT NULL,
    step_key     TEXT   NOT NULL,
    state        JSONB  NOT NULL,
    due_at       BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL DEFAULT 0,
    last_sent_at BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (member_id, lesson_id, step_key)
);
CREATE INDEX review_cards_due ON review_cards (due_at) WHERE sent_at = 0;

CREATE TABLE review_log (
    member_id BIGINT  NOT NULL REFERENCES members (id),
    lesson_id TEXT    NOT NULL,
    step_key  TEXT    NOT NULL,
    "right"   INTEGER NOT NULL,
    at        BIGINT  NOT NULL
);
CREATE INDEX review_log_member ON review_log (member_id);

CREATE TABLE review_prefs (
    member_id   BIGINT  PRIMARY KEY REFERENCES members (id),
    enabled     INTEGER NOT NULL,
    from_minute INTEGER NOT NULL,
    to_minute   INTEGER NOT NULL,
    nudge_off   INTEGER NOT NULL DEFAULT 0,
    nudged_at   BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE mentor_digests (
    member_id BIGINT PRIMARY KEY REFERENCES members (id),
    sent_at   BIGINT NOT NULL
);

CREATE INDEX answers_wrong ON answers (answered_at) WHERE correct = 0;
CREATE INDEX chat_members_member ON chat_members (member_id);

-- +goose Down
DROP TABLE mentor_digests;
DROP INDEX chat_members_member;
DROP INDEX answers_wrong;
DROP TABLE review_prefs;
DROP TABLE review_log;
DROP TABLE review_cards;
