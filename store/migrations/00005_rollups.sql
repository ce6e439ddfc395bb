-- +goose Up
-- Rollups, kept by triggers as rows arrive, so that reports over long
-- periods read thousands of rows instead of millions: a year of 50,000
-- members is some twenty million engagement and answer rows. Reports read
-- whole UTC days (chat_days) and Monday-to-Sunday UTC weeks (member_weeks)
-- from the rollups and the partial days or weeks at a period's edges from
-- the raw rows, so figures stay exact for any period. Rows deleted later
-- (erasure, retention) leave the rollups as they are: chat_days holds
-- counts without identity; member_weeks is erased with its member.

-- Per group and UTC day (Unix ms of its midnight): what members wrote
-- (messages, commands, case replies) and their scored quiz answers.
CREATE TABLE chat_days (
    chat_id  BIGINT  NOT NULL REFERENCES chats (id),
    day      BIGINT  NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    answers  INTEGER NOT NULL DEFAULT 0,
    correct  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, day)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres

-- Who was active (posted or answered) in a chat in a week starting Monday
-- 00:00 UTC (Unix ms). Keyed by member, so that whether a member was
-- active in a period is one lookup; by week for the weekly figures. A row
-- is written once per member and week, so the second index costs little.
CREATE TABLE member_weeks (
    chat_id   BIGINT NOT NULL REFERENCES chats (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    week      BIGINT NOT NULL,
    PRIMARY KEY (chat_id, member_id, week)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres
CREATE INDEX member_weeks_week ON member_weeks (chat_id, week);

-- How many members were active per group and week (chat_id > 0), and in
-- all groups together (chat_id 0, each member counted once): the weekly
-- charts read these instead of every member-week. program_weeks says who
-- is counted in all groups already.
CREATE TABLE week_counts (
    chat_id BIGINT  NOT NULL,
    week    BIGINT  NOT NULL,
    active  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, week)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres
CREATE TABLE program_weeks (
    member_id BIGINT NOT NULL REFERENCES members (id),
    week      BIGINT NOT NULL,
    PRIMARY KEY (member_id, week)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres

-- 1970-01-01 was a Thursday: weeks start 4 days (345,600,000 ms) later.
-- +goose StatementBegin
CREATE TRIGGER engagement_rollup AFTER INSERT ON engagement -- only: sqlite
WHEN NEW.kind IN ('message', 'command', 'answer', 'option', 'case_reply') -- only: sqlite
CREATE FUNCTION engagement_rollup() RETURNS trigger LANGUAGE plpgsql AS $$ -- only: postgres
BEGIN
    INSERT INTO member_weeks (chat_id, member_id, week)
    VALUES (NEW.chat_id, NEW.member_id, NEW.at - (NEW.at - 345600000) % 604800000)
    ON CONFLICT DO NOTHING;
-- only: sqlite
    INSERT INTO chat_days (chat_id, day, messages)
    SELECT NEW.chat_id, NEW.at - NEW.at % 86400000, 1 WHERE NEW.kind IN ('message', 'command', 'case_reply')
    ON CONFLICT (chat_id, day) DO UPDATE SET messages = messages + 1;
END;
-- end only
-- only: postgres
    IF NEW.kind IN ('message', 'command', 'case_reply') THEN
        INSERT INTO chat_days AS d (chat_id, day, messages) VALUES (NEW.chat_id, NEW.at - NEW.at % 86400000, 1)
        ON CONFLICT (chat_id, day) DO UPDATE SET messages = d.messages + 1;
    END IF;
    RETURN NULL;
END $$;
-- end only
-- +goose StatementEnd
CREATE TRIGGER engagement_rollup AFTER INSERT ON engagement FOR EACH ROW -- only: postgres
WHEN (NEW.kind IN ('message', 'command', 'answer', 'option', 'case_reply')) EXECUTE FUNCTION engagement_rollup(); -- only: postgres

-- +goose StatementBegin
CREATE TRIGGER member_weeks_count AFTER INSERT ON member_weeks -- only: sqlite
WHEN (SELECT type FROM chats WHERE id = NEW.chat_id) = 'group' -- only: sqlite
CREATE FUNCTION member_weeks_count() RETURNS trigger LANGUAGE plpgsql AS $$ -- only: postgres
BEGIN
    INSERT INTO week_counts (chat_id, week, active) VALUES (NEW.chat_id, NEW.week, 1) -- only: sqlite
    ON CONFLICT (chat_id, week) DO UPDATE SET active = active + 1; -- only: sqlite
    IF (SELECT type FROM chats WHERE id = NEW.chat_id) = 'group' THEN -- only: postgres
        INSERT INTO week_counts AS w (chat_id, week, active) VALUES (NEW.chat_id, NEW.week, 1) -- only: postgres
        ON CONFLICT (chat_id, week) DO UPDATE SET active = w.active + 1; -- only: postgres
        INSERT INTO program_weeks (member_id, week) VALUES (NEW.member_id, NEW.week) ON CONFLICT DO NOTHING;
END; -- only: sqlite
    END IF; -- only: postgres
    RETURN NULL; -- only: postgres
END $$; -- only: postgres
-- +goose StatementEnd
CREATE TRIGGER member_weeks_count AFTER INSERT ON member_weeks FOR EACH ROW EXECUTE FUNCTION member_weeks_count(); -- only: postgres

-- +goose StatementBegin
CREATE TRIGGER program_weeks_count AFTER INSERT ON program_weeks -- only: sqlite
CREATE FUNCTION program_weeks_count() RETURNS trigger LANGUAGE plpgsql AS $$ -- only: postgres
BEGIN
    INSERT INTO week_counts (chat_id, week, active) VALUES (0, NEW.week, 1) -- only: sqlite
    ON CONFLICT (chat_id, week) DO UPDATE SET active = active + 1; -- only: sqlite
END; -- only: sqlite
-- only: postgres
    INSERT INTO week_counts AS w (chat_id, week, active) VALUES (0, NEW.week, 1)
    ON CONFLICT (chat_id, week) DO UPDATE SET active = w.active + 1;
    RETURN NULL;
END $$;
-- end only
-- +goose StatementEnd
CREATE TRIGGER program_weeks_count AFTER INSERT ON program_weeks FOR EACH ROW EXECUTE FUNCTION program_weeks_count(); -- only: postgres

-- +goose StatementBegin
CREATE TRIGGER answers_rollup AFTER INSERT ON answers -- only: sqlite
WHEN NEW.max_points > 0 AND NEW.value <> '' -- only: sqlite
CREATE FUNCTION answers_rollup() RETURNS trigger LANGUAGE plpgsql AS $$ -- only: postgres
BEGIN
-- only: sqlite
    INSERT INTO chat_days (chat_id, day, answers, correct)
    SELECT r.chat_id, NEW.answered_at - NEW.answered_at % 86400000, 1, NEW.correct <> 0 FROM runs r WHERE r.id = NEW.run_id
    ON CONFLICT (chat_id, day) DO UPDATE SET answers = answers + 1, correct = correct + excluded.correct;
END;
-- end only
-- only: postgres
    INSERT INTO chat_days AS d (chat_id, day, answers, correct)
    SELECT r.chat_id, NEW.answered_at - NEW.answered_at % 86400000, 1, (NEW.correct <> 0)::int FROM runs r WHERE r.id = NEW.run_id
    ON CONFLICT (chat_id, day) DO UPDATE SET answers = d.answers + 1, correct = d.correct + excluded.correct;
    RETURN NULL;
END $$;
-- end only
-- +goose StatementEnd
CREATE TRIGGER answers_rollup AFTER INSERT ON answers FOR EACH ROW -- only: postgres
WHEN (NEW.max_points > 0 AND NEW.value <> '') EXECUTE FUNCTION answers_rollup(); -- only: postgres

-- The rows there already.
INSERT INTO member_weeks (chat_id, member_id, week)
SELECT DISTINCT chat_id, member_id, at - (at - 345600000) % 604800000 FROM engagement
WHERE kind IN ('message', 'command', 'answer', 'option', 'case_reply');

INSERT INTO chat_days (chat_id, day, messages, answers, correct)
SELECT chat_id, day, SUM(messages), SUM(answers), SUM(correct) FROM (
    SELECT chat_id, at - at % 86400000 AS day, 1 AS messages, 0 AS answers, 0 AS correct FROM engagement
    WHERE kind IN ('message', 'command', 'case_reply')
    UNION ALL
    SELECT r.chat_id, a.answered_at - a.answered_at % 86400000, 0, 1, a.correct <> 0 FROM answers a JOIN runs r ON r.id = a.run_id -- only: sqlite
    SELECT r.chat_id, a.answered_at - a.answered_at % 86400000, 0, 1, (a.correct <> 0)::int FROM answers a JOIN runs r ON r.id = a.run_id -- only: postgres
    WHERE a.max_points > 0 AND a.value <> ''
) GROUP BY chat_id, day; -- only: sqlite
) AS rows GROUP BY chat_id, day; -- only: postgres

-- Edges of periods and lesson reports read answers by time; groups' runs
-- by chat.
CREATE INDEX answers_at ON answers (answered_at);
CREATE INDEX runs_chat ON runs (chat_id, started_at);

-- +goose Down
DROP INDEX runs_chat;
DROP INDEX answers_at;
-- only: sqlite
DROP TRIGGER answers_rollup;
DROP TRIGGER program_weeks_count;
DROP TRIGGER member_weeks_count;
DROP TRIGGER engagement_rollup;
-- end only
-- only: postgres
DROP TRIGGER answers_rollup ON answers;
DROP TRIGGER program_weeks_count ON program_weeks;
DROP TRIGGER member_weeks_count ON member_weeks;
DROP TRIGGER engagement_rollup ON engagement;
DROP FUNCTION answers_rollup;
DROP FUNCTION program_weeks_count;
DROP FUNCTION member_weeks_count;
DROP FUNCTION engagement_rollup;
-- end only
DROP TABLE program_weeks;
DROP TABLE week_counts;
DROP TABLE member_weeks;
DROP TABLE chat_days;
