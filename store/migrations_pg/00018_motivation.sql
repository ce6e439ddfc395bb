-- +goose Up
-- Weekly summaries, streaks, badges and helpful marks (see SQLite's 00018).
ALTER TABLE review_prefs ADD COLUMN no_streaks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_posts ADD COLUMN helpful_by BIGINT REFERENCES members (id);
CREATE INDEX case_posts_helpful ON case_posts (member_id) WHERE helpful_by IS NOT NULL;
CREATE INDEX case_posts_helpful_by ON case_posts (helpful_by) WHERE helpful_by IS NOT NULL;

CREATE TABLE badges (
    member_id BIGINT NOT NULL REFERENCES members (id),
    badge     TEXT   NOT NULL,
    earned_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, badge)
);
CREATE INDEX badges_earned ON badges (earned_at);

CREATE TABLE group_summaries (
    chat_id BIGINT NOT NULL REFERENCES chats (id),
    week    BIGINT NOT NULL,
    PRIMARY KEY (chat_id, week)
);

-- +goose Down
DROP TABLE group_summaries;
DROP TABLE badges;
DROP INDEX case_posts_helpful_by;
DROP INDEX case_posts_helpful;
ALTER TABLE case_posts DROP COLUMN helpful_by;
ALTER TABLE review_prefs DROP COLUMN no_streaks;
