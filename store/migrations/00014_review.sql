-- +goose Up
-- Spaced review: each question a member got wrong is a card the review
-- service schedules (with FSRS), and sends privately to members who
-- review, within their hours.
CREATE TABLE review_cards (
    member_id    BIGINT NOT NULL REFERENCES members (id),
    lesson_id    TEXT   NOT NULL,
    step_key     TEXT   NOT NULL,
    state        BLOB    NOT NULL, -- only: sqlite
    state        JSONB  NOT NULL, -- only: postgres
    due_at       BIGINT NOT NULL,
    sent_at      INTEGER NOT NULL DEFAULT 0, -- sent, awaiting an answer -- only: sqlite
    sent_at      BIGINT NOT NULL DEFAULT 0, -- only: postgres
    last_sent_at BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (member_id, lesson_id, step_key)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres
CREATE INDEX review_cards_due ON review_cards (due_at) WHERE sent_at = 0;

-- Each review's outcome, for recall over time.
CREATE TABLE review_log (
    member_id BIGINT  NOT NULL REFERENCES members (id),
    lesson_id TEXT    NOT NULL,
    step_key  TEXT    NOT NULL,
    right     INTEGER NOT NULL, -- only: sqlite
    "right"   INTEGER NOT NULL, -- only: postgres
    at        BIGINT  NOT NULL
);
CREATE INDEX review_log_member ON review_log (member_id);

-- A member's learning preferences: review (on, and its hours) and
-- nudges when inactive (off, and when the last was sent).
CREATE TABLE review_prefs (
    member_id   INTEGER PRIMARY KEY REFERENCES members (id), -- only: sqlite
    member_id   BIGINT  PRIMARY KEY REFERENCES members (id), -- only: postgres
    enabled     INTEGER NOT NULL,
    from_minute INTEGER NOT NULL,
    to_minute   INTEGER NOT NULL,
    nudge_off   INTEGER NOT NULL DEFAULT 0,
    nudged_at   BIGINT  NOT NULL DEFAULT 0
);

-- When each mentor was last sent the day's digest of their cases.
CREATE TABLE mentor_digests (
    member_id INTEGER PRIMARY KEY REFERENCES members (id), -- only: sqlite
    member_id BIGINT PRIMARY KEY REFERENCES members (id), -- only: postgres
    sent_at   BIGINT NOT NULL
);

-- Answers are read for new wrong ones from here on.
CREATE INDEX answers_wrong ON answers (answered_at) WHERE correct = 0;

-- A member's private chat is found by member (to send a review, a case
-- to a mentor, a notice to staff): without this, by reading every
-- membership.
CREATE INDEX chat_members_member ON chat_members (member_id);

-- +goose Down
DROP TABLE mentor_digests;
DROP INDEX chat_members_member;
DROP INDEX answers_wrong;
DROP TABLE review_prefs;
DROP TABLE review_log;
DROP TABLE review_cards;
