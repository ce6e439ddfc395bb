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
    chat_id  INTEGER NOT NULL REFERENCES chats (id),
    day      INTEGER NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    answers  INTEGER NOT NULL DEFAULT 0,
    correct  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, day)
) WITHOUT ROWID;

-- Who was active (posted or answered) in a chat in a week starting Monday
-- 00:00 UTC (Unix ms). Keyed by member, so that whether a member was
-- active in a period is one lookup; by week for the weekly figures. A row
-- is written once per member and week, so the second index costs little.
CREATE TABLE member_weeks (
    chat_id   INTEGER NOT NULL REFERENCES chats (id),
    member_id INTEGER NOT NULL REFERENCES members (id),
    week      INTEGER NOT NULL,
    PRIMARY KEY (chat_id, member_id, week)
) WITHOUT ROWID;
CREATE INDEX member_weeks_week ON member_weeks (chat_id, week);

-- How many members were active per group and week (chat_id > 0), and in
-- all groups together (chat_id 0, each member counted once): the weekly
-- charts read these instead of every member-week. program_weeks says who
-- is counted in all groups already.
CREATE TABLE week_counts (
    chat_id INTEGER NOT NULL,
    week    INTEGER NOT NULL,
    active  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, week)
) WITHOUT ROWID;
CREATE TABLE program_weeks (
    member_id INTEGER NOT NULL REFERENCES members (id),
    week      INTEGER NOT NULL,
    PRIMARY KEY (member_id, week)
) WITHOUT ROWID;

-- 1970-01-01 was a Thursday: weeks start 4 days (345,600,000 ms) later.
-- +goose StatementBegin
CREATE TRIGGER engagement_rollup AFTER INSERT ON engagement
WHEN NEW.kind IN ('message', 'command', 'answer', 'option', 'case_reply')
BEGIN
    INSERT INTO member_weeks (chat_id, member_id, week)
    VALUES (NEW.chat_id, NEW.member_id, NEW.at - (NEW.at - 345600000) % 604800000)
    ON CONFLICT DO NOTHING;
    INSERT INTO chat_days (chat_id, day, messages)
    SELECT NEW.chat_id, NEW.at - NEW.at % 86400000, 1 WHERE NEW.kind IN ('message', 'command', 'case_reply')
    ON CONFLICT (chat_id, day) DO UPDATE SET messages = messages + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER member_weeks_count AFTER INSERT ON member_weeks
WHEN (SELECT type FROM chats WHERE id = NEW.chat_id) = 'group'
BEGIN
    INSERT INTO week_counts (chat_id, week, active) VALUES (NEW.chat_id, NEW.week, 1)
    ON CONFLICT (chat_id, week) DO UPDATE SET active = active + 1;
    INSERT INTO program_weeks (member_id, week) VALUES (NEW.member_id, NEW.week) ON CONFLICT DO NOTHING;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER program_weeks_count AFTER INSERT ON program_weeks
BEGIN
    INSERT INTO week_counts (chat_id, week, active) VALUES (0, NEW.week, 1)
    ON CONFLICT (chat_id, week) DO UPDATE SET active = active + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER answers_rollup AFTER INSERT ON answers
WHEN NEW.max_points > 0 AND NEW.value <> ''
BEGIN
    INSERT INTO chat_days (chat_id, day, answers, correct)
    SELECT r.chat_id, NEW.answered_at - NEW.answered_at % 86400000, 1, NEW.correct <> 0 FROM runs r WHERE r.id = NEW.run_id
    ON CONFLICT (chat_id, day) DO UPDATE SET answers = answers + 1, correct = correct + excluded.correct;
END;
-- +goose StatementEnd

-- The rows there already.
INSERT INTO member_weeks (chat_id, member_id, week)
SELECT DISTINCT chat_id, member_id, at - (at - 345600000) % 604800000 FROM engagement
WHERE kind IN ('message', 'command', 'answer', 'option', 'case_reply');

INSERT INTO chat_days (chat_id, day, messages, answers, correct)
SELECT chat_id, day, SUM(messages), SUM(answers), SUM(correct) FROM (
    SELECT chat_id, at - at % 86400000 AS day, 1 AS messages, 0 AS answers, 0 AS correct FROM engagement
    WHERE kind IN ('message', 'command', 'case_reply')
    UNION ALL
    SELECT r.chat_id, a.answered_at - a.answered_at % 86400000, 0, 1, a.correct <> 0 FROM answers a JOIN runs r ON r.id = a.run_id
    WHERE a.max_points > 0 AND a.value <> ''
) GROUP BY chat_id, day;

-- Edges of periods and lesson reports read answers by time; groups' runs
-- by chat.
CREATE INDEX answers_at ON answers (answered_at);
CREATE INDEX runs_chat ON runs (chat_id, started_at);

-- +goose Down
DROP INDEX runs_chat;
DROP INDEX answers_at;
DROP TRIGGER answers_rollup;
DROP TRIGGER program_weeks_count;
DROP TRIGGER member_weeks_count;
DROP TRIGGER engagement_rollup;
DROP TABLE program_weeks;
DROP TABLE week_counts;
DROP TABLE member_weeks;
DROP TABLE chat_days;
