-- +goose Up
-- Motivation: a weekly summary in each group (sent once a week), streaks
-- shown by pseudonym unless the member opts out, badges, and peers' case
-- replies a mentor marked helpful.
ALTER TABLE review_prefs ADD COLUMN no_streaks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_posts ADD COLUMN helpful_by BIGINT REFERENCES members (id);
CREATE INDEX case_posts_helpful ON case_posts (member_id) WHERE helpful_by IS NOT NULL;
CREATE INDEX case_posts_helpful_by ON case_posts (helpful_by) WHERE helpful_by IS NOT NULL;

CREATE TABLE badges (
    member_id BIGINT NOT NULL REFERENCES members (id),
    badge     TEXT   NOT NULL,
    earned_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, badge)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres
CREATE INDEX badges_earned ON badges (earned_at);

-- The weeks (UTC Mondays, as member_weeks) each group was sent its
-- summary of.
CREATE TABLE group_summaries (
    chat_id BIGINT NOT NULL REFERENCES chats (id),
    week    BIGINT NOT NULL,
    PRIMARY KEY (chat_id, week)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres

-- +goose Down
DROP TABLE group_summaries;
DROP TABLE badges;
DROP INDEX case_posts_helpful_by;
DROP INDEX case_posts_helpful;
ALTER TABLE case_posts DROP COLUMN helpful_by;
ALTER TABLE review_prefs DROP COLUMN no_streaks;
