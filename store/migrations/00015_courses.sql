-- +goose Up
-- Courses: a group takes a course as a cohort (/assign COURSE). Each of
-- its lessons opens at opens_at, as the run run_id.
CREATE TABLE cohorts (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL REFERENCES chats (id),
    course_id  TEXT    NOT NULL,
    started_by INTEGER REFERENCES members (id),
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,               -- NULL while it runs
    stopped    INTEGER NOT NULL DEFAULT 0
);
-- A chat takes a course once at a time.
CREATE UNIQUE INDEX cohorts_running ON cohorts (chat_id, course_id) WHERE ended_at IS NULL;
CREATE INDEX cohorts_started_by ON cohorts (started_by);

CREATE TABLE cohort_lessons (
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
    lesson_id TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    opens_at  INTEGER NOT NULL,
    run_id    INTEGER REFERENCES runs (id),
    PRIMARY KEY (cohort_id, lesson_id)
) WITHOUT ROWID;
CREATE INDEX cohort_lessons_due ON cohort_lessons (opens_at) WHERE run_id IS NULL;

-- +goose Down
DROP TABLE cohort_lessons;
DROP TABLE cohorts;
