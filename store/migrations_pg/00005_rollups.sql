-- +goose Up
-- Rollups kept by triggers as rows arrive (see SQLite's 00005): whole UTC
-- days per group, and who was active which Monday-to-Sunday UTC week.
CREATE TABLE chat_days (
    chat_id  BIGINT  NOT NULL REFERENCES chats (id),
    day      BIGINT  NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    answers  INTEGER NOT NULL DEFAULT 0,
    correct  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, day)
);

CREATE TABLE member_weeks (
    chat_id   BIGINT NOT NULL REFERENCES chats (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    week      BIGINT NOT NULL,
    PRIMARY KEY (chat_id, member_id, week)
);
CREATE INDEX member_weeks_week ON member_weeks (chat_id, week);

CREATE TABLE week_counts (
    chat_id BIGINT  NOT NULL,
    week    BIGINT  NOT NULL,
    active  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, week)
);
CREATE TABLE program_weeks (
    member_id BIGINT NOT NULL REFERENCES members (id),
    week      BIGINT NOT NULL,
    PRIMARY KEY (member_id, week)
);

-- 1970-01-01 was a Thursday: weeks start 4 days (345,600,000 ms) later.
-- +goose StatementBegin
CREATE FUNCTION engagement_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_weeks (chat_id, member_id, week)
    VALUES (NEW.chat_id, NEW.member_id, NEW.at - (NEW.at - 345600000) % 604800000)
    ON CONFLICT DO NOTHING;
    IF NEW.kind IN ('message', 'command', 'case_reply') THEN
        INSERT INTO chat_days AS d (chat_id, day, messages) VALUES (NEW.chat_id, NEW.at - NEW.at % 86400000, 1)
        ON CONFLICT (chat_id, day) DO UPDATE SET messages = d.messages + 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER engagement_rollup AFTER INSERT ON engagement FOR EACH ROW
WHEN (NEW.kind IN ('message', 'command', 'answer', 'option', 'case_reply')) EXECUTE FUNCTION engagement_rollup();

-- +goose StatementBegin
CREATE FUNCTION member_weeks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT type FROM chats WHERE id = NEW.chat_id) = 'group' THEN
        INSERT INTO week_counts AS w (chat_id, week, active) VALUES (NEW.chat_id, NEW.week, 1)
        ON CONFLICT (chat_id, week) DO UPDATE SET active = w.active + 1;
        INSERT INTO program_weeks (member_id, week) VALUES (NEW.member_id, NEW.week) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER member_weeks_count AFTER INSERT ON member_weeks FOR EACH ROW EXECUTE FUNCTION member_weeks_count();

-- +goose StatementBegin
CREATE FUNCTION program_weeks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO week_counts AS w (chat_id, week, active) VALUES (0, NEW.week, 1)
    ON CONFLICT (chat_id, week) DO UPDATE SET active = w.active + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER program_weeks_count AFTER INSERT ON program_weeks FOR EACH ROW EXECUTE FUNCTION program_weeks_count();

-- +goose StatementBegin
CREATE FUNCTION answers_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO chat_days AS d (chat_id, day, answers, correct)
    SELECT r.chat_id, NEW.answered_at - NEW.answered_at % 86400000, 1, (NEW.correct <> 0)::int FROM runs r WHERE r.id = NEW.run_id
    ON CONFLICT (chat_id, day) DO UPDATE SET answers = d.answers + 1, correct = d.correct + excluded.correct;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER answers_rollup AFTER INSERT ON answers FOR EACH ROW
WHEN (NEW.max_points > 0 AND NEW.value <> '') EXECUTE FUNCTION answers_rollup();

-- The rows there already (the triggers on member_weeks count them).
INSERT INTO member_weeks (chat_id, member_id, week)
SELECT DISTINCT chat_id, member_id, at - (at - 345600000) % 604800000 FROM engagement
WHERE kind IN ('message', 'command', 'answer', 'option', 'case_reply');

INSERT INTO chat_days (chat_id, day, messages, answers, correct)
SELECT chat_id, day, SUM(messages), SUM(answers), SUM(correct) FROM (
    SELECT chat_id, at - at % 86400000 AS day, 1 AS messages, 0 AS answers, 0 AS correct FROM engagement
    WHERE kind IN ('message', 'command', 'case_reply')
    UNION ALL
    SELECT r.chat_id, a.answered_at - a.answered_at % 86400000, 0, 1, (a.correct <> 0)::int FROM answers a JOIN runs r ON r.id = a.run_id
    WHERE a.max_points > 0 AND a.value <> ''
) AS rows GROUP BY chat_id, day;

CREATE INDEX answers_at ON answers (answered_at);
CREATE INDEX runs_chat ON runs (chat_id, started_at);

-- +goose Down
DROP INDEX runs_chat;
DROP INDEX answers_at;
DROP TRIGGER answers_rollup ON answers;
DROP TRIGGER program_weeks_count ON program_weeks;
DROP TRIGGER member_weeks_count ON member_weeks;
DROP TRIGGER engagement_rollup ON engagement;
DROP FUNCTION answers_rollup;
DROP FUNCTION program_weeks_count;
DROP FUNCTION member_weeks_count;
DROP FUNCTION engagement_rollup;
DROP TABLE program_weeks;
DROP TABLE week_counts;
DROP TABLE member_weeks;
DROP TABLE chat_days;
